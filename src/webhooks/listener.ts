// The webhook listener as one thing to start and stop: the HTTP server on its address, the dedupe window and the
// metrics, passing messages on through a Temporal client it is given (main.ts in production, the tests' own).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Logger, MetricMeter } from '@temporalio/common';
import { createWebhookApp, WEBHOOK_PATH } from './app';
import { TemporalPasser } from './deliver';
import { WebhookMetrics } from './metrics';
import { RecentIds } from './recent-ids';
import type { WebhookSettings } from './settings';

export interface WebhookListener {
  /** e.g. http://127.0.0.1:8091/alma/webhooks: the listener URL of Alma's integration profile, behind the proxy. */
  readonly url: string;
  readonly port: number;
  readonly metrics: WebhookMetrics;
  close(): Promise<void>;
}

export async function startWebhookListener(options: {
  settings: WebhookSettings;
  client: Client;
  log: Logger;
  meter?: MetricMeter;
}): Promise<WebhookListener> {
  const { settings, client, log } = options;
  const metrics = new WebhookMetrics(options.meter);
  const app = createWebhookApp({
    secret: settings.ALMA_WEBHOOK_SECRET,
    passer: new TemporalPasser(client, settings.RELINK_WEBHOOK_TEMPORAL_TIMEOUT),
    recent: new RecentIds(settings.RELINK_WEBHOOK_DEDUPE_MAX, settings.RELINK_WEBHOOK_DEDUPE_WINDOW),
    metrics,
    log,
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.RELINK_WEBHOOK_PORT, settings.RELINK_WEBHOOK_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.RELINK_WEBHOOK_HOST.includes(':')
    ? `[${settings.RELINK_WEBHOOK_HOST}]`
    : settings.RELINK_WEBHOOK_HOST;
  return {
    url: `http://${host}:${port}${WEBHOOK_PATH}`,
    port,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
