// How the Alma client talks to Alma: one HTTP exchange per call, under the per-second limiter and the daily-quota
// floor, retried only where a replay is safe, and every answer checked before a caller sees it. What to call lives in
// client.ts. Rules kept here: the API key travels only in the Authorization header and never appears in errors or
// logs; a write (PUT, POST, DELETE) goes out once per call: one whose answer was lost may have been applied, and a
// replay inside the step could land after the step's next attempt has read Alma (the caller's retry reads first).
// The one exception is Alma's per-second threshold (429 PER_SECOND_THRESHOLD): the gateway refuses such a call before
// it is processed, so the write is sent again after a short pause rather than costing the whole step a retry.
// A GET is retried a little on transient errors.
//
// The pieces: line.ts, what a client and its views share (settings, key, sockets, limiter, quota reading, counters);
// bounds.ts, how a call fits inside a Temporal step's deadline and cancel; answers.ts, what an answer or a failure
// becomes. This module sends and retries, and makes the views.
import type { z } from 'zod';
import {
  almaError,
  decodeAnswer,
  httpError,
  invalidAnswer,
  transportError,
  type CallSpec,
  type ErrorInit,
  type Keep,
  type RawResponse,
} from './answers';
import { MIN_CALL_MS, ViewBounds, type CallBounds } from './bounds';
import { AlmaErrorCodes, isAlmaError, type AlmaError } from './errors';
import { Line, type AlmaClientOptions, type AlmaClientStats } from './line';
import type { QuotaTicket } from './quota-floor';
import type { RateSlot } from './rate-limiter';
import { ALMA_BASE_PATH } from './region';

export type { CallSpec, Keep, RawResponse } from './answers';
export type { CallBounds } from './bounds';
export type { AlmaClientOptions, AlmaClientStats } from './line';

/** The quota-floor ticket one call (with its retries) holds, and whether any of its tries went out. */
type QuotaHold = { ticket: QuotaTicket; sent: boolean };

/** Resolves after `ms`, or at once when `signal` aborts. */
const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/** What one view adds to the shared line: its bounds, and whether its calls are compensation. */
interface ViewScope extends CallBounds {
  compensation?: boolean;
}

/** Handed to the constructor by forCompensation() and within(); not exported from the package. */
export class TransportView {
  constructor(
    readonly line: Line,
    readonly scope: ViewScope,
  ) {}
}

/** Sends calls for AlmaClient, which adds what to call; never used on its own. */
export abstract class AlmaTransport {
  readonly baseUrl: string;
  readonly requestsPerSecond: number;
  readonly minDailyRemaining: number;
  readonly timeoutMs: number;
  readonly getRetries: number;
  readonly thresholdRetries: number;
  readonly retryDelayMs: number;
  readonly deadlineMarginMs: number;
  readonly #line: Line;
  readonly #scope: ViewScope;
  readonly #bounds: ViewBounds;

  constructor(options: AlmaClientOptions | TransportView) {
    this.#line = options instanceof TransportView ? options.line : new Line(options);
    this.#scope = options instanceof TransportView ? options.scope : {};
    this.#bounds = new ViewBounds(this.#line, this.#scope);
    const settings = this.#line.settings;
    this.baseUrl = settings.baseUrl;
    this.requestsPerSecond = settings.requestsPerSecond;
    this.minDailyRemaining = settings.minDailyRemaining;
    this.timeoutMs = settings.timeoutMs;
    this.getRetries = settings.getRetries;
    this.thresholdRetries = settings.thresholdRetries;
    this.retryDelayMs = settings.retryDelayMs;
    this.deadlineMarginMs = settings.deadlineMarginMs;
  }

  /**
   * The same client (limiter, quota reading, stats, sockets) for the compensation: the restore of a patron's contact
   * details and the reads that verify it. The daily-quota floor never refuses its calls: it exists to keep calls
   * for exactly these.
   */
  forCompensation(): this {
    return this.#view({ ...this.#scope, compensation: true });
  }

  /** The same client, every call bounded by `bounds`: aborted with its signal, never in flight past its deadline. */
  within(bounds: CallBounds): this {
    return this.#view({ ...this.#scope, ...bounds });
  }

