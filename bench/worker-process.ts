// The relink worker in its own process, started exactly as an operator would (`src/worker.ts` with its
// environment), so its memory and CPU are measured apart from the simulator and the benchmark itself.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface WorkerProcessOptions {
  temporalAddress: string;
  taskQueue: string;
  almaBaseUrl: string;
  almaApiKey: string;
  /** ALMA_RATE_LIMIT: the client's own per-second limiter. */
  rateLimit: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  log: (line: string) => void;
}

export interface WorkerProcess {
  pid: number;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..');

// The worker's start-up chatter (the webpack summary of the workflow bundle, state changes) is not progress.
let inBlock = false;
function quiet(line: string): boolean {
  if (/\[(INFO|DEBUG|TRACE)\]/.test(line)) {
    inBlock = line.trimEnd().endsWith('{');
    return true;
  }
  if (inBlock) {
    if (line.startsWith('}')) inBlock = false;
    return true;
  }
  return /^(runtime modules|modules by path| {2}|\.\/|__temporal|webpack )/.test(line);
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', path.join('src', 'worker.ts')],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'pipe'],
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_NAMESPACE: 'default',
        RELINK_TASK_QUEUE: options.taskQueue,
        ALMA_BASE_URL: options.almaBaseUrl,
        ALMA_API_KEY: options.almaApiKey,
        ALMA_RATE_LIMIT: String(options.rateLimit),
        ALMA_MIN_DAILY_REMAINING: '0',
      },
    },
  );
  const ready = new Promise<void>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      if (!quiet(line)) options.log(`[worker] ${line}`);
      if (line.startsWith('Relink worker polling')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before polling`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await ready;
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
