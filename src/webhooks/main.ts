// `npm run webhooks`: the listener for Alma's webhooks (issue 27), beside the worker (same image, its own process).
// It needs the Temporal settings, the codec key (the signals it sends are encrypted like every payload) and Alma's
// webhook secret; never the Alma API key. Temporal may be away at start: the connection is made at the first
// message, which is answered 503 (Alma retries) until Temporal answers.
import { Client } from '@temporalio/client';
import { lazyClosable } from '../temporal-client-connection';
import { clientDataConverter } from '../codec';
import { loadSettings, temporalConnectionOptions } from '../config';
import { closeOnSignals, runMain } from '../entry-point';
import { installWorkerRuntime, JsonLogger } from '../observability';
import { startWebhookListener } from './listener';
import { loadWebhookSettings } from './settings';

runMain(async () => {
  const { temporal } = loadSettings(['temporal', 'codec']);
  const settings = loadWebhookSettings();
  const log = new JsonLogger('INFO');
  const runtime = installWorkerRuntime({
    logLevel: 'INFO',
    metricsAddress: settings.RELINK_WEBHOOK_METRICS_ADDRESS,
    logger: log,
  });
  const connection = lazyClosable(temporalConnectionOptions(temporal));
  const client = new Client({
    connection,
    namespace: temporal.TEMPORAL_NAMESPACE,
    dataConverter: clientDataConverter(temporal.TEMPORAL_ADDRESS),
  });
  const listener = await startWebhookListener({ settings, client, log, meter: runtime.metricMeter });
  console.log(
    `Alma webhook listener on ${listener.url} (Temporal ${temporal.TEMPORAL_ADDRESS}; metrics ` +
      `${settings.RELINK_WEBHOOK_METRICS_ADDRESS ? `on http://${settings.RELINK_WEBHOOK_METRICS_ADDRESS}/metrics` : 'off'})`,
  );
  closeOnSignals(async () => {
    await listener.close();
    await connection.close();
  });
});
