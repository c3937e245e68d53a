// What a closed relink's history still knows: the plan of the patron's contact details it recorded before its swap,
// which relink sweep --fix restores by, and the loans it made (or tried to make), which the sweep returns first. Read
// with the client's data converter, so the encrypted payloads decode.
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { markerFor, type CheckedItem, type ContactPlan, type RecordedLoan } from './contract';

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

const checkedItemSchema = z.object({
  barcode: z.string(),
  mmsId: z.string(),
  holdingId: z.string(),
  itemPid: z.string(),
  title: z.string(),
  library: z.string(),
  circDesk: z.string(),
  processType: z.string(),
  requested: z.boolean(),
  checkedAt: z.number().optional(),
}) satisfies z.ZodType<CheckedItem>;
const loanInputSchema = z.object({ item: checkedItemSchema });
const loanResultSchema = z.object({ loanId: z.string(), dueDate: z.string().optional() });
const dueDateInputSchema = z.object({ barcode: z.string(), dueDate: z.string().optional() });
const foundLoansSchema = z.array(z.object({ barcode: z.string(), loanId: z.string() }));

/** What sweep --fix needs of a closed relink's run: its contact plan, and the loans it made or tried to make. */
export interface RecordedRelink {
  plan: ContactPlan;
  loans: RecordedLoan[];
}

/** Activities whose input carries the plan the swap was (or was to be) made by: the last one is what Alma got. */
const PLAN_IN_INPUT = new Set(['swapContact', 'recheckSwap', 'restoreContact']);

/**
 * The newest run of `workflowId` that recorded a plan for `marker` (the one found on the record: since RUN_MARKER it
 * names one run; before, every run of the id wrote the same), with its loans; undefined when no run's history does (it
 * is gone, or the relink never got as far as the swap's plan).
 */
export async function recordedRelink(
  client: Client,
  workflowId: string,
  marker: string = markerFor(workflowId),
): Promise<RecordedRelink | undefined> {
  for (const runId of await runsNewestFirst(client, workflowId)) {
    let history: temporal.api.history.v1.IHistory;
    try {
      history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    const found = await readRun(client, history, marker);
    if (found) return found;
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

/**
 * The last plan the run sent to Alma (a swap's input), else the one its preflight read; and each item its loanItem
 * was scheduled for, with the loan id its answer (or a later findLoans) gave. A loan whose answer never came has no
 * id: the sweep asks Alma.
 */
async function readRun(
  client: Client,
  history: temporal.api.history.v1.IHistory,
  marker: string,
): Promise<RecordedRelink | undefined> {
  const converter = client.options.loadedDataConverter;
  const decode = async (payloads: temporal.api.common.v1.IPayload[] | null | undefined): Promise<unknown> =>
    decodeFromPayloadsAtIndex<unknown>(converter, 0, payloads);
  const scheduled = new Map<string, { name: string; barcode?: string }>();
  const loans = new Map<string, RecordedLoan>();
  /** Each loan's own due date (loanItem's answer), and the barcodes whose due date the overdue-job mode moved. */
  const ownDueDates = new Map<string, string>();
  const moved = new Set<string>();
  let sent: ContactPlan | undefined;
  let read: ContactPlan | undefined;
  for (const event of history.events ?? []) {
    const start = event.activityTaskScheduledEventAttributes;
    const name = start?.activityType?.name;
    if (start && name) {
      const entry: { name: string; barcode?: string } = { name };
      scheduled.set(String(event.eventId), entry);
      if (PLAN_IN_INPUT.has(name)) {
        sent =
          ofMarker(((await decode(start.input?.payloads)) as { plan?: unknown } | undefined)?.plan, marker) ?? sent;
      }
      if (name === 'setDueDate') {
        // Moving it to now (no dueDate given), not back: the compensation's move back goes through returnLoan.
        const input = dueDateInputSchema.safeParse(await decode(start.input?.payloads));
        if (input.success && !input.data.dueDate) moved.add(input.data.barcode);
      }
      if (name === 'loanItem') {
        const input = loanInputSchema.safeParse(await decode(start.input?.payloads));
        if (input.success) {
          entry.barcode = input.data.item.barcode;
          const known = loans.get(entry.barcode);
          loans.set(entry.barcode, { item: input.data.item, ...(known?.loanId ? { loanId: known.loanId } : {}) });
        }
      }
    }
    const done = event.activityTaskCompletedEventAttributes;
    const of = done ? scheduled.get(String(done.scheduledEventId)) : undefined;
    if (!done || !of) continue;
    if (of.name === 'preflight') {
      const result = (await decode(done.result?.payloads)) as { contactPlan?: unknown } | undefined;
      read = ofMarker(result?.contactPlan, marker) ?? read;
    } else if (of.name === 'loanItem' && of.barcode) {
      const result = loanResultSchema.safeParse(await decode(done.result?.payloads));
      const loan = loans.get(of.barcode);
      if (result.success && loan) loan.loanId = result.data.loanId;
      if (result.success && result.data.dueDate) ownDueDates.set(of.barcode, result.data.dueDate);
    } else if (of.name === 'findLoans') {
      const found = foundLoansSchema.safeParse(await decode(done.result?.payloads));
      for (const f of found.success ? found.data : []) {
        const loan = loans.get(f.barcode);
        if (loan) loan.loanId = f.loanId;
      }
    }
  }
  const plan = sent ?? read;
  for (const [barcode, loan] of loans) {
    const own = ownDueDates.get(barcode);
    if (own && moved.has(barcode)) loan.dueDateBefore = own;
  }
  return plan ? { plan, loans: [...loans.values()] } : undefined;
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
