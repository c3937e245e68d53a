// The relink worker: runs the workflow and its activities against Alma.
// `npm run worker` runs it alone against the Alma configured in the environment (or .env).
import type { DataConverter } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities';
import { AlmaClient, baseUrlFor } from './alma';
import { codecKeyRing, relinkDataConverter } from './codec';
import { isLoopback, loadSettings, temporalConnectionOptions } from './config';

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
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    activities: createActivities({ alma: options.alma }),
    ...(options.maxConcurrentActivityTaskExecutions
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }
      : {}),
  });
}

const { IndexedValueType } = proto.api.enums.v1;

/** The custom search attributes the relink sets, as the operator API names their types. */
export const RELINK_SEARCH_ATTRIBUTES: Record<string, proto.api.enums.v1.IndexedValueType> = {
  RelinkPatronId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  RelinkBarcodes: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  RelinkStep: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  RelinkAwaiting: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
};

/**
 * Registers the relink's search attributes in the namespace, adding only the missing ones, so a fresh cluster
 * needs no manual step. Where the worker may not (Temporal Cloud: attributes are added with tcld or the Cloud UI),
 * it checks they exist and says exactly what to add. Returns the names it added.
 */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const typeName = (t: number) => IndexedValueType[t]?.replace('INDEXED_VALUE_TYPE_', '') ?? String(t);
  let existing: Record<string, number>;
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    throw new Error(`Cannot list the search attributes of namespace "${namespace}": ${(err as Error).message}`);
  }
  const missing: Record<string, number> = {};
  for (const [name, type] of Object.entries(RELINK_SEARCH_ATTRIBUTES)) {
    if (existing[name] === undefined) missing[name] = type;
    else if (existing[name] !== type) {
      throw new Error(
        `Search attribute ${name} is registered in namespace "${namespace}" as ${typeName(existing[name])}, ` +
          `but the relink needs ${typeName(type)}. Remove it (temporal operator search-attribute remove) and restart.`,
      );
    }
  }
  const names = Object.keys(missing);
  if (names.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    const list = names.map((n) => `${n} (${typeName(missing[n]!)})`).join(', ');
    throw new Error(
      `Namespace "${namespace}" lacks the search attributes ${list}, and this worker may not add them ` +
        `(${(err as Error).message}). Add them as an administrator, e.g. temporal operator search-attribute create ` +
        `--namespace ${namespace} --name N --type T, or on Temporal Cloud with tcld / the Cloud UI.`,
    );
  }
  return names;
}

async function run(): Promise<void> {
  // Step 1: settings (the API key stays inside the Alma client; it is never printed).
  const { temporal, alma, codec } = loadSettings(['temporal', 'alma', 'codec']);
  const baseUrl = baseUrlFor({ baseUrl: alma.ALMA_BASE_URL, region: alma.ALMA_REGION });
  const keys = codecKeyRing(codec, {
    // The generated development key only for a dev server and the simulator on this machine.
    devKeyAllowed: isLoopback(temporal.TEMPORAL_ADDRESS) && isLoopback(baseUrl),
    requiredBecause: isLoopback(baseUrl)
      ? `the worker talks to the Temporal server at ${temporal.TEMPORAL_ADDRESS}`
      : `the worker talks to Alma at ${baseUrl}`,
    onDevKey: (file) => console.error(`Using the development payload key in ${file} (no RELINK_CODEC_KEYS set).`),
  });
  const client = new AlmaClient({
    baseUrl,
    apiKey: alma.ALMA_API_KEY,
    requestsPerSecond: alma.ALMA_RATE_LIMIT,
    minDailyRemaining: alma.ALMA_MIN_DAILY_REMAINING,
  });
  // Step 2: connect to Temporal (plain, mTLS or API key), and make sure the search attributes exist.
  const connection = await NativeConnection.connect(temporalConnectionOptions(temporal));
  try {
    if (temporal.RELINK_REGISTER_SEARCH_ATTRIBUTES) {
      const added = await ensureSearchAttributes(connection, temporal.TEMPORAL_NAMESPACE);
      if (added.length) console.error(`Registered search attributes: ${added.join(', ')}.`);
    }
    // Step 3: create the worker and run it until Ctrl-C.
    const worker = await createRelinkWorker({
      connection,
      namespace: temporal.TEMPORAL_NAMESPACE,
      taskQueue: temporal.RELINK_TASK_QUEUE,
      alma: client,
      dataConverter: relinkDataConverter(keys),
    });
    console.error(
      `Relink worker polling task queue "${temporal.RELINK_TASK_QUEUE}" on ${temporal.TEMPORAL_ADDRESS} ` +
        `(namespace ${temporal.TEMPORAL_NAMESPACE}; payloads encrypted with key "${keys.current.id}").`,
    );
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
