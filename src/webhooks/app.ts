// The listener's HTTP side: Alma's challenge (GET), its signed messages (POST) on one path, and /health for the
// operator. A message is answered 200 once it was passed on, or found a repeat, or found of no concern to a relink;
// 401 when its signature does not match (nothing done); 400 when it is not a webhook message (Alma does not retry a
// 4xx); 503 when Temporal did not accept it, so that Alma retries (after 1, 3 and 6 hours).
import express, { type Express, type Request, type Response } from 'express';
import type { Logger } from '@temporalio/common';
import { almaWebhookMessage } from './alma-message';
import type { Delivery } from './deliver';
import type { WebhookMetrics } from './metrics';
import type { RecentIds } from './recent-ids';
import { route, type Target } from './route';
import { SIGNATURE_HEADER, signatureMatches } from './signature';
import type { AlmaEvent } from '../contract';

export const WEBHOOK_PATH = '/alma/webhooks';

export interface WebhookAppOptions {
  secret: string;
  passer: { pass(target: Target, event: AlmaEvent): Promise<Delivery> };
  recent: RecentIds;
  metrics: WebhookMetrics;
  log: Logger;
  now?: () => Date;
}

type Answer = { status: number; body: Record<string, unknown> };

export function createWebhookApp(options: WebhookAppOptions): Express {
  const { secret, passer, recent, metrics, log } = options;
  const now = options.now ?? (() => new Date());
  /** Messages being passed on: a second copy arriving meanwhile waits for the first's answer. */
  const inFlight = new Map<string, Promise<Answer>>();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => void res.json({ ok: true, ...metrics.status() }));

  // Alma's challenge is not signed (Developer Network): anyone may have the text echoed, which tells them nothing.
  app.get(WEBHOOK_PATH, (req, res) => {
    const challenge = req.query.challenge;
    if (typeof challenge !== 'string' || challenge === '') {
      res.status(400).json({ error: 'expected ?challenge=<text>' });
      return;
    }
    metrics.challenged(now());
    log.info('Alma challenged the webhook listener');
    res.json({ challenge });
  });

  app.post(
    WEBHOOK_PATH,
    // The raw bytes: the signature is over the body exactly as sent. Alma's messages are small; 1 MB is ample.
    express.raw({ type: () => true, limit: '1mb' }),
    async (req: Request, res: Response) => {
      metrics.count('received');
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!signatureMatches(body, secret, req.get(SIGNATURE_HEADER))) {
        metrics.count('refused', { reason: 'signature' });
        log.warn('Webhook message refused: its signature does not match the secret', { from: req.ip });
        res.status(401).json({ error: 'signature does not match' });
        return;
      }
      let parsed;
      try {
        parsed = almaWebhookMessage.safeParse(JSON.parse(body.toString('utf8')));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        metrics.count('refused', { reason: 'invalid' });
        log.warn('Webhook message refused: not a JSON webhook message', {
          problems: parsed?.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? ['not JSON'],
        });
        res.status(400).json({ error: 'not a webhook message (JSON, with id and action)' });
        return;
      }
      const message = parsed.data;
      metrics.messaged(now());
      let answer = inFlight.get(message.id);
      if (!answer) {
        answer = handle(message).finally(() => inFlight.delete(message.id));
        inFlight.set(message.id, answer);
      }
      const { status, body: json } = await answer;
      res.status(status).json(json);
    },
  );

  async function handle(message: typeof almaWebhookMessage._output): Promise<Answer> {
    const ids = { messageId: message.id, action: message.action, event: message.event?.value };
    if (recent.has(message.id)) {
      metrics.count('ignored', { reason: 'repeat' });
      log.info('Webhook message already handled: not passed on again', ids);
      return { status: 200, body: { ok: true, repeat: true } };
    }
    const routing = route(message, now());
    if (!routing.pass) {
      recent.add(message.id);
      metrics.count('ignored', { reason: routing.reason });
      log.info(`Webhook message ignored (${routing.reason})`, ids);
      return { status: 200, body: { ok: true, ignored: routing.reason } };
    }
    try {
      const { signalled } = await passer.pass(routing.target, routing.event);
      recent.add(message.id);
      metrics.count('passedOn', { kind: routing.event.kind });
      log.info('Webhook message passed on', { ...ids, kind: routing.event.kind, signalled });
      return { status: 200, body: { ok: true, signalled } };
    } catch (err) {
      metrics.count('failed');
      log.error('Webhook message not passed on: Temporal did not accept it (answered 503, Alma retries)', {
        ...ids,
        error: err,
      });
      return { status: 503, body: { error: 'Temporal did not accept the message; send it again later' } };
    }
  }

  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  // A body over the limit or unreadable: a 4xx of express's, said in JSON.
  app.use((err: { status?: number }, _req: Request, res: Response, _next: express.NextFunction) => {
    const status = typeof err.status === 'number' && err.status < 500 ? err.status : 500;
    if (status === 500) log.error('Webhook listener error', { error: err });
    res.status(status).json({ error: status === 413 ? 'message too large' : 'cannot read the message' });
  });
  return app;
}
