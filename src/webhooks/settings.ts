// The listener's own settings, checked at start with the same message shape as the rest (ConfigError). It needs the
// Temporal settings and the codec key (loadSettings), and Alma's webhook secret; never the Alma API key.
import { z } from 'zod';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { ConfigError } from '../config';
import { withSecretFiles } from '../secret-files';

const durationMs = (example: string) =>
  z.string().transform((text, ctx) => {
    try {
      return msToNumber(text as Duration);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a duration like "${example}"` });
      return z.NEVER;
    }
  });

const webhookSchema = z.object({
  RELINK_WEBHOOK_HOST: z.string().min(1).default('127.0.0.1'),
  RELINK_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
  /** The secret of Alma's Webhooks integration profile (or ALMA_WEBHOOK_SECRET_FILE). */
  ALMA_WEBHOOK_SECRET: z
    .string({ message: "is required (the secret of Alma's Webhooks integration profile)" })
    .min(16, 'must have at least 16 characters (generate one: openssl rand -base64 32)'),
  /**
   * The dedupe window: message ids remembered, and for how long. Alma retries a message over 10 hours (1, 3, 6);
   * 12 hours covers that, and 10,000 ids (under 1 MB) a busy institution's half day of loan and user events.
   */
  RELINK_WEBHOOK_DEDUPE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  RELINK_WEBHOOK_DEDUPE_WINDOW: durationMs('12 hours').prefault('12 hours'),
  /** How long one message may wait on Temporal before it is answered 503. */
  RELINK_WEBHOOK_TEMPORAL_TIMEOUT: durationMs('10 seconds')
    .pipe(z.number().min(1000, 'must be at least 1 second'))
    .prefault('10 seconds'),
  /** host:port of the listener's Prometheus endpoint (/metrics); unset: none. */
  RELINK_WEBHOOK_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-f:]+\]|[^\s:]+):\d+$/i, 'must be host:port, e.g. 0.0.0.0:9465')
    .optional(),
});

export type WebhookSettings = z.infer<typeof webhookSchema>;

export function loadWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  let input: NodeJS.ProcessEnv;
  try {
    input = withSecretFiles(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  const parsed = webhookSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return parsed.data;
}
