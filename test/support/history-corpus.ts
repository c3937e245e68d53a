// What a committed history (test/histories/*.json) shows about the relink it recorded: which waits it entered, the
// one it was still held in when recorded (a running relink: the case an upgrade must not strand), and the waits
// during which a join (the addBarcodes update) was accepted. Read from the history alone: the RelinkAwaiting search
// attribute the workflow upserts before it waits (progress.ts) and the update events.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

type AnyRecord = Record<string, any>;

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

export interface CorpusEntry {
  file: string;
  workflowId: string;
  history: AnyRecord;
  workflowType: string;
  /** The start's input (the payloads are stored decrypted). */
  input: AnyRecord;
  /** The waits the relink entered, in order ('none' left out). */
  waits: string[];
  /** The wait the relink was held in when recorded, if it was still running then. */
  heldIn?: string;
  /** Whether the run had ended (completed, failed, cancelled, terminated…) when recorded. */
  closed: boolean;
  /** The waits during which an addBarcodes update (a join) was accepted. */
  joinsDuring: string[];
}

const CLOSING = /^EVENT_TYPE_WORKFLOW_EXECUTION_(COMPLETED|FAILED|CANCELED|TERMINATED|TIMED_OUT|CONTINUED_AS_NEW)$/;

/** A proto3-JSON payload's value (json/plain, base64 data), or undefined when it is not one. */
function payloadValue(payload: AnyRecord | undefined): unknown {
  if (!payload?.data) return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

export function describeHistory(file: string, workflowId: string, history: AnyRecord): CorpusEntry {
  const events: AnyRecord[] = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes ?? {};
  const input = (payloadValue(started.input?.payloads?.[0]) as AnyRecord | undefined) ?? {};
  let awaiting = (payloadValue(started.searchAttributes?.indexedFields?.RelinkAwaiting) as string) ?? 'none';
  const waits: string[] = [];
  const joinsDuring = new Set<string>();
  for (const event of events) {
    const upserted = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    if (upserted?.RelinkAwaiting) {
      awaiting = payloadValue(upserted.RelinkAwaiting) as string;
      if (awaiting !== 'none') waits.push(awaiting);
    }
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    // The start's own addBarcodes (start-or-join) comes before any wait, while awaiting is 'none'.
    if (accepted === 'addBarcodes' && awaiting !== 'none') joinsDuring.add(awaiting);
  }
  const closed = CLOSING.test(events.at(-1)?.eventType ?? '');
  return {
    file,
    workflowId,
    history,
    workflowType: started.workflowType?.name ?? '',
    input,
    waits,
    ...(!closed && awaiting !== 'none' ? { heldIn: awaiting } : {}),
    closed,
    joinsDuring: [...joinsDuring],
  };
}

/** Every committed history, described. */
export function readCorpus(dir = HISTORIES_DIR): CorpusEntry[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const { workflowId, history } = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      return describeHistory(file, workflowId, history);
    });
}

/**
 * The variants of a wait that take different paths in the workflow: the quiet period and the wait for Alma's job each
 * end at a duration from now or at the next HH:MM (an activity computes that time), so each needs its histories.
 */
export const WAIT_VARIANTS: Record<string, { setting: 'restoreAfter' | 'lostJobAt'; variants: string[] }> = {
  'quiet-period': { setting: 'restoreAfter', variants: ['duration', 'next HH:MM'] },
  'lost-job': { setting: 'lostJobAt', variants: ['duration', 'next HH:MM'] },
};

/** The variant of `wait` the relink's input chose, or undefined for a wait without variants. */
export function waitVariant(entry: CorpusEntry, wait: string): string | undefined {
  const of = WAIT_VARIANTS[wait];
  if (!of) return undefined;
  const setting = entry.input[of.setting];
  return typeof setting === 'string' && /^next /i.test(setting.trim()) ? 'next HH:MM' : 'duration';
}
