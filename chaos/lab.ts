// The chaos lab: everything a run needs, all on loopback and all started here — a Temporal dev server with its own
// SQLite file (not jest's), the Alma simulator, worker processes, a Temporal client — plus the staff member who
// clicks "Lost" in Alma when a relink asks for it.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure } from '@temporalio/common';
import { AlmaClient, type AlmaUser } from '../src/alma';
import { startAlmaSimulator, type AlmaSimulator, type Fixtures, type SimFaults } from '../src/alma-sim';
import { RelinkClient } from '../src/client';
import { CodecKeyRing, generateKeyEntry, relinkDataConverter } from '../src/codec';
import { freePort } from '../src/dev/free-port';
import { confirmLostSignal, progressQuery } from '../src/contract';
import { RelinkAwaiting } from '../src/contract';
import type { RelinkProgress, RelinkResult } from '../src/contract';
import { TemporalServerProcess, WorkerProcess, type WorkerSettings } from './processes';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Alma's daily API budget in the lab: an institution's real one is in the hundreds of thousands, far above the
 * workers' production floor (ALMA_MIN_DAILY_REMAINING, 5000), so the floor only bites where a scenario lowers the
 * count on purpose (`dailyRemaining`).
 */
export const DAILY_BUDGET = 500_000;

/** How a relink ended, in one word the report can count, and its failure type when it failed. */
export interface Ending {
  outcome: 'completed' | 'aborted' | 'needs-attention' | 'failed' | 'cancelled' | 'terminated' | 'still-running';
  failureType?: string;
  message?: string;
  result?: RelinkResult;
}

export interface LabOptions {
  log: (line: string) => void;
  /** Seed of the simulator's random faults. */
  seed?: number;
  /** Folder for the SQLite file and the process logs; default a new temporary one. */
  workDir?: string;
}

export class ChaosLab {
  readonly taskQueue = 'chaos-relink';
  readonly workers: WorkerProcess[] = [];
  private workerCount = 0;
  /** Loans this lab's staff member declared Lost, by barcode. */
  readonly declaredLost = new Set<string>();

  private constructor(
    readonly options: LabOptions,
    readonly workDir: string,
    readonly server: TemporalServerProcess,
    readonly sim: AlmaSimulator,
    readonly codecKeys: string,
    private readonly connection: Connection,
    readonly relinks: RelinkClient,
  ) {}

  get log() {
    return this.options.log;
  }

  get client(): Client {
    return this.relinks.client;
  }

  static async start(options: LabOptions): Promise<ChaosLab> {
    const workDir = options.workDir ?? mkdtempSync(path.join(tmpdir(), 'alma-relink-chaos-'));
    mkdirSync(path.join(workDir, 'cwd'), { recursive: true });
    const server = new TemporalServerProcess(path.join(workDir, 'temporal.db'), await freePort());
    await server.start();
    const sim = await startAlmaSimulator({
      port: 0,
      seed: options.seed ?? 1,
      dailyBudget: DAILY_BUDGET,
      // The Overdue and Lost Loan job marks a loan Lost 1 s past due (the overdue-job Lost mode's scenario); the
      // relinks of other scenarios are due in 28 days, and none runs that job.
      jobs: { lostAfterDays: 1 / 86_400 },
      log: () => undefined,
    });
    // A key of this run only: the workers get it in RELINK_CODEC_KEYS, the client here the same.
    const codecKeys = generateKeyEntry('chaos');
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({
      connection,
      namespace: 'default',
      dataConverter: relinkDataConverter(CodecKeyRing.parse(codecKeys)),
    });
    return new ChaosLab(options, workDir, server, sim, codecKeys, connection, new RelinkClient(client, 'chaos-relink'));
  }

  workerSettings(overrides: Partial<WorkerSettings> = {}): WorkerSettings {
    return {
      temporalAddress: this.server.address,
      taskQueue: this.taskQueue,
      almaBaseUrl: this.sim.url,
      almaApiKey: this.sim.apiKey,
      codecKeys: this.codecKeys,
      logFile: path.join(this.workDir, 'workers.log'),
      cwd: path.join(this.workDir, 'cwd'),
      ...overrides,
    };
  }

