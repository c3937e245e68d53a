// What a closed relink's history still knows: the plan of the patron's contact details it recorded before its swap,
// which relink sweep --fix restores by. Read with the client's data converter, so the encrypted payloads decode.
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { markerFor, type ContactPlan } from './contract';

const entryRef = z.object({
  address: z.string(),
  type: z.string().optional(),
  segment: z.string().optional(),
  position: z.number().optional(),
});

/** The plan as the relink recorded it (contract ContactPlan); a history is read back from outside, so checked. */
const contactPlanSchema = z.object({
  originalPreferredEmail: z.string().nullable(),
  originalSmsPhones: z.array(z.string()),
  preferredEmailEntry: entryRef.nullable().optional(),
  smsPhoneEntries: z.array(entryRef).optional(),
  marker: z.string(),
  holdingEmail: z.string(),
  holdingEmailType: z.string().optional(),
}) satisfies z.ZodType<ContactPlan>;

/** Activities whose input carries the plan the swap was (or was to be) made by: the last one is what Alma got. */
const PLAN_IN_INPUT = new Set(['swapContact', 'recheckSwap', 'restoreContact']);

/**
 * The plan of the newest run of `workflowId` that recorded one for this relink's marker, or undefined when no run's
 * history does (it is gone, or the relink never got as far as the swap's plan).
 */
export async function recordedPlan(client: Client, workflowId: string): Promise<ContactPlan | undefined> {
  for (const runId of await runsNewestFirst(client, workflowId)) {
    let history: temporal.api.history.v1.IHistory;
    try {
      history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    const plan = await planIn(client, history, markerFor(workflowId));
    if (plan) return plan;
  }
  return undefined;
}

/** Every run of the id, newest first; the latest alone when visibility lists none (the describe call still finds it). */
async function runsNewestFirst(client: Client, workflowId: string): Promise<Array<string | undefined>> {
  const runs: Array<{ runId: string; start: number }> = [];
  const query = `WorkflowId = '${workflowId.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  for await (const wf of client.workflow.list({ query })) runs.push({ runId: wf.runId, start: wf.startTime.getTime() });
  return runs.length ? runs.sort((a, b) => b.start - a.start).map((r) => r.runId) : [undefined];
}

/** The last plan the run sent to Alma (a swap's input), else the one its preflight read. */
async function planIn(
  client: Client,
  history: temporal.api.history.v1.IHistory,
  marker: string,
): Promise<ContactPlan | undefined> {
  const converter = client.options.loadedDataConverter;
  const decode = async (payloads: temporal.api.common.v1.IPayload[] | null | undefined): Promise<unknown> =>
    decodeFromPayloadsAtIndex<unknown>(converter, 0, payloads);
  const scheduled = new Map<string, string>();
  let sent: ContactPlan | undefined;
  let read: ContactPlan | undefined;
  for (const event of history.events ?? []) {
    const start = event.activityTaskScheduledEventAttributes;
    if (start?.activityType?.name) {
      scheduled.set(String(event.eventId), start.activityType.name);
      if (PLAN_IN_INPUT.has(start.activityType.name)) {
        sent =
          ofMarker(((await decode(start.input?.payloads)) as { plan?: unknown } | undefined)?.plan, marker) ?? sent;
      }
    }
    const done = event.activityTaskCompletedEventAttributes;
    if (done && scheduled.get(String(done.scheduledEventId)) === 'preflight') {
      const result = (await decode(done.result?.payloads)) as { contactPlan?: unknown } | undefined;
      read = ofMarker(result?.contactPlan, marker) ?? read;
    }
  }
  return sent ?? read;
}

function ofMarker(value: unknown, marker: string): ContactPlan | undefined {
  const parsed = contactPlanSchema.safeParse(value);
  return parsed.success && parsed.data.marker === marker ? parsed.data : undefined;
}

const GRPC_NOT_FOUND = 5;

/** The history is gone: the client's WorkflowNotFoundError, or the service's NOT_FOUND behind a history read. */
function isNotFound(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.name === 'WorkflowNotFoundError' || (e as { code?: unknown }).code === GRPC_NOT_FOUND) return true;
  }
  return false;
}
