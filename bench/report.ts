// Turns the runs into the figures of the report: throughput against Alma's limit, the automated parts of a relink,
// the email-swap window, 429s, and what Temporal adds per activity.
import type { PlainRun } from './baselines';
import { callRate, swapWindows, type CallRate } from './call-log';
import { activitySteps } from './history';
import { median, ratio, round, summarise, type Summary } from './stats';
import type { TemporalRun } from './temporal-run';

export interface RunFigures {
  relinks: number;
  completed: number;
  failed: number;
  failures?: string[];
  wallSeconds: number;
  relinksPerSecond: number;
  alma: CallRate & { callsPerRelink: number; utilisation: number };
  automatedMs: {
    /** Start → the relink waits for the staff Lost click. */
    startToAwaitingLost?: Summary;
    /** The Lost click confirmed (signal received) → email restored and verified, relink closed. */
    lostConfirmedToClosed?: Summary;
    /** Both parts of one relink together. */
    total?: Summary;
  };
  emailSwapWindowMs?: Summary;
}

function figures(
  limit: number,
  wallMs: number,
  calls: TemporalRun['calls'],
  rows: Array<{
    ok: boolean;
    error?: string;
    startMs?: number;
    awaitingMs?: number;
    lostMs?: number;
    closeMs?: number;
    patronId: string;
  }>,
): RunFigures {
  const ok = rows.filter((r) => r.ok);
  const part1 = ok.filter((r) => r.startMs && r.awaitingMs).map((r) => r.awaitingMs! - r.startMs!);
  const part2 = ok.filter((r) => r.lostMs && r.closeMs).map((r) => r.closeMs! - r.lostMs!);
  const total = ok
    .filter((r) => r.startMs && r.awaitingMs && r.lostMs && r.closeMs)
    .map((r) => r.awaitingMs! - r.startMs! + (r.closeMs! - r.lostMs!));
  const rate = callRate(calls);
  const windows = swapWindows(
    calls,
    ok
      .filter((r) => r.startMs && r.closeMs)
      .map((r) => ({ patronId: r.patronId, fromMs: r.startMs!, toMs: r.closeMs! })),
  );
  const failures = rows.filter((r) => !r.ok).map((r) => r.error ?? 'failed');
  return {
    relinks: rows.length,
    completed: ok.length,
    failed: rows.length - ok.length,
    ...(failures.length ? { failures: [...new Set(failures)].slice(0, 5) } : {}),
    wallSeconds: round(wallMs / 1000, 2),
    relinksPerSecond: round(ok.length / (wallMs / 1000), 3),
    alma: {
      ...rate,
      callsPerRelink: round(rate.admitted / Math.max(1, rows.length), 2),
      utilisation: ratio(rate.callsPerSecond, limit),
    },
    automatedMs: {
      startToAwaitingLost: summarise(part1),
      lostConfirmedToClosed: summarise(part2),
      total: summarise(total),
    },
    emailSwapWindowMs: summarise(windows),
  };
}

export function temporalFigures(run: TemporalRun, limit: number): RunFigures {
  return figures(
    limit,
    run.wallMs,
    run.calls,
    run.relinks.map((r) => ({
      ok: r.outcome === 'completed',
      error: r.error,
      patronId: r.job.patronId,
      startMs: r.timeline?.startMs,
      awaitingMs: r.timeline?.awaitingLostMs,
      lostMs: r.timeline?.signalMs,
      closeMs: r.timeline?.closeMs,
    })),
  );
}

export function plainFigures(run: PlainRun, limit: number): RunFigures {
  return figures(
    limit,
    run.wallMs,
    run.calls,
    run.relinks.map((r) => ({
      ok: !r.error,
      error: r.error,
      patronId: r.job.patronId,
      startMs: r.startMs,
      awaitingMs: r.awaitingLostMs,
      lostMs: r.lostMs,
      closeMs: r.closeMs,
    })),
  );
}

