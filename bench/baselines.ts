// What a systems librarian would write without Temporal: the same activity functions, so the same Alma calls
// through the same AlmaClient, called one after another in a plain script. No history, no retries across a crash,
// no restore after a kill: no durability. "sequential" runs one relink after another; "parallel" runs as many
// relinks at once as the Temporal run had in flight.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type RelinkActivities } from '../src/activities';
import type { AlmaClient } from '../src/alma';
import type { SimCall } from '../src/alma-sim';
import { markerFor, relinkWorkflowId } from '../src/contract';
import type { CheckedItem } from '../src/contract';
import type { BenchSim } from './sim-process';
import { relinkInputFor, runChains, type RelinkJob, type Workload } from './workload';

export interface PlainRelink {
  job: RelinkJob;
  startMs: number;
  awaitingLostMs: number;
  /** The Lost click (and, in the Temporal run, the signal): the plain script knows of it at once. */
  lostMs: number;
  closeMs: number;
  /** Time inside each activity function, by name. */
  activities: Array<{ type: string; ms: number }>;
  /** Attempts that failed and were tried again (as the workflow's retry policy would). */
  retried: number;
  error?: string;
}

export interface PlainRun {
  relinks: PlainRelink[];
  wallMs: number;
  calls: SimCall[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs one activity like the workflow's retry policy would: retryable failures again after 1 s, 2 s, 4 s ... */
async function step<K extends keyof RelinkActivities>(
  acts: RelinkActivities,
  record: PlainRelink,
  type: K,
  ...args: Parameters<RelinkActivities[K]>
): Promise<Awaited<ReturnType<RelinkActivities[K]>>> {
  for (let attempt = 1; ; attempt++) {
    const began = performance.now();
    try {
      type Result = Awaited<ReturnType<RelinkActivities[K]>>;
      const fn = acts[type] as (...a: unknown[]) => Promise<Result>;
      const result = (await new MockActivityEnvironment({
        attempt,
        startToCloseTimeoutMs: 60_000,
        scheduleToCloseTimeoutMs: 0,
      }).run(fn, ...args)) as Result;
      record.activities.push({ type, ms: performance.now() - began });
      return result;
    } catch (err) {
      record.activities.push({ type, ms: performance.now() - began });
      const retryable = !(err instanceof ApplicationFailure && err.nonRetryable);
      if (!retryable || attempt >= 10) throw err;
      record.retried++;
      await sleep(Math.min(1000 * 2 ** (attempt - 1), 60_000));
    }
  }
}

/** The workflow's happy path, step by step, without the workflow. */
async function plainRelink(acts: RelinkActivities, sim: BenchSim, job: RelinkJob): Promise<PlainRelink> {
  const input = relinkInputFor(job);
  const workflowId = relinkWorkflowId(job.patronId);
  const record: PlainRelink = {
    job,
    startMs: Date.now(),
    awaitingLostMs: 0,
    lostMs: 0,
    closeMs: 0,
    activities: [],
    retried: 0,
  };
  const base = {
    patronId: job.patronId,
    desks: input.desks,
    holdingEmail: input.holdingEmail,
    marker: markerFor(workflowId),
  };
  const pre = await step(acts, record, 'preflight', { ...base, barcodes: job.barcodes });
  const plan = pre.contactPlan!;
  const verdicts = await step(acts, record, 'reviewRequests', { patronId: job.patronId, items: pre.items });
  if (Object.values(verdicts).some((v) => v.blocking.length > 0)) throw new Error('a request queue is in the way');
  await step(acts, record, 'swapContact', { patronId: job.patronId, workflowId, plan });
  const loans: Array<{ barcode: string; loanId: string; loanDate?: string }> = [];
  for (const item of pre.items as CheckedItem[]) {
    const scan = await step(acts, record, 'scanIn', { patronId: job.patronId, item });
    if (!scan.scanned) throw new Error(`a request arrived on ${item.barcode}`);
    const loan = await step(acts, record, 'loanItem', {
      patronId: job.patronId,
      item,
      patronRequestId: scan.patronRequestId,
    });
    loans.push({ barcode: item.barcode, loanId: loan.loanId, loanDate: loan.loanDate });
  }
  record.awaitingLostMs = Date.now();
  for (const loan of loans) await sim.declareLost(loan.loanId);
  record.lostMs = Date.now();
  const checks = await step(acts, record, 'checkLostDeclared', { patronId: job.patronId, loans });
  if (!checks.every((c) => c.lost)) throw new Error('Alma does not show the Lost click');
  await step(acts, record, 'restoreContact', { patronId: job.patronId, plan });
  record.closeMs = Date.now();
  return record;
}

export async function runPlain(
  alma: AlmaClient,
  sim: BenchSim,
  workload: Workload,
  concurrency: number,
  progress: (done: number) => void,
): Promise<PlainRun> {
  const acts = createActivities({ alma });
  const callsBefore = (await sim.calls()).length;
  const relinks: PlainRelink[] = [];
  const began = performance.now();
  await runChains(workload.chains, concurrency, async (job) => {
    try {
      relinks.push(await plainRelink(acts, sim, job));
    } catch (err) {
      relinks.push({
        job,
        startMs: 0,
        awaitingLostMs: 0,
        lostMs: 0,
        closeMs: 0,
        activities: [],
        retried: 0,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    progress(relinks.length);
  });
  return { relinks, wallMs: performance.now() - began, calls: await sim.calls(callsBefore) };
}