  /** Starts one more worker process (on the lab's task queue unless told otherwise). */
  async startWorker(overrides: Partial<WorkerSettings> = {}): Promise<WorkerProcess> {
    const worker = await WorkerProcess.start(`w${++this.workerCount}`, this.workerSettings(overrides));
    this.workers.push(worker);
    return worker;
  }

  running(): WorkerProcess[] {
    return this.workers.filter((w) => w.running);
  }

  /** At least `n` workers of the lab's queue are running. */
  async ensureWorkers(n = 1): Promise<void> {
    while (this.running().length < n) await this.startWorker();
  }

  /** kill -9 of every running worker. */
  async killWorkers(): Promise<void> {
    await Promise.all(this.running().map((w) => w.kill9()));
  }

  /** New Alma state; clears letters, calls and faults. */
  resetAlma(fixtures: Fixtures): void {
    this.sim.reset(fixtures);
    this.declaredLost.clear();
  }

  setFaults(faults: SimFaults): void {
    this.sim.setFaults(faults);
  }

  /**
   * Ends every injected fault and rule. The day's API count stays where it is, as in Alma: only a new run's fresh
   * state or Alma's midnight (`resetDailyQuota`) starts it again.
   */
  clearFaults(): void {
    this.sim.setFaults({ dailyRemaining: this.sim.faults().dailyRemaining });
  }

