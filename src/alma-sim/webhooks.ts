// The simulator sends Alma's webhooks (issue 27) to a listener when one is configured (--webhook-url/--webhook-secret,
// or PUT /_sim/webhooks): the challenge first, then a signed message for each staff action it plays (the Lost click,
// a desk return, a desk loan, a staff edit of a user record, a SIS load), each request created through the API, and
// each job's end. Never for a change made through the API to a user (Alma sends no USER webhook for those).
//
// Documented by Ex Libris (Developer Network, "Webhooks", "Anatomy of a Webhook", "Supported Events"): the unsigned
// GET <url>?challenge=<text> whose answer echoes the text; a POST whose X-Exl-Signature is the base64 HMAC-SHA256 of
// the body with the profile's secret; the message's id, action (LOAN, USER, REQUEST, JOB_END), time and one
// action-specific object (job_instance); `event` naming the specific event; a 5xx answer retried after 1, 3 and
// 6 hours (here on a short schedule, `retryDelaysMs`), a 4xx not retried. [INFERRED] (public listeners, the payload
// types' names): `event` and `institution` as { value, desc }, the object keys item_loan, webhook_user (the record
// under `user`) and user_request, the codes LOAN_LOST, USER_UPDATED and REQUEST_CREATED, the job names.
import { createHmac, randomBytes } from 'node:crypto';
import { seededRandom, type Random } from './prng';
import { clone, isoSeconds } from './store';

export interface SimWebhookSettings {
  /** The listener URL of the Webhooks integration profile. */
  url: string;
  secret: string;
  /** Waits before each retry of a message answered 5xx (or not answered): Alma's 1, 3, 6 hours, made short. */
  retryDelaysMs?: number[];
  /** The share of messages never sent (0 to 1, drawn from `seed`): the relink's fallback polls must still work. */
  dropRate?: number;
  /** The next N messages are never sent (a plain count, for a test that must know which). */
  dropNext?: number;
  /** Each message waits this long before it is first sent. */
  delayMs?: number;
  /** Seeds the drop draws; default 1. */
  seed?: number;
}

export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS = [500, 1500, 3000];
/** [INFERRED] The institution code the simulated Alma names in each message. */
export const SIM_INSTITUTION = 'SIM_INST';

export type WebhookAction = 'LOAN' | 'USER' | 'REQUEST' | 'JOB_END';

/** One message and what became of it. */
export interface SentWebhook {
  id: string;
  action: WebhookAction;
  event?: string;
  /** The HTTP status of each attempt (0: no answer). */
  attempts: number[];
  state: 'pending' | 'delivered' | 'refused' | 'dropped' | 'gave-up';
}

export interface ChallengeResult {
  ok: boolean;
  status: number;
  /** What the listener echoed, if it did. */
  echoed?: string;
}

const EVENT_DESC: Record<string, string> = {
  LOAN_CREATED: 'Loan created',
  LOAN_RETURNED: 'Loan returned',
  LOAN_LOST: 'Loan declared lost',
  USER_UPDATED: 'User updated',
  REQUEST_CREATED: 'Request created',
};

type ActiveSettings = Required<SimWebhookSettings>;

export class SimWebhooks {
  #settings?: ActiveSettings;
  #random: Random = seededRandom(1);
  #sent: SentWebhook[] = [];
  readonly #pending = new Set<Promise<void>>();
  #serial = 0;
  lastChallenge?: ChallengeResult;

  constructor(private readonly sleep: (ms: number) => Promise<void>) {}

