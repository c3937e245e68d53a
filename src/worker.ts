// The relink worker: runs the workflow and its activities against Alma.
// `npm run worker` runs it alone against the Alma configured in the environment (or .env).
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { AlmaClient, baseUrlFor } from './alma';
import { loadSettings } from './config';

export interface RelinkWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  alma: AlmaClient;
  /** Reuse one workflow bundle across workers (tests, benchmarks): bundling takes seconds. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
}

export function createRelinkWorker(options: RelinkWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities({ alma: options.alma }),
    ...(options.maxConcurrentActivityTaskExecutions
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }
      : {}),
  });
}

async function run(): Promise<void> {
  // Step 1: settings (the API key stays inside the Alma client; it is never printed).
  const { temporal, alma } = loadSettings(['temporal', 'alma']);
  const client = new AlmaClient({
    baseUrl: baseUrlFor({ baseUrl: alma.ALMA_BASE_URL, region: alma.ALMA_REGION }),
    apiKey: alma.ALMA_API_KEY,
    requestsPerSecond: alma.ALMA_RATE_LIMIT,
    minDailyRemaining: alma.ALMA_MIN_DAILY_REMAINING,
  });
  // Step 2: connect to Temporal.
  const connection = await NativeConnection.connect({ address: temporal.TEMPORAL_ADDRESS });
  try {
    // Step 3: create the worker and run it until Ctrl-C.
    const worker = await createRelinkWorker({
      connection,
      namespace: temporal.TEMPORAL_NAMESPACE,
      taskQueue: temporal.RELINK_TASK_QUEUE,
      alma: client,
    });
    console.error(`Relink worker polling task queue "${temporal.RELINK_TASK_QUEUE}" on ${temporal.TEMPORAL_ADDRESS}.`);
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  run().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
