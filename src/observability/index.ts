// What an operator watches: the worker's JSON log lines (scrubbed of personal data), its Prometheus endpoint and
// the relink gauges.
export { JsonLogger, LOG_LEVELS } from './json-logger';
export { scrubText, scrubValue } from './personal-data';
export { RelinkGauges, gaugeQueries, OVERDUE_KIND, type GaugeQuery } from './relink-gauges';
export { installWorkerRuntime, type WorkerRuntimeOptions } from './runtime';