  /** Configures (or, with none, stops) the sending; a new listener is challenged first, as Alma does. */
  async configure(settings: SimWebhookSettings | undefined): Promise<ChallengeResult | undefined> {
    if (!settings) {
      this.#settings = undefined;
      return undefined;
    }
    const problems = settingsProblems(settings);
    if (problems.length) throw new WebhookSettingsError(problems.join('; '));
    this.#settings = {
      url: settings.url,
      secret: settings.secret,
      retryDelaysMs: settings.retryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS,
      dropRate: settings.dropRate ?? 0,
      dropNext: settings.dropNext ?? 0,
      delayMs: settings.delayMs ?? 0,
      seed: settings.seed ?? 1,
    };
    this.#random = seededRandom(this.#settings.seed);
    this.lastChallenge = await this.challenge();
    return this.lastChallenge;
  }

  /** The settings in force, the secret left out. */
  settings(): Omit<SimWebhookSettings, 'secret'> | undefined {
    if (!this.#settings) return undefined;
    const { secret: _secret, ...rest } = this.#settings;
    return rest;
  }

  /** Alma's challenge: GET <url>?challenge=<random text>, passed when the answer echoes the text. */
  async challenge(): Promise<ChallengeResult> {
    const s = this.#settings;
    if (!s) throw new WebhookSettingsError('no webhook listener is configured');
    const text = randomBytes(12).toString('hex');
    const url = new URL(s.url);
    url.searchParams.set('challenge', text);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json().catch(() => ({}))) as { challenge?: unknown };
      const echoed = typeof body.challenge === 'string' ? body.challenge : undefined;
      return { ok: res.ok && echoed === text, status: res.status, ...(echoed !== undefined ? { echoed } : {}) };
    } catch {
      return { ok: false, status: 0 };
    }
  }

  /** A message for the listener, if one is configured; sent in the background, retried on a 5xx. */
  emit(action: WebhookAction, event: string | undefined, key: string, payload: unknown, now: Date): void {
    const s = this.#settings;
    if (!s) return;
    this.#serial += 1;
    // Alma's ids are long digit strings; unique within this simulator run.
    const id = `${Date.now()}${String(this.#serial).padStart(6, '0')}`;
    const message = {
      id,
      action,
      institution: { value: SIM_INSTITUTION, desc: 'Simulated institution' },
      time: isoSeconds(now),
      ...(event ? { event: { value: event, desc: EVENT_DESC[event] ?? event } } : {}),
      [key]: clone(payload),
    };
    const record: SentWebhook = { id, action, ...(event ? { event } : {}), attempts: [], state: 'pending' };
    this.#sent.push(record);
    if (s.dropNext > 0 || (s.dropRate > 0 && this.#random() < s.dropRate)) {
      if (s.dropNext > 0) s.dropNext -= 1;
      record.state = 'dropped';
      return;
    }
    const sending = this.#deliver(s, JSON.stringify(message), record).finally(() => this.#pending.delete(sending));
    this.#pending.add(sending);
  }

  /** The first send after `delayMs`, then a retry after each of `retryDelaysMs` while the answer is a 5xx or none. */
  async #deliver(s: ActiveSettings, body: string, record: SentWebhook): Promise<void> {
    if (s.delayMs > 0) await this.sleep(s.delayMs);
    const signature = signBody(body, s.secret);
    for (let attempt = 0; ; attempt += 1) {
      let status = 0;
      try {
        const res = await fetch(s.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-exl-signature': signature },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch {
        status = 0;
      }
      record.attempts.push(status);
      if (status >= 200 && status < 300) {
        record.state = 'delivered';
        return;
      }
      if (status >= 400 && status < 500) {
        record.state = 'refused';
        return;
      }
      const wait = s.retryDelaysMs[attempt];
      if (wait === undefined || this.#settings !== s) {
        record.state = 'gave-up';
        return;
      }
      await this.sleep(wait);
    }
  }

  /** Every message sent or dropped since the last clear, oldest first. */
  sent(): SentWebhook[] {
    return clone(this.#sent);
  }

  /** Resolves once no message is waiting to be sent or retried. */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  clear(): void {
    this.#sent = [];
  }
}

export class WebhookSettingsError extends Error {}

function settingsProblems(s: SimWebhookSettings): string[] {
  const problems: string[] = [];
  try {
    const url = new URL(s.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('url must be http(s)');
  } catch {
    problems.push('url must be a URL');
  }
  if (typeof s.secret !== 'string' || s.secret === '') problems.push('secret is required');
  const ms = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (s.retryDelaysMs !== undefined && !(Array.isArray(s.retryDelaysMs) && s.retryDelaysMs.every(ms)))
    problems.push('retryDelaysMs must be a list of milliseconds');
  if (s.dropRate !== undefined && !(ms(s.dropRate) && s.dropRate <= 1)) problems.push('dropRate must be 0 to 1');
  if (s.dropNext !== undefined && !(Number.isInteger(s.dropNext) && s.dropNext >= 0))
    problems.push('dropNext must be a count');
  if (s.delayMs !== undefined && !ms(s.delayMs)) problems.push('delayMs must be milliseconds');
  return problems;
}

export const signBody = (body: string, secret: string): string =>
  createHmac('sha256', secret).update(body).digest('base64');