  /**
   * Alma's midnight, as the simulator's admin route models it (POST /_sim/quota/reset): the daily count starts
   * again, every other fault stays.
   */
  async resetDailyQuota(): Promise<number> {
    const res = await fetch(`${this.sim.url}/_sim/quota/reset`, { method: 'POST' });
    if (!res.ok) throw new Error(`POST /_sim/quota/reset answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { dailyRemaining: number }).dailyRemaining;
  }

  /**
   * Someone else edits the patron's record in Alma meanwhile — staff in the user editor, or a SIS load: the whole
   * record read and PUT back, as Alma's UI does, with no API floor or marker of the relink's.
   */
  async editPatron(patronId: string, change: (user: AlmaUser) => void): Promise<void> {
    this.staffAlma ??= new AlmaClient({ baseUrl: this.sim.url, apiKey: this.sim.apiKey, timeoutMs: 10_000 });
    const user = await this.staffAlma.getUser(patronId);
    change(user);
    await this.staffAlma.updateUser(patronId, user);
  }

  private staffAlma?: AlmaClient;

  /** The search attribute the relink keeps up to date: readable from the server alone, without a worker. */
  async awaiting(workflowId: string): Promise<{ running: boolean; awaiting?: string }> {
    const d = await this.client.workflow.getHandle(workflowId).describe();
    return { running: d.status.name === 'RUNNING', awaiting: d.typedSearchAttributes.get(RelinkAwaiting) };
  }

  /** The relink's progress (needs a worker to answer), or undefined when none answers in time. */
  async progress(workflowId: string, timeoutMs = 5_000): Promise<RelinkProgress | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.client.workflow.getHandle(workflowId).query(progressQuery),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs))),
      ]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Polls until `predicate` holds on what the server says about the relink (no worker needed). */
  async waitForAwaiting(workflowId: string, awaiting: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const a = await this.awaiting(workflowId);
        if (a.awaiting === awaiting) return;
        if (!a.running) throw new Error(`${workflowId} closed before it awaited ${awaiting}`);
      } catch (err) {
        if (err instanceof Error && /closed before/.test(err.message)) throw err;
      }
      await sleep(100);
    }
    throw new Error(`${workflowId} did not await ${awaiting} within ${timeoutMs} ms`);
  }

  /**
   * The staff member's Lost click in Manage Patron Services on every active loan of the patron that is not lost yet,
   * as the relink's instructions say, then `relink confirm-lost` (a plain signal: it needs no worker).
   */
  async staffDeclaresLost(workflowId: string, patronId: string): Promise<number> {
    const loans = this.sim
      .state()
      .loans.filter((l) => l.user_id === patronId && l.loan_status === 'ACTIVE' && l.process_status !== 'LOST');
    for (const loan of loans) {
      this.sim.declareLost(loan.loan_id);
      if (loan.item_barcode) this.declaredLost.add(loan.item_barcode);
    }
    try {
      await this.client.workflow.getHandle(workflowId).signal(confirmLostSignal, {});
    } catch {
      // Closed meanwhile, or the server is down: the relink's own polling finds the click.
    }
    return loans.length;
  }

  /**
   * Staff at the desk while relinks run: whenever one of them awaits the Lost click (per its search attribute),
   * click Lost on its loans. Stop it with the returned function.
   */
  staffDesk(
    relinks: Map<string, string>,
    { intervalMs = 300 } = {},
  ): { stop(): Promise<void>; pause(on: boolean): void } {
    let stopped = false;
    let paused = false;
    const loop = (async () => {
      while (!stopped) {
        for (const [workflowId, patronId] of relinks) {
          if (stopped || paused) break;
          try {
            const a = await this.awaiting(workflowId);
            if (!a.running) relinks.delete(workflowId);
            else if (a.awaiting === 'lost-declaration') await this.staffDeclaresLost(workflowId, patronId);
          } catch {
            // The server may be restarting: try again on the next round.
          }
        }
        await sleep(intervalMs);
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await loop;
      },
      pause: (on) => (paused = on),
    };
  }

  /** Waits for the relink to close and says how it ended. */
  async ending(workflowId: string, timeoutMs: number): Promise<Ending> {
    const handle = this.client.workflow.getHandle(workflowId);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      for (;;) {
        try {
          const result = await Promise.race([handle.result() as Promise<RelinkResult>, timeout]);
          if (result === 'timeout') return { outcome: 'still-running' };
          return { outcome: result.outcome, result, message: result.reason };
        } catch (err) {
          if (!(err instanceof WorkflowFailedError)) {
            // The server restarting under a long poll: ask again.
            await sleep(500);
            continue;
          }
          const cause = err.cause;
          if (cause instanceof CancelledFailure) return { outcome: 'cancelled', message: cause.message };
          if (cause instanceof TerminatedFailure) return { outcome: 'terminated', message: cause.message };
          return {
            outcome: 'failed',
            failureType: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : cause?.name,
            message: cause?.message ?? err.message,
          };
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** The relink's audit, from its progress (a closed relink answers too, with a worker running). */
  async audit(workflowId: string): Promise<RelinkProgress['audit']> {
    await this.ensureWorkers(1);
    for (let attempt = 0; attempt < 5; attempt++) {
      const p = await this.progress(workflowId, 10_000);
      if (p) return p.audit;
      await sleep(500);
    }
    throw new Error(`no progress for ${workflowId}`);
  }

  /** Waits for any workflow (a relink's follow-up) to close; its result, or undefined when it is still running. */
  async closedResult<T>(workflowId: string, timeoutMs: number): Promise<T | undefined> {
    const handle = this.client.workflow.getHandle(workflowId);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const d = await handle.describe().catch(() => undefined);
      if (d && d.status.name !== 'RUNNING') return (await handle.result()) as T;
      await sleep(500);
    }
    return undefined;
  }

  /** Barcodes the relink loaned (its own record), read from its final progress. */
  async loanedBarcodes(workflowId: string): Promise<string[]> {
    await this.ensureWorkers(1);
    for (let attempt = 0; attempt < 5; attempt++) {
      const p = await this.progress(workflowId, 10_000);
      if (p) return p.items.filter((i) => i.loanId).map((i) => i.barcode);
      await sleep(500);
    }
    throw new Error(`no progress for ${workflowId}`);
  }

  /** Ends a relink left running (a run that timed out), so it cannot act on the next run's Alma state. */
  async terminate(workflowId: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(workflowId).terminate('chaos run timed out');
    } catch {
      /* already closed */
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.running().map((w) => w.stop(5_000)));
    await this.connection.close().catch(() => undefined);
    await this.server.stop();
    await this.sim.close();
  }
}
