// What an operator watches of the listener: counters on the Prometheus endpoint of the process's Temporal Runtime
// (RELINK_WEBHOOK_METRICS_ADDRESS, as the worker's RELINK_METRICS_ADDRESS), and the same figures with the last
// challenge and message times on the listener's /health (not proxied), for relink doctor and the tests.
import type { MetricCounter, MetricMeter } from '@temporalio/common';

export type Figure = 'received' | 'refused' | 'passedOn' | 'ignored' | 'failed';

export interface WebhookStatus {
  counts: Record<Figure, number>;
  /** By reason (refused, ignored) or kind (passed on). */
  detail: Record<string, number>;
  lastChallengeAt?: string;
  lastMessageAt?: string;
}

const COUNTERS: Record<Figure, [string, string]> = {
  received: ['relink_webhook_messages_received', 'Webhook messages received from Alma (POST), before any check'],
  refused: ['relink_webhook_messages_refused', 'Webhook messages refused, by reason (signature 401, invalid 400)'],
  passedOn: ['relink_webhook_messages_passed_on', 'Webhook messages passed on to Temporal, by kind'],
  ignored: ['relink_webhook_messages_ignored', 'Webhook messages answered 200 and not passed on, by reason'],
  failed: ['relink_webhook_messages_failed', 'Webhook messages answered 503 because Temporal did not accept them'],
};

export class WebhookMetrics {
  readonly #counters?: Record<Figure, MetricCounter>;
  readonly #status: WebhookStatus = {
    counts: { received: 0, refused: 0, passedOn: 0, ignored: 0, failed: 0 },
    detail: {},
  };

  constructor(meter?: MetricMeter) {
    if (meter) {
      this.#counters = Object.fromEntries(
        Object.entries(COUNTERS).map(([figure, [name, help]]) => [figure, meter.createCounter(name, '', help)]),
      ) as Record<Figure, MetricCounter>;
    }
  }

  count(figure: Figure, tag?: { reason: string } | { kind: string }): void {
    this.#status.counts[figure] += 1;
    if (tag) {
      const key = `${figure}:${Object.values(tag)[0]}`;
      this.#status.detail[key] = (this.#status.detail[key] ?? 0) + 1;
    }
    this.#counters?.[figure].add(1, tag ?? {});
  }

  challenged(at: Date): void {
    this.#status.lastChallengeAt = at.toISOString();
  }

  messaged(at: Date): void {
    this.#status.lastMessageAt = at.toISOString();
  }

  status(): WebhookStatus {
    return structuredClone(this.#status);
  }
}