/**
 * Activity attempts that failed in the Temporal run (and were retried, or ended the relink), by failure type. The
 * bench injects no fault but the per-second limit, so AlmaUnavailable here means a 429 the client could not absorb.
 */
export function activityFailures(run: TemporalRun): { attempts: number; rateLimited: number; examples: string[] } {
  const messages = run.relinks.flatMap((r) => r.timeline?.activities.flatMap((a) => a.failures) ?? []);
  return {
    attempts: messages.length,
    rateLimited: messages.filter((m) => m === 'AlmaUnavailable').length,
    examples: [...new Set(messages)].slice(0, 3),
  };
}

/**
 * What Temporal adds to each activity: the activity's step in the workflow (from the moment the workflow could move
 * on to the activity's completion, from the history) minus the median time the same activity function takes
 * when called directly by the sequential script against the same simulator. Meaningful at 0 ms Alma latency and
 * with the relinks one at a time, where nothing else queues.
 */
export function temporalCostPerActivity(run: TemporalRun, sequential: PlainRun) {
  const plainByType = new Map<string, number[]>();
  for (const r of sequential.relinks) {
    for (const a of r.activities) {
      let list = plainByType.get(a.type);
      if (!list) plainByType.set(a.type, (list = []));
      list.push(a.ms);
    }
  }
  const plainMedian = new Map([...plainByType].map(([type, ms]) => [type, median(ms)]));
  const steps = run.relinks.flatMap((r) => (r.timeline && r.outcome === 'completed' ? activitySteps(r.timeline) : []));
  const cost = steps.filter((s) => plainMedian.has(s.type)).map((s) => s.stepMs - plainMedian.get(s.type)!);
  const byType: Record<string, { temporalStepP50: number; plainP50: number; costP50: number }> = {};
  for (const type of plainMedian.keys()) {
    const mine = steps.filter((s) => s.type === type);
    if (mine.length === 0) continue;
    byType[type] = {
      temporalStepP50: round(median(mine.map((s) => s.stepMs))),
      plainP50: round(plainMedian.get(type)!),
      costP50: round(median(mine.map((s) => s.stepMs)) - plainMedian.get(type)!),
    };
  }
  return {
    perActivityMs: summarise(cost),
    activitiesPerRelink: round(steps.length / Math.max(1, run.relinks.length), 2),
    breakdownP50Ms: {
      workflowTask: round(median(steps.map((s) => s.workflowTaskMs))),
      dispatch: round(median(steps.map((s) => s.dispatchMs))),
      execution: round(median(steps.map((s) => s.executionMs))),
    },
    byActivity: byType,
  };
}

/**
 * Where each activity's step goes, in every run (baselines or not): the workflow task that scheduled it, the
 * dispatch to the worker, and the execution (the Alma calls, and any wait for the client's limiter or a free slot).
 */
export function stepBreakdown(run: TemporalRun) {
  const steps = run.relinks.flatMap((r) => (r.timeline && r.outcome === 'completed' ? activitySteps(r.timeline) : []));
  return {
    workflowTaskMs: summarise(steps.map((s) => s.workflowTaskMs)),
    dispatchMs: summarise(steps.map((s) => s.dispatchMs)),
    executionMs: summarise(steps.map((s) => s.executionMs)),
    workflowTaskTimeouts: run.relinks.reduce((n, r) => n + (r.timeline?.workflowTaskTimeouts ?? 0), 0),
    // A workflow task's wait for a poll (matching, the worker's pollers and slots) and its run (the worker's answer).
    workflowTaskWaitMs: summarise(run.relinks.flatMap((r) => r.timeline?.workflowTasks.map((w) => w.waitMs) ?? [])),
    workflowTaskRunMs: summarise(run.relinks.flatMap((r) => r.timeline?.workflowTasks.map((w) => w.runMs) ?? [])),
  };
}
