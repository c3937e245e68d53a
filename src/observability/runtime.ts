// The worker process's Temporal Runtime: JSON log lines (json-logger.ts) for the SDK, the workflows, the activities
// and the Rust core alike, and the SDK's Prometheus endpoint, on which the relink gauges are published too.
// Runtime.install may run once per process, before the first connection.
import { Runtime } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';
import { JsonLogger } from './json-logger';

export interface WorkerRuntimeOptions {
  logLevel: LogLevel;
  /** host:port of the Prometheus endpoint (/metrics); none without it. */
  metricsAddress?: string;
  /** Where log lines go; stderr by default (tests pass a stream). */
  logger?: JsonLogger;
}

export function installWorkerRuntime(options: WorkerRuntimeOptions): Runtime {
  const logger = options.logger ?? new JsonLogger(options.logLevel);
  return Runtime.install({
    logger,
    telemetryOptions: {
      // The core's own lines go through the same logger, so they are JSON and scrubbed too.
      logging: { forward: {}, filter: { core: options.logLevel === 'TRACE' ? 'DEBUG' : 'WARN', other: 'ERROR' } },
      ...(options.metricsAddress ? { metrics: { prometheus: { bindAddress: options.metricsAddress } } } : {}),
    },
  });
}
