// The relink worker: runs the workflow and its activities against Alma.
// `npm run worker` runs it alone against the Alma configured in the environment (or .env).
import { getHeapStatistics } from 'node:v8';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, gateFor } from './activities';
import { AlmaClient, baseUrlFor } from './alma';
import { codecKeyRing, relinkDataConverter } from './codec';
import { isLoopback, loadSettings, temporalConnectionOptions, workerRateShare, type WorkerSettings } from './config';
import { runMain } from './entry-point';
import { ensureSearchAttributes } from './namespace-setup';
import { installWorkerRuntime, RelinkGauges } from './observability';
import { RateSlots } from './rate-slots';
import { prebuiltWorkflowBundle } from './workflow-bundle';

export interface RelinkWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  alma: AlmaClient;
  /**
   * The payload codec (relinkDataConverter): every real worker passes one, or the patron's email addresses reach
   * the Temporal server in clear text. Omitted only by tests that look at raw payloads on purpose.
   */
  dataConverter?: DataConverter;
  /**
   * A prebuilt workflow bundle: the one `npm run build` wrote (see workflow-bundle.ts), or one shared by tests.
   * Without it the worker bundles the workflow sources at start, which takes seconds and ~100 MB.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Slots and cache size (config.ts, RELINK_WORKER_*); the defaults there suit a few hundred open relinks. */
  tuning?: Partial<WorkerTuning>;
  /** How long a stopping worker lets the steps in flight end (RELINK_SHUTDOWN_GRACE); the SDK's default is none. */
  shutdownGraceMs?: number;
  /** The institution's time zone (ALMA_TIME_ZONE): a quiet period "next HH:MM" ends at that time there. Default UTC. */
  timeZone?: string;
  /** The loan process status code that means Lost (ALMA_LOST_PROCESS_STATUS); unset: LOST or LOST_LOAN. */
  lostProcessStatus?: string;
}

