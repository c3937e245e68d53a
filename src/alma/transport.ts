// How the Alma client talks to Alma: one HTTP exchange per call, under the per-second limiter and the daily-quota
// floor, retried only where a replay is safe, and every answer checked before a caller sees it. What to call lives in
// client.ts. Rules kept here: the API key travels only in the Authorization header and never appears in errors or
// logs; a write (PUT, POST, DELETE) goes out once per call: one whose answer was lost may have been applied, and a
// replay inside the step could land after the step's next attempt has read Alma (the caller's retry reads first);
// a GET is retried a little on transient errors.
//
// How a call fits inside a Temporal step (the client knows no Temporal type: the activity layer hands it `bounds`).
// The step's attempt has a deadline (default step timeout 1 minute, so t0 + 60 s). Every call made under bounds:
//   - is not started when less than MIN_CALL_MS would be left before deadline - margin (default 60 - 2 = 58 s);
//   - counts its wait for the per-second limiter against that time, and fails at once (retryable, nothing sent)
//     when the line ahead would carry it past it, rather than sending late;
//   - gets a timeout of min(timeoutMs, time left) = min(30 s, 58 s - now), so it is aborted by t0 + 58 s at the latest;
//   - is aborted at once when the step is cancelled (the activity's AbortSignal);
//   - as a GET, is retried only when the pause and MIN_CALL_MS still fit.
// Temporal starts the next attempt no sooner than t0 + 60 s + its retry interval (1 s), so when it reads Alma no
// request of this attempt is still being sent. What Alma received before the abort may still be applied by Alma
// after it: the client cannot recall a request, only stop sending and listening.
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import {
  AlmaError,
  AlmaErrorCodes,
  classifyHttpError,
  describeIssues,
  isAlmaError,
  parseErrorBody,
  type AlmaErrorInit,
} from './errors';
import { QuotaFloor, type QuotaTicket } from './quota-floor';
import { LimiterGaveUp, RateLimiter } from './rate-limiter';
import { ALMA_BASE_PATH, normaliseBaseUrl } from './region';

export interface AlmaClientOptions {
  /** Scheme and host (and port), WITHOUT /almaws/v1: `https://api-eu.hosted.exlibrisgroup.com`, `http://127.0.0.1:1234`. */
  baseUrl: string;
  apiKey: string;
  /** Client-side cap on call starts per second, shared by all calls of this client. Default 20. */
  requestsPerSecond?: number;
  /**
   * Refuse to start a forward call once the last seen X-Exl-Api-Remaining is below this. Default 0 (off). Calls of a
   * `forCompensation()` view are never refused.
   */
  minDailyRemaining?: number;
  /** How long a reading below the floor stands before one call goes out to refresh it, in ms. Default 5 minutes. */
  quotaRecheckMs?: number;
  /** The institution's IANA time zone: a reading below the floor also expires at its midnight. Default 'UTC'. */
  timeZone?: string;
  /** Longest time one HTTP exchange may take, in ms. Default 30000. */
  timeoutMs?: number;
  /** In-client retries of a GET after a retryable error. Default 2. Writes are never retried here. */
  getRetries?: number;
  /** First retry pause in ms, doubled on each further retry (with jitter). Default 500. */
  retryDelayMs?: number;
  /** Under a deadline: no call may still be in flight this long before it, in ms. Default 2000. */
  deadlineMarginMs?: number;
  /** The wall clock, epoch ms (deadlines, quota readings). Default Date.now; tests inject one. */
  now?: () => number;
}

/** Limits on every call of a client view, set by whoever runs the calls (an activity: its cancel and deadline). */
export interface CallBounds {
  /** Aborts the call in flight, and refuses new ones, once aborted. */
  signal?: AbortSignal;
  /** Epoch ms (on the client's clock) by which no call may be in flight; see deadlineMarginMs. */
  deadline?: number;
}

