// Container health checks (docker compose `healthcheck:`), run as `node src/health.js <check>`:
//   worker      — this container's worker polls its task queue: Temporal lists a poller with this host's identity
//                 (the SDK's default identity is pid@hostname) seen within the last two minutes;
//   http <url>  — the URL answers 2xx (the codec server's /health, the simulator).
// Exit 0 healthy, 1 not, with one line saying why.
import { hostname } from 'node:os';
import { connectClosable } from './temporal-client-connection';
import { temporal as proto } from '@temporalio/proto';
import { loadSettings, temporalConnectionOptions, type TemporalSettings } from './config';
import { lastPolledMs, POLLER_FRESH_MS } from './rate-slots';

/** Whether a worker on this host polls the relink task queue; the reason when not. */
export async function workerHealth(
  temporal: TemporalSettings,
  host = hostname(),
): Promise<{ healthy: boolean; reason: string }> {
  const connection = await connectClosable({ ...temporalConnectionOptions(temporal), connectTimeout: '5 seconds' });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: temporal.TEMPORAL_NAMESPACE,
      taskQueue: { name: temporal.RELINK_TASK_QUEUE },
      taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const mine = (pollers ?? []).filter((p) => p.identity?.endsWith(`@${host}`));
    const lastSeen = Math.max(0, ...mine.map(lastPolledMs));
    if (mine.length === 0) {
      return { healthy: false, reason: `no worker on ${host} polls task queue ${temporal.RELINK_TASK_QUEUE}` };
    }
    if (Date.now() - lastSeen > POLLER_FRESH_MS) {
      return { healthy: false, reason: `the worker on ${host} last polled ${new Date(lastSeen).toISOString()}` };
    }
    return { healthy: true, reason: `worker on ${host} polls ${temporal.RELINK_TASK_QUEUE}` };
  } finally {
    await connection.close();
  }
}

async function run(argv: string[]): Promise<boolean> {
  const [check, url] = argv;
  if (check === 'worker') {
    const result = await workerHealth(loadSettings(['temporal']).temporal);
    console.log(result.reason);
    return result.healthy;
  }
  if (check === 'http' && url) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    console.log(`${url}: ${res.status}`);
    return res.ok;
  }
  console.error('usage: node src/health.js worker | http <url>');
  return false;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (healthy) => process.exit(healthy ? 0 : 1),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
