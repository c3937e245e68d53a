// The relink worker in its own process, started exactly as an operator would: the production build
// (`npm run build`, then `node dist/src/worker.js` with its environment, as the Docker image runs it), so its memory
// and CPU are measured apart from the simulator and the benchmark itself. `--worker tsx` runs the TypeScript
// sources instead, as `npm run worker` does in development.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../src/worker';

export interface WorkerProcessOptions {
  temporalAddress: string;
  taskQueue: string;
  almaBaseUrl: string;
  almaApiKey: string;
  /** ALMA_RATE_LIMIT: the client's own per-second limiter. */
  rateLimit: number;
  /** Payload keys (RELINK_CODEC_KEYS): the bench's client must read what the worker writes. */
  codecKeys: string;
  /** `compiled`: dist/src/worker.js with its prebuilt workflow bundle; `tsx`: the sources, bundled at start. */
  mode: 'compiled' | 'tsx';
  /** RELINK_WORKER_* tuning (config.ts), when not the defaults. */
  workerEnv?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  log: (line: string) => void;
}

export interface WorkerProcess {
  pid: number;
  /** The worker's "Relink worker polling …" line: the task queue, the workflow bundle and the heap limit. */
  startLine: string;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..');

// The worker's start-up chatter (the webpack summary of the workflow bundle, state changes) is not progress.
let inBlock = false;
function quiet(line: string): boolean {
  // The worker's own log lines are JSON (src/observability): its INFO and below are chatter too, but its start line.
  if (/^\{.*"level":"(info|debug|trace)"/.test(line))
    return !line.includes('Relink worker polling') && !line.includes('Alma calls in');
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

/** `npm run build`: the compiled code and the workflow bundle, built from the sources as they are now. */
export function buildWorker(log: (line: string) => void): void {
  const started = Date.now();
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  log(`built the worker (npm run build) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  // The compiled worker runs as the Docker image runs it, heap limits included; the tsx one as `npm run worker`.
  // Flags given to the bench come after these, so they override them (the last of a V8 flag wins).
  const args =
    options.mode === 'compiled'
      ? [...WORKER_NODE_FLAGS, ...(options.nodeArgs ?? []), path.join('dist', 'src', 'worker.js')]
      : [...(options.nodeArgs ?? []), '--import', 'tsx', path.join('src', 'worker.ts')];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      RELINK_TASK_QUEUE: options.taskQueue,
      ALMA_BASE_URL: options.almaBaseUrl,
      ALMA_API_KEY: options.almaApiKey,
      ALMA_RATE_LIMIT: String(options.rateLimit),
      RELINK_CODEC_KEYS: options.codecKeys,
      ...(options.mode === 'compiled' ? WORKER_ENV : {}),
      ...options.workerEnv,
    },
  });
  const ready = new Promise<string>((resolve, reject) => {
    // The worker's stdout (the SDK's own log lines) is not the bench's JSON: it joins the progress on stderr.
    child.stdout!.pipe(process.stderr);
    const lines = readline.createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      if (!quiet(line)) options.log(`[worker] ${line}`);
      if (line.includes('Relink worker polling')) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before polling`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const startLine = await ready;
  return {
    pid: child.pid!,
    startLine,
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