export interface AlmaClientStats {
  /** HTTP requests sent (a barcode lookup costs two: the redirect and the item). */
  calls: number;
  /** 429 answers received. */
  rateLimited: number;
  /** In-client retries of GETs. */
  retries: number;
  /** Calls refused by the daily-quota floor. */
  refusedByQuotaFloor: number;
  /** Calls let through below the floor to refresh an expired reading. */
  quotaProbes: number;
  /** Time spent waiting for the per-second limiter, in ms. */
  limiterWaitMs: number;
}

/** One Alma operation as the transport sends it. */
export interface CallSpec {
  operation: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Below /almaws/v1, path segments already encoded. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

export interface RawResponse {
  status: number;
  body: string;
  contentType: string;
  location?: string;
}

/** Which copy of a checked answer to return: zod's parsed one (the default), or the body `as-sent` (see getUser). */
export type Keep = 'parsed' | 'as-sent';

type ErrorInit = Omit<AlmaErrorInit, 'operation' | 'method' | 'path'>;

/** The quota-floor ticket one call (with its retries) holds, and whether any of its tries went out. */
type QuotaHold = { ticket: QuotaTicket; sent: boolean };

/** A call is not started with less time than this before its deadline's margin: it could hardly be answered. */
const MIN_CALL_MS = 1000;

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

/** A client's settings with their defaults filled in. */
interface Resolved {
  baseUrl: string;
  requestsPerSecond: number;
  minDailyRemaining: number;
  timeoutMs: number;
  getRetries: number;
  retryDelayMs: number;
  deadlineMarginMs: number;
}

/**
 * What every view of one client shares: the settings, the key, the sockets, the limiter, the counters and the quota
 * reading. The key is a private field, so neither util.inspect nor JSON.stringify ever shows it.
 */
class Line {
  readonly #apiKey: string;
  readonly settings: Resolved;
  readonly now: () => number;
  readonly http: AxiosInstance;
  readonly agents: { http: http.Agent; https: https.Agent };
  readonly limiter: RateLimiter;
  readonly quota: QuotaFloor;
  readonly counters = { calls: 0, rateLimited: 0, retries: 0, refusedByQuotaFloor: 0, quotaProbes: 0 };

