// Starting a checked batch: one relink per patron (joining a running one), a few at a time, and one report line per
// item of the file. The relink command and the desk both run batches with this.
import type { RelinkClient, RelinkInput, StartedRelink } from '../client';
import { relinkWorkflowId } from '../client';
import type { BatchPlan, BatchRelink } from './batch-file';

/** What happened to one item of the file. */
export type BatchResult = 'started' | 'joined' | 'already-in-relink' | 'failed' | 'waits-for-tomorrow';

export interface BatchReportRow {
  patron_id: string;
  barcode: string;
  workflow_id: string;
  result: BatchResult;
  message: string;
}

export const REPORT_COLUMNS: Array<keyof BatchReportRow> = ['patron_id', 'barcode', 'workflow_id', 'result', 'message'];

export interface BatchSummary {
  started: number;
  joined: number;
  alreadyInRelink: number;
  failed: number;
  waitsForTomorrow: number;
}

/** Relinks started at a time: enough to be quick, few enough to leave the worker's Alma budget to the relinks. */
const CONCURRENCY = 4;

function rowsFor(relink: BatchRelink, started: StartedRelink): BatchReportRow[] {
  return relink.rows.map((row) => {
    const base = { patron_id: row.patronId, barcode: row.barcode, workflow_id: started.workflowId };
    if (!started.joined) return { ...base, result: 'started', message: 'relink started' };
    if (started.alreadyPresent.includes(row.barcode)) {
      return { ...base, result: 'already-in-relink', message: "already in the patron's running relink" };
    }
    return { ...base, result: 'joined', message: "added to the patron's running relink" };
  });
}

export interface BatchRunOptions {
  /** Bounds the wait for a worker to take each start. */
  timeoutMs?: number;
  /** A refusal or failure in staff words. */
  messageOf: (err: unknown) => string;
  /** After each patron's relink is started (or refused). */
  onPatronDone?: (done: number, total: number) => void;
  /** Patrons not to start now (today's Alma quota), with their report lines. */
  held?: ReadonlyMap<string, BatchReportRow[]>;
  /**
   * Waits until a start may go (the desk's start limit) and takes it; the answer is told whether the start went
   * through, so a refused one can be given back.
   */
  takeStart?: () => Promise<(started: boolean) => void>;
}

/** Starts every relink of the plan; a refusal fails that patron's lines, not the batch. Rows in the file's order. */
export async function runBatch(
  relinks: RelinkClient,
  plan: BatchPlan,
  inputOf: (relink: BatchRelink) => RelinkInput,
  { timeoutMs, messageOf, onPatronDone, held = new Map(), takeStart }: BatchRunOptions,
): Promise<{ rows: BatchReportRow[]; summary: BatchSummary }> {
  const inputs = plan.relinks.filter((r) => !held.has(r.patronId)).map((r) => ({ relink: r, input: inputOf(r) }));
  const byPatron = new Map<string, BatchReportRow[]>(held);
  const queue = [...inputs];
  let done = 0;
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { relink: r, input } = next;
      const taken = await takeStart?.();
      try {
        byPatron.set(r.patronId, rowsFor(r, await relinks.start(input, timeoutMs ? { timeoutMs } : {})));
        taken?.(true);
      } catch (err) {
        taken?.(false);
        const message = messageOf(err);
        byPatron.set(
          r.patronId,
          r.rows.map((row) => ({
            patron_id: row.patronId,
            barcode: row.barcode,
            workflow_id: relinkWorkflowId(row.patronId),
            result: 'failed',
            message,
          })),
        );
      }
      onPatronDone?.(++done, inputs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, inputs.length) }, worker));

  const rows = plan.rows.map((row) => byPatron.get(row.patronId)!.find((r) => r.barcode === row.barcode)!);
  const count = (result: BatchResult) => rows.filter((r) => r.result === result).length;
  return {
    rows,
    summary: {
      started: count('started'),
      joined: count('joined'),
      alreadyInRelink: count('already-in-relink'),
      failed: count('failed'),
      waitsForTomorrow: count('waits-for-tomorrow'),
    },
  };
}