  #view(scope: ViewScope): this {
    const View = this.constructor as new (view: TransportView) => this;
    return new View(new TransportView(this.#line, scope));
  }

  /** The last X-Exl-Api-Remaining Alma reported: calls left today for the whole institution. */
  get dailyRemaining(): number | undefined {
    return this.#line.quota.remaining;
  }

  /** Starts this client's calls in its slot of the grid it shares with other workers (rate-limiter.ts). */
  alignRate(slot: RateSlot | undefined): void {
    this.#line.limiter.align(slot);
  }

  get stats(): AlmaClientStats {
    return { ...this.#line.counters, limiterWaitMs: Math.round(this.#line.limiter.totalWaitMs) };
  }

  /** Frees the keep-alive sockets, for this client and all its views. None may be used afterwards. */
  close(): void {
    this.#line.agents.http.destroy();
    this.#line.agents.https.destroy();
  }

  /** Runs one call and checks its JSON answer against `schema`. */
  protected call<S extends z.ZodType>(spec: CallSpec, schema: S, keep?: Keep): Promise<z.infer<S>> {
    return this.request(spec, (res) => this.decode(spec, res, schema, keep));
  }

  /**
   * Runs one call, retrying a GET after a retryable error while its bounds allow. A write is sent again only after
   * Alma's per-second threshold refused it (nothing was applied); after any other failure it goes out no more.
   */
  protected async request<T>(spec: CallSpec, decode: (res: RawResponse) => T): Promise<T> {
    const write = spec.method !== 'GET';
    const attempts = 1 + (write ? this.thresholdRetries : this.getRetries);
    // A probe of the quota floor covers the call's retries too: they are the same question to Alma.
    const quota: QuotaHold = { ticket: { probe: false }, sent: false };
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return decode(await this.#send(spec, quota));
        } catch (err) {
          if (!isAlmaError(err) || !err.retryable || attempt >= attempts) throw err;
          if (err.kind === 'cancelled' || err.kind === 'deadline') throw err;
          if (write && err.code !== AlmaErrorCodes.PER_SECOND_THRESHOLD) throw err;
          const wait = this.retryDelayMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.25);
          if (this.#bounds.timeLeft() - wait < MIN_CALL_MS) throw err;
          this.#line.counters.retries++;
          await pause(wait, this.#scope.signal);
        }
      }
    } finally {
      this.#line.quota.settle(quota.ticket, quota.sent);
    }
  }

  /** A 2xx JSON answer checked against `schema`; anything else is an error. */
  protected decode<S extends z.ZodType>(spec: CallSpec, res: RawResponse, schema: S, keep?: Keep): z.infer<S> {
    return decodeAnswer(this.#line, spec, res, schema, keep);
  }

  /** An answer Alma should not have given: never retried. */
  protected invalid(spec: CallSpec, almaMessage: string, res?: RawResponse): AlmaError {
    return invalidAnswer(this.#line, spec, almaMessage, res);
  }

  /** The one way an AlmaError is made here, so every message passes through the key redaction. */
  protected error(spec: Pick<CallSpec, 'operation' | 'method' | 'path'>, init: ErrorInit): AlmaError {
    return almaError(this.#line, spec, init);
  }

  async #send(spec: CallSpec, quota: QuotaHold): Promise<RawResponse> {
    this.#bounds.check(spec, MIN_CALL_MS);
    this.#admit(spec, quota);
    await this.#bounds.waitForSlot(spec);
    // The reading may have dropped below the floor while this call waited.
    this.#admit(spec, quota);
    const timeoutMs = this.#bounds.check(spec, MIN_CALL_MS);
    this.#line.counters.calls++;
    quota.sent = true;
    return this.#exchange(spec, timeoutMs);
  }

  /** One HTTP exchange, aborted after `timeoutMs` or with the view's signal. */
  async #exchange(spec: CallSpec, timeoutMs: number): Promise<RawResponse> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) query.set(name, String(value));
    }
    const qs = query.size > 0 ? `?${query.toString()}` : '';
    const headers: Record<string, string> = { Authorization: this.#line.authorization, Accept: 'application/json' };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';

    const { signal } = this.#scope;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.#line.http.request<string>({
        method: spec.method,
        url: `${this.baseUrl}${ALMA_BASE_PATH}${spec.path}${qs}`,
        headers,
        data: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
      });
      const remaining = Number.parseInt(String(res.headers['x-exl-api-remaining'] ?? ''), 10);
      if (Number.isFinite(remaining)) this.#line.quota.record(remaining);
      const raw: RawResponse = {
        status: res.status,
        body: typeof res.data === 'string' ? res.data : '',
        contentType: String(res.headers['content-type'] ?? ''),
        location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
      };
      if (raw.status === 429) this.#line.counters.rateLimited++;
      if (raw.status >= 400) throw httpError(this.#line, spec, raw);
      return raw;
    } catch (err) {
      if (isAlmaError(err)) throw err;
      if (signal?.aborted && !timedOut) throw this.#bounds.cancelled(spec, 'while Alma was answering', true);
      // The axios error carries the request config, headers and key included: keep only its code and message.
      throw transportError(this.#line, spec, err, timedOut ? timeoutMs : undefined, this.timeoutMs);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Throws when the quota floor refuses the call; a probe ticket, once granted, is kept in `quota` until settled. */
  #admit(spec: CallSpec, quota: QuotaHold): void {
    if (quota.ticket.probe) return;
    const line = this.#line;
    const verdict = line.quota.admit(this.#scope.compensation === true);
    if ('probe' in verdict) {
      if (verdict.probe) line.counters.quotaProbes++;
      quota.ticket = verdict;
      return;
    }
    line.counters.refusedByQuotaFloor++;
    throw this.error(spec, {
      kind: 'quota-floor',
      retryable: false,
      code: AlmaErrorCodes.QUOTA_FLOOR,
      almaMessage: `only ${verdict.refused} Alma API calls left today, below the floor of ${this.minDailyRemaining}`,
    });
  }
}
