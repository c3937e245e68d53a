// The relinks through Temporal: started through RelinkClient like staff would, with a simulated staff member who
// clicks Lost in Alma as soon as a relink waits for it and then sends confirm-lost. Timings come afterwards from
// each relink's event history; the staff member's own reaction time is not part of any automated figure.
import type { SimCall } from '../src/alma-sim';
import type { RelinkClient } from '../src/client';
import type { RelinkResult } from '../src/contract';
import { timelineOf, type RelinkTimeline } from './history';
import type { BenchSim } from './sim-process';
import { relinkInputFor, runChains, type RelinkJob, type Workload } from './workload';

export interface RelinkRun {
  job: RelinkJob;
  workflowId: string;
  runId?: string;
  outcome: string;
  error?: string;
  timeline?: RelinkTimeline;
}

export interface TemporalRun {
  relinks: RelinkRun[];
  wallMs: number;
  /** The call log of this run only. */
  calls: SimCall[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Tells each waiting relink when Alma has answered its loan POST, by reading the simulator's call log (its /_sim
 * controls, no Alma call): the staff member only starts asking the workflow once there is a loan to click Lost on.
 */
class LoanWatcher {
  private from = 0;
  private readonly handled = new Set<number>();
  private readonly waiting = new Map<string, () => void>();
  private timer?: NodeJS.Timeout;
  private reading = false;

  constructor(
    private readonly sim: BenchSim,
    private readonly intervalMs = 20,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.reading) return;
      this.reading = true;
      this.tick()
        .catch((err: unknown) => process.stderr.write(`loan watcher: ${String(err)}\n`))
        .finally(() => (this.reading = false));
    }, this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  loanAnswered(patronId: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(patronId, resolve));
  }

  forget(patronId: string): void {
    this.waiting.get(patronId)?.();
    this.waiting.delete(patronId);
  }

  private async tick(): Promise<void> {
    if (this.waiting.size === 0) return;
    // Only the calls from the first one still open: the whole log 50 times a second (7,500 calls by the end) kept
    // the simulator's event loop busy, and so late to see calls arrive (the busiest-second figure).
    const calls = await this.sim.calls(this.from);
    let firstOpen = -1;
    for (let k = 0; k < calls.length; k++) {
      const c = calls[k]!;
      const i = this.from + k;
      if (c.status === 0) {
        if (firstOpen < 0) firstOpen = i;
        continue;
      }
      if (this.handled.has(c.seq)) continue;
      this.handled.add(c.seq);
      const m = c.method === 'POST' && c.status < 300 ? /^\/almaws\/v1\/users\/([^/?]+)\/loans/.exec(c.path) : null;
      const patronId = m ? decodeURIComponent(m[1]!) : undefined;
      const resolve = patronId ? this.waiting.get(patronId) : undefined;
      if (resolve) {
        this.waiting.delete(patronId!);
        resolve();
      }
    }
    this.from = firstOpen < 0 ? this.from + calls.length : firstOpen;
  }
}

export interface TemporalRunOptions {
  relinks: RelinkClient;
  sim: BenchSim;
  workload: Workload;
  concurrency: number;
  deadlineMs: number;
  progress: (done: number) => void;
}

export async function runThroughTemporal(options: TemporalRunOptions): Promise<TemporalRun> {
  const { relinks, sim } = options;
  const callsBefore = (await sim.calls()).length;
  const watcher = new LoanWatcher(sim);
  watcher.start();
  const deadline = Date.now() + options.deadlineMs;
  const runs: RelinkRun[] = [];
  const began = performance.now();

  async function staffMember(workflowId: string, loaned: Promise<void>, closed: () => boolean): Promise<void> {
    await loaned;
    // Watch for the Lost wait as `relink list` shows it (search attributes, no query: nothing for the worker to answer),
    // checking soon and then less often, so a busy server is not also flooded with describes.
    for (let pause = 25; ; pause = Math.min(pause * 1.5, 400)) {
      if (closed()) return;
      if (Date.now() > deadline) throw new Error(`${workflowId}: no Lost wait before the deadline`);
      const summary = await relinks.summary(workflowId);
      if (summary.status !== 'RUNNING') return; // it ended early; its result tells why
      if (summary.awaiting === 'lost-declaration') break;
      await sleep(pause);
    }
    // Read which loans to click (as `relink status` does), click Lost on each in Alma, and say so.
    const progress = await relinks.progress(workflowId);
    for (const item of progress.items) if (item.loanId && !item.lostConfirmed) await sim.declareLost(item.loanId);
    await relinks.confirmLost(workflowId);
  }

  async function one(job: RelinkJob): Promise<void> {
    const loaned = watcher.loanAnswered(job.patronId);
    let started: Awaited<ReturnType<typeof relinks.start>>;
    try {
      started = await relinks.start(relinkInputFor(job));
    } catch (err) {
      // A start that got no answer (a busy machine) is a failed relink of the report, not the end of the run.
      watcher.forget(job.patronId);
      const error = `start: ${err instanceof Error ? err.message : String(err)}`;
      runs.push({ job, workflowId: '', runId: '', outcome: 'failed', error });
      process.stderr.write(`${job.patronId}: ${error}\n`);
      options.progress(runs.filter((r) => r.outcome !== 'running').length);
      return;
    }
    const run: RelinkRun = { job, workflowId: started.workflowId, runId: started.runId, outcome: 'running' };
    runs.push(run);
    const handle = relinks.client.workflow.getHandle(started.workflowId, started.runId);
    let closed = false;
    const staff = staffMember(started.workflowId, loaned, () => closed);
    try {
      const result = (await handle.result()) as RelinkResult;
      run.outcome = result.outcome;
      if (result.reason) run.error = result.reason;
    } catch (err) {
      run.outcome = 'failed';
      run.error =
        err instanceof Error ? `${err.message}${err.cause ? `: ${(err.cause as Error).message}` : ''}` : String(err);
    }
    closed = true;
    watcher.forget(job.patronId); // a relink that ended before its loan leaves no Lost click to make
    await staff.catch((err) => (run.error ??= String(err)));
    options.progress(runs.filter((r) => r.outcome !== 'running').length);
  }

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the Temporal run did not finish within ${options.deadlineMs / 1000} s`)),
      options.deadlineMs,
    );
  });
  try {
    await Promise.race([runChains(options.workload.chains, options.concurrency, one), timeout]);
  } finally {
    clearTimeout(timer);
    watcher.stop();
  }
  const wallMs = performance.now() - began;

  // Histories, a few at a time.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < runs.length; i = next++) {
        const run = runs[i]!;
        if (!run.workflowId) continue; // never started
        const history = await relinks.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
        run.timeline = timelineOf(history);
      }
    }),
  );
  return { relinks: runs, wallMs, calls: await sim.calls(callsBefore) };
}