/**
 * How a production worker process runs (Dockerfile, docker-compose.yml, the benchmark). Left alone, V8 lets each of
 * the worker's two heaps (activities and the Alma client; the workflow sandbox thread) grow towards a limit derived
 * from the machine's memory, collecting late, and glibc gives each of the Rust core's threads its own malloc arena.
 * At 200 relinks in flight, peak RSS was 350-430 MB without these and ~250 MB with them (docs/performance.md).
 * The live heaps hold ~50-80 MB and ~30 MB, so 128 MB leaves room for RELINK_WORKER_CACHED_WORKFLOWS up to ~800
 * (~0.1 MB each); raise --max-old-space-size with it.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=4'] as const;
export const WORKER_ENV = { MALLOC_ARENA_MAX: '2' } as const;

export interface WorkerTuning {
  maxActivities: number;
  maxWorkflowTasks: number;
  cachedWorkflows: number;
}

export function workerTuning(settings: WorkerSettings): WorkerTuning {
  return {
    maxActivities: settings.RELINK_WORKER_MAX_ACTIVITIES,
    maxWorkflowTasks: settings.RELINK_WORKER_MAX_WORKFLOW_TASKS,
    cachedWorkflows: settings.RELINK_WORKER_CACHED_WORKFLOWS,
  };
}

export function createRelinkWorker(options: RelinkWorkerOptions): Promise<Worker> {
  const tuning = options.tuning ?? {};
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    // A bounded number of relinks between swap and loan on this worker, for its share of the rate (issue 17).
    activities: createActivities({
      alma: options.alma,
      swapGate: gateFor(options.alma.requestsPerSecond),
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      ...(options.lostProcessStatus ? { lostProcessStatus: options.lostProcessStatus } : {}),
    }),
    ...(options.shutdownGraceMs !== undefined ? { shutdownGraceTime: options.shutdownGraceMs } : {}),
    ...(tuning.maxActivities ? { maxConcurrentActivityTaskExecutions: tuning.maxActivities } : {}),
    ...(tuning.cachedWorkflows ? { maxCachedWorkflows: tuning.cachedWorkflows } : {}),
    // The SDK refuses more concurrent workflow tasks than cached workflows.
    ...(tuning.maxWorkflowTasks
      ? { maxConcurrentWorkflowTaskExecutions: Math.min(tuning.maxWorkflowTasks, tuning.cachedWorkflows ?? Infinity) }
      : {}),
  });
}

async function run(): Promise<void> {
  // Step 1: settings (the API key stays inside the Alma client; it is never printed), then the runtime: JSON log
  // lines and the Prometheus endpoint, installed before the first connection.
  const { temporal, alma, codec, worker: workerSettings } = loadSettings(['temporal', 'alma', 'codec', 'worker']);
  const runtime = installWorkerRuntime({
    logLevel: workerSettings.RELINK_LOG_LEVEL,
    metricsAddress: workerSettings.RELINK_METRICS_ADDRESS,
  });
  const log = runtime.logger;
  const baseUrl = baseUrlFor({ baseUrl: alma.ALMA_BASE_URL, region: alma.ALMA_REGION });
  const keys = codecKeyRing(codec, {
    // The generated development key only for a dev server and the simulator on this machine.
    devKeyAllowed: isLoopback(temporal.TEMPORAL_ADDRESS) && isLoopback(baseUrl),
    requiredBecause: isLoopback(baseUrl)
      ? `the worker talks to the Temporal server at ${temporal.TEMPORAL_ADDRESS}`
      : `the worker talks to Alma at ${baseUrl}`,
    onDevKey: (file) => log.warn(`Using the development payload key in ${file} (no RELINK_CODEC_KEYS set).`),
  });
  const client = new AlmaClient({
    baseUrl,
    apiKey: alma.ALMA_API_KEY,
    requestsPerSecond: workerRateShare(alma),
    minDailyRemaining: alma.ALMA_MIN_DAILY_REMAINING,
    quotaRecheckMs: alma.ALMA_QUOTA_RECHECK,
    timeZone: alma.ALMA_TIME_ZONE,
  });
  // Step 2: connect to Temporal (plain, mTLS or API key), and make sure the search attributes exist.
  const connection = await NativeConnection.connect(temporalConnectionOptions(temporal));
  let gauges: RelinkGauges | undefined;
  let slots: RateSlots | undefined;
  try {
    if (temporal.RELINK_REGISTER_SEARCH_ATTRIBUTES) {
      const added = await ensureSearchAttributes(connection, temporal.TEMPORAL_NAMESPACE);
      if (added.length) log.info(`Registered search attributes: ${added.join(', ')}.`);
    }
    // Step 3: create the worker and run it until SIGTERM or Ctrl-C, which let the steps in flight end first.
    const workflowBundle = workerSettings.RELINK_WORKFLOW_BUNDLE
      ? { codePath: workerSettings.RELINK_WORKFLOW_BUNDLE }
      : prebuiltWorkflowBundle();
    const worker = await createRelinkWorker({
      connection,
      namespace: temporal.TEMPORAL_NAMESPACE,
      taskQueue: temporal.RELINK_TASK_QUEUE,
      alma: client,
      dataConverter: relinkDataConverter(keys),
      workflowBundle,
      tuning: workerTuning(workerSettings),
      shutdownGraceMs: workerSettings.RELINK_SHUTDOWN_GRACE,
      timeZone: alma.ALMA_TIME_ZONE,
      lostProcessStatus: alma.ALMA_LOST_PROCESS_STATUS,
    });
    // Several workers share one Alma limit: each takes its slot of the shared grid, learnt from the task queue.
    if (alma.ALMA_RATE_LIMIT_WORKERS > 1) {
      slots = new RateSlots({
        connection,
        namespace: temporal.TEMPORAL_NAMESPACE,
        taskQueue: temporal.RELINK_TASK_QUEUE,
        identity: worker.options.identity,
        slots: alma.ALMA_RATE_LIMIT_WORKERS,
        align: (slot) => client.alignRate(slot),
        info: (message) => log.info(message),
        warn: (message) => log.warn(message),
      });
      slots.start();
    }
    if (workerSettings.RELINK_METRICS_ADDRESS) {
      gauges = new RelinkGauges({
        connection,
        namespace: temporal.TEMPORAL_NAMESPACE,
        meter: runtime.metricMeter,
        intervalMs: workerSettings.RELINK_METRICS_INTERVAL,
        onError: (err) => log.warn('Could not count the relinks for the gauges', { error: err }),
      });
      gauges.start();
    }
    log.info(
      `Relink worker polling task queue "${temporal.RELINK_TASK_QUEUE}" on ${temporal.TEMPORAL_ADDRESS} ` +
        `(namespace ${temporal.TEMPORAL_NAMESPACE}; payloads encrypted with key "${keys.current.id}"; ` +
        `workflows ${workflowBundle ? `from ${workflowBundle.codePath}` : 'bundled from the sources'}; ` +
        `heap limit ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MB; ` +
        `metrics ${workerSettings.RELINK_METRICS_ADDRESS ? `on http://${workerSettings.RELINK_METRICS_ADDRESS}/metrics` : 'off'}; ` +
        `shutdown grace ${workerSettings.RELINK_SHUTDOWN_GRACE / 1000} s).`,
    );
    await worker.run();
    log.info('Relink worker stopped.');
  } finally {
    await gauges?.stop();
    await slots?.stop();
    await connection.close();
  }
}

if (require.main === module) {
  runMain(run);
}
