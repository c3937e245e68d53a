// Process control for the chaos runs: relink workers and the Temporal dev server as real OS processes that can be
// killed with SIGKILL at any moment and started again. Only processes started here are ever signalled, each by its
// own id (a worker by its own process group, because `tsx` runs the script in a child of its own).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { startDevServer, type DevServer } from '../src/dev/temporal-server';

export const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const WORKER_SCRIPT = path.join(ROOT, 'src', 'worker.ts');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every process group and pid started here and still alive, so an unexpected exit of the runner leaves none behind. */
const live = new Set<() => void>();
process.once('exit', () => {
  for (const kill of live) kill();
});

function alive(pidOrGroup: number): boolean {
  try {
    process.kill(pidOrGroup, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pidOrGroup: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pidOrGroup)) {
    if (Date.now() > deadline) throw new Error(`process ${pidOrGroup} still alive after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The environment of a child process: this one's, minus any relink or Alma setting a developer has exported. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|RELINK_|ALMA_)/.test(k)));
  return { ...env, NO_COLOR: '1', ...extra };
}

export interface WorkerSettings {
  temporalAddress: string;
  taskQueue: string;
  almaBaseUrl: string;
  almaApiKey: string;
  /** RELINK_CODEC_KEYS: the same key as the chaos client, so both read each other's payloads. */
  codecKeys: string;
  rateLimit?: number;
  /**
   * More of the worker's settings, as operators set them (ALMA_QUOTA_RECHECK…). Anything left out takes the
   * production default: ALMA_MIN_DAILY_REMAINING is never set here, so every chaos worker keeps the 5000-call floor.
   */
  env?: Record<string, string>;
  /** Where the worker's output goes (appended). */
  logFile: string;
  /** Working directory: one without a .env, so a developer's settings cannot leak in. */
  cwd: string;
}

/** A relink worker run exactly as in production: `tsx src/worker.ts` with its settings in the environment. */
export class WorkerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
    private readonly log: WriteStream,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(name: string, s: WorkerSettings, readyTimeoutMs = 60_000): Promise<WorkerProcess> {
    const log = createWriteStream(s.logFile, { flags: 'a' });
    log.write(`\n=== ${new Date().toISOString()} worker ${name} starting\n`);
    const child = spawn(TSX, [WORKER_SCRIPT], {
      cwd: s.cwd,
      // Its own process group: SIGKILL to the group takes tsx and the node process it runs at the same instant.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv({
        TEMPORAL_ADDRESS: s.temporalAddress,
        RELINK_TASK_QUEUE: s.taskQueue,
        ALMA_BASE_URL: s.almaBaseUrl,
        ALMA_API_KEY: s.almaApiKey,
        ALMA_RATE_LIMIT: String(s.rateLimit ?? 50),
        RELINK_CODEC_KEYS: s.codecKeys,
        ...s.env,
      }),
    });
    const worker = new WorkerProcess(child, name, log);
    const group = child.pid!;
    const killer = () => {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    live.add(killer);
    child.once('exit', () => live.delete(killer));
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${name} not ready in ${readyTimeoutMs} ms:\n${output.slice(-2000)}`)),
        readyTimeoutMs,
      );
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        if (output.length < 100_000) output += chunk.toString('utf8');
        if (/Relink worker polling task queue/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`worker ${name} exited (${signal ?? code}) before it was ready:\n${output.slice(-2000)}`));
      });
    });
    try {
      await ready;
    } catch (err) {
      await worker.kill9();
      throw err;
    }
    return worker;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9 of the whole worker (tsx and the node process running the worker), then wait until it is gone. */
  async kill9(): Promise<void> {
    const group = this.child.pid!;
    this.log.write(`=== ${new Date().toISOString()} worker ${this.name} killed with SIGKILL\n`);
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await waitGone(-group, 10_000);
    this.log.end();
  }

  /** A graceful stop (SIGTERM: the worker finishes in-flight tasks), SIGKILL after a grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    const group = this.child.pid!;
    if (!alive(-group)) return;
    try {
      process.kill(-group, 'SIGTERM');
      await waitGone(-group, graceMs);
      this.log.end();
    } catch {
      await this.kill9();
    }
  }
}

/** The Temporal dev server on a fixed port and SQLite file, so it can be stopped or killed and started again. */
export class TemporalServerProcess {
  private server?: DevServer;

  constructor(
    readonly dbFilename: string,
    readonly port: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = await startDevServer({
      dbFilename: this.dbFilename,
      port: this.port,
      stdio: 'ignore',
      log: () => undefined,
    });
    const pid = this.server.pid;
    if (!pid)
      throw new Error('the chaos runs need the Temporal CLI binary (npm run temporal-cli), not the SDK download');
    const killer = () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    live.add(killer);
    this.forget = () => live.delete(killer);
  }

  private forget = () => false as boolean;

  /** SIGTERM and wait: the server shuts down cleanly. */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.forget();
    this.server = undefined;
  }

  /** kill -9: no chance to flush or close the SQLite file. */
  async kill9(): Promise<void> {
    const pid = this.server?.pid;
    if (!pid) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await waitGone(pid, 10_000);
    this.forget();
    this.server = undefined;
  }
}