  constructor(options: AlmaClientOptions) {
    if (!options.apiKey) throw new Error('AlmaClient needs an apiKey');
    this.#apiKey = options.apiKey;
    const requestsPerSecond = options.requestsPerSecond ?? 20;
    this.settings = {
      baseUrl: normaliseBaseUrl(options.baseUrl),
      requestsPerSecond,
      minDailyRemaining: options.minDailyRemaining ?? 0,
      timeoutMs: options.timeoutMs ?? 30_000,
      getRetries: Math.max(0, options.getRetries ?? 2),
      retryDelayMs: options.retryDelayMs ?? 500,
      deadlineMarginMs: options.deadlineMarginMs ?? 2000,
    };
    this.now = options.now ?? Date.now;
    this.limiter = new RateLimiter(requestsPerSecond);
    this.quota = new QuotaFloor({
      floor: this.settings.minDailyRemaining,
      recheckMs: options.quotaRecheckMs ?? 5 * 60_000,
      timeZone: options.timeZone ?? 'UTC',
      now: this.now,
    });
    // Enough sockets for the limiter's full rate with calls of up to 2 s each: a fixed 16 capped the client at
    // 16 / latency calls per second (160/s at 100 ms, 32/s at 500 ms), below a 50/s threshold. Opened on demand.
    const maxSockets = Math.max(16, Math.ceil(requestsPerSecond * 2));
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets }),
    };
    this.http = axios.create({
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      // Redirects are followed by hand (getItemByBarcode) so the key is only ever sent to baseUrl.
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      // No env-proxy handling: axios does not tunnel https through an http proxy. Pass an agent here if one is needed.
      proxy: false,
    });
  }

  get authorization(): string {
    return `apikey ${this.#apiKey}`;
  }

  redact(text: string): string {
    return this.#apiKey.length >= 4 ? text.split(this.#apiKey).join('[redacted]') : text;
  }
}

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
  readonly retryDelayMs: number;
  readonly deadlineMarginMs: number;
  readonly #line: Line;
  readonly #scope: ViewScope;

  constructor(options: AlmaClientOptions | TransportView) {
    this.#line = options instanceof TransportView ? options.line : new Line(options);
    this.#scope = options instanceof TransportView ? options.scope : {};
    const settings = this.#line.settings;
    this.baseUrl = settings.baseUrl;
    this.requestsPerSecond = settings.requestsPerSecond;
    this.minDailyRemaining = settings.minDailyRemaining;
    this.timeoutMs = settings.timeoutMs;
    this.getRetries = settings.getRetries;
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

  /** Runs one call, retrying a GET after a retryable error while its bounds allow. A write goes out at most once. */
  protected async request<T>(spec: CallSpec, decode: (res: RawResponse) => T): Promise<T> {
    const attempts = spec.method === 'GET' ? 1 + this.getRetries : 1;
    // A probe of the quota floor covers the call's retries too: they are the same question to Alma.
    const quota: QuotaHold = { ticket: { probe: false }, sent: false };
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return decode(await this.#send(spec, quota));
        } catch (err) {
          if (!isAlmaError(err) || !err.retryable || attempt >= attempts) throw err;
          if (err.kind === 'cancelled' || err.kind === 'deadline') throw err;
          const wait = this.retryDelayMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.25);
          if (this.#timeLeft() - wait < MIN_CALL_MS) throw err;
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
    const data = this.#json(spec, res);
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw this.invalid(spec, `unexpected shape: ${describeIssues(parsed.error)}`, res);
    return keep === 'as-sent' ? (data as z.infer<S>) : parsed.data;
  }

  /** An answer Alma should not have given: never retried. */
  protected invalid(spec: CallSpec, almaMessage: string, res?: RawResponse): AlmaError {
    return this.error(spec, {
      kind: 'invalid-response',
      retryable: false,
      status: res?.status,
      code: AlmaErrorCodes.INVALID_RESPONSE,
      almaMessage,
    });
  }

  /** The one way an AlmaError is made here, so every message passes through the key redaction. */
  protected error(spec: Pick<CallSpec, 'operation' | 'method' | 'path'>, init: ErrorInit): AlmaError {
    return new AlmaError({
      ...init,
      almaMessage: init.almaMessage === undefined ? undefined : this.#line.redact(init.almaMessage),
      operation: spec.operation,
      method: spec.method,
      path: `${ALMA_BASE_PATH}${spec.path}`,
    });
  }

  async #send(spec: CallSpec, quota: QuotaHold): Promise<RawResponse> {
    this.#checkBounds(spec, MIN_CALL_MS);
    this.#admit(spec, quota);
    await this.#waitForSlot(spec);
    // The reading may have dropped below the floor while this call waited.
    this.#admit(spec, quota);
    const timeoutMs = this.#checkBounds(spec, MIN_CALL_MS);
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
      if (raw.status >= 400) throw this.#httpError(spec, raw);
      return raw;
    } catch (err) {
      if (isAlmaError(err)) throw err;
      if (signal?.aborted && !timedOut) throw this.#cancelled(spec, 'while Alma was answering', true);
      // The axios error carries the request config, headers and key included: keep only its code and message.
      throw this.#transportError(spec, err, timedOut ? timeoutMs : undefined);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Time left before the view's deadline less the margin, in ms; Infinity without a deadline. */
  #timeLeft(): number {
    const { deadline } = this.#scope;
    return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - this.deadlineMarginMs - this.#line.now();
  }

  /** Refuses a call that is cancelled or has less than `needMs` left; answers the timeout the call may have. */
  #checkBounds(spec: CallSpec, needMs: number): number {
    if (this.#scope.signal?.aborted) throw this.#cancelled(spec, 'before it was sent');
    const left = this.#timeLeft();
    if (left < needMs) {
      const shown = Math.max(0, Math.round(left));
      throw this.#outOfTime(
        spec,
        `${shown} ms left before the step's deadline, less its ${this.deadlineMarginMs} ms margin`,
      );
    }
    return Math.min(this.timeoutMs, left);
  }

  /** The limiter's wait, bounded by the view's deadline and signal. */
  async #waitForSlot(spec: CallSpec): Promise<void> {
    try {
      await this.#line.limiter.acquire({ maxWaitMs: this.#timeLeft() - MIN_CALL_MS, signal: this.#scope.signal });
    } catch (err) {
      if (!(err instanceof LimiterGaveUp)) throw err;
      if (err.reason === 'aborted') throw this.#cancelled(spec, 'while waiting for the per-second limiter');
      throw this.#outOfTime(spec, `the wait for the per-second limiter (${this.requestsPerSecond}/s) would pass it`);
    }
  }

  /** A call not sent because the step's time was up: retryable, and nothing reached Alma. */
  #outOfTime(spec: CallSpec, why: string): AlmaError {
    return this.error(spec, {
      kind: 'deadline',
      retryable: true,
      code: AlmaErrorCodes.DEADLINE,
      almaMessage: `not sent, the step's time was up: ${why}`,
    });
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

  /** `sent`: the request had reached Alma, which may still apply it. */
  #cancelled(spec: CallSpec, when: string, sent = false): AlmaError {
    return this.error(spec, {
      kind: 'cancelled',
      retryable: true,
      code: AlmaErrorCodes.CANCELLED,
      almaMessage: `the step was cancelled ${when}${sent ? ' (the call may still have been applied)' : ''}`,
    });
  }

  #httpError(spec: CallSpec, res: RawResponse): AlmaError {
    if (res.status === 429) this.#line.counters.rateLimited++;
    const body = parseErrorBody(res.body, res.contentType);
    const verdict = classifyHttpError(res.status, body.code);
    return this.error(spec, {
      ...verdict,
      status: res.status,
      code: body.code,
      almaMessage: body.message ?? (body.format === 'empty' ? 'empty error body' : undefined),
      trackingId: body.trackingId,
    });
  }

  /** `timedOutAfterMs`: the call's own timer fired after that long. */
  #transportError(spec: CallSpec, err: unknown, timedOutAfterMs: number | undefined): AlmaError {
    const e = (err ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    const timeout = timedOutAfterMs !== undefined || code === 'ECONNABORTED' || code === 'ETIMEDOUT';
    return this.error(spec, {
      kind: timeout ? 'timeout' : 'network',
      retryable: true,
      code: timeout ? AlmaErrorCodes.TIMEOUT : AlmaErrorCodes.NETWORK,
      almaMessage: timeout
        ? `no answer within ${Math.round(timedOutAfterMs ?? this.timeoutMs)} ms (the call may still have been applied)`
        : `${code ?? 'network error'}: ${typeof e.message === 'string' ? e.message : String(err)}`,
    });
  }

  #json(spec: CallSpec, res: RawResponse): unknown {
    if (res.status < 200 || res.status >= 300) throw this.invalid(spec, `unexpected HTTP ${res.status}`, res);
    let data: unknown;
    try {
      data = JSON.parse(res.body);
    } catch {
      throw this.invalid(spec, `the answer is not JSON (${res.contentType || 'no content type'})`, res);
    }
    // An error body inside a 2xx: still an error.
    if ((data as { errorsExist?: unknown } | null)?.errorsExist === true) {
      const body = parseErrorBody(res.body, 'application/json');
      throw this.error(spec, {
        ...classifyHttpError(400, body.code),
        status: res.status,
        code: body.code,
        almaMessage: body.message,
        trackingId: body.trackingId,
      });
    }
    return data;
  }
}
