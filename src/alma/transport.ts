// How the Alma client talks to Alma: one HTTP exchange per call, under the per-second limiter and the daily-quota
// floor, retried only where a replay is safe, and every answer checked before a caller sees it. What to call lives in
// client.ts. Rules kept here: the API key travels only in the Authorization header and never appears in errors or
// logs; a POST or DELETE is never replayed (a timed-out one may have been applied, so callers re-read state instead);
// GET and PUT are retried a little on transient errors.
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
import { RateLimiter } from './rate-limiter';
import { ALMA_BASE_PATH, normaliseBaseUrl } from './region';

export interface AlmaClientOptions {
  /** Scheme and host (and port), WITHOUT /almaws/v1: `https://api-eu.hosted.exlibrisgroup.com`, `http://127.0.0.1:1234`. */
  baseUrl: string;
  apiKey: string;
  /** Client-side cap on call starts per second, shared by all calls of this client. Default 20. */
  requestsPerSecond?: number;
  /** Refuse to start a call once the last seen X-Exl-Api-Remaining is below this. Default 0 (off). */
  minDailyRemaining?: number;
  /** Deadline for one HTTP exchange, in ms. Default 30000. */
  timeoutMs?: number;
  /** In-client retries of a GET or PUT after a retryable error. Default 2. */
  getRetries?: number;
  /** First retry pause in ms, doubled on each further retry (with jitter). Default 500. */
  retryDelayMs?: number;
}

export interface AlmaClientStats {
  /** HTTP requests sent (a barcode lookup costs two: the redirect and the item). */
  calls: number;
  /** 429 answers received. */
  rateLimited: number;
  /** In-client retries of GET/PUT. */
  retries: number;
  /** Calls refused by the daily-quota floor. */
  refusedByQuotaFloor: number;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends calls for AlmaClient, which adds what to call; never used on its own. */
export abstract class AlmaTransport {
  readonly baseUrl: string;
  readonly requestsPerSecond: number;
  readonly minDailyRemaining: number;
  readonly timeoutMs: number;
  readonly getRetries: number;
  readonly retryDelayMs: number;
  // Private fields: util.inspect and JSON.stringify never show them, so the key cannot leak through a log line.
  readonly #apiKey: string;
  readonly #http: AxiosInstance;
  readonly #agents: { http: http.Agent; https: https.Agent };
  readonly #limiter: RateLimiter;
  #dailyRemaining: number | undefined;
  readonly #counters = { calls: 0, rateLimited: 0, retries: 0, refusedByQuotaFloor: 0 };

  constructor(options: AlmaClientOptions) {
    if (!options.apiKey) throw new Error('AlmaClient needs an apiKey');
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    this.#apiKey = options.apiKey;
    this.requestsPerSecond = options.requestsPerSecond ?? 20;
    this.minDailyRemaining = options.minDailyRemaining ?? 0;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.getRetries = Math.max(0, options.getRetries ?? 2);
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.#limiter = new RateLimiter(this.requestsPerSecond);
    // Enough sockets for the limiter's full rate with calls of up to 2 s each: a fixed 16 capped the client at
    // 16 / latency calls per second (160/s at 100 ms, 32/s at 500 ms), below a 50/s threshold. Opened on demand.
    const maxSockets = Math.max(16, Math.ceil(this.requestsPerSecond * 2));
    this.#agents = {
      http: new http.Agent({ keepAlive: true, maxSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets }),
    };
    this.#http = axios.create({
      httpAgent: this.#agents.http,
      httpsAgent: this.#agents.https,
      // Redirects are followed by hand (getItemByBarcode) so the key is only ever sent to baseUrl.
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      // No env-proxy handling: axios does not tunnel https through an http proxy. Pass an agent here if one is needed.
      proxy: false,
    });
  }

  /** The last X-Exl-Api-Remaining Alma reported: calls left today for the whole institution. */
  get dailyRemaining(): number | undefined {
    return this.#dailyRemaining;
  }

  get stats(): AlmaClientStats {
    return { ...this.#counters, limiterWaitMs: Math.round(this.#limiter.totalWaitMs) };
  }

  /** Frees the keep-alive sockets. The client must not be used afterwards. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  /** Runs one call and checks its JSON answer against `schema`. */
  protected call<S extends z.ZodType>(spec: CallSpec, schema: S, keep?: Keep): Promise<z.infer<S>> {
    return this.request(spec, (res) => this.decode(spec, res, schema, keep));
  }

  /** Runs one call, retrying a GET or PUT after a retryable error. POST and DELETE go out exactly once. */
  protected async request<T>(spec: CallSpec, decode: (res: RawResponse) => T): Promise<T> {
    const attempts = spec.method === 'GET' || spec.method === 'PUT' ? 1 + this.getRetries : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return decode(await this.#send(spec));
      } catch (err) {
        if (!isAlmaError(err) || !err.retryable || attempt >= attempts) throw err;
        this.#counters.retries++;
        const pause = this.retryDelayMs * 2 ** (attempt - 1);
        await sleep(pause * (1 + Math.random() * 0.25));
      }
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
      almaMessage: init.almaMessage === undefined ? undefined : this.#redact(init.almaMessage),
      operation: spec.operation,
      method: spec.method,
      path: `${ALMA_BASE_PATH}${spec.path}`,
    });
  }

  async #send(spec: CallSpec): Promise<RawResponse> {
    this.#checkQuotaFloor(spec);
    await this.#limiter.acquire();
    this.#checkQuotaFloor(spec);
    this.#counters.calls++;

    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) query.set(name, String(value));
    }
    const qs = query.size > 0 ? `?${query.toString()}` : '';
    const headers: Record<string, string> = {
      Authorization: `apikey ${this.#apiKey}`,
      Accept: 'application/json',
    };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const res = await this.#http.request<string>({
        method: spec.method,
        url: `${this.baseUrl}${ALMA_BASE_PATH}${spec.path}${qs}`,
        headers,
        data: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
      });
      const remaining = Number.parseInt(String(res.headers['x-exl-api-remaining'] ?? ''), 10);
      if (Number.isFinite(remaining)) this.#dailyRemaining = remaining;
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
      // The axios error carries the request config, headers and key included: keep only its code and message.
      throw this.#transportError(spec, err, timedOut);
    } finally {
      clearTimeout(timer);
    }
  }

  #checkQuotaFloor(spec: CallSpec): void {
    const remaining = this.#dailyRemaining;
    if (this.minDailyRemaining > 0 && remaining !== undefined && remaining < this.minDailyRemaining) {
      this.#counters.refusedByQuotaFloor++;
      throw this.error(spec, {
        kind: 'quota-floor',
        retryable: false,
        code: AlmaErrorCodes.QUOTA_FLOOR,
        almaMessage: `only ${remaining} Alma API calls left today, below the floor of ${this.minDailyRemaining}`,
      });
    }
  }

  #httpError(spec: CallSpec, res: RawResponse): AlmaError {
    if (res.status === 429) this.#counters.rateLimited++;
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

  #transportError(spec: CallSpec, err: unknown, timedOut: boolean): AlmaError {
    const e = (err ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    const timeout = timedOut || code === 'ECONNABORTED' || code === 'ETIMEDOUT';
    return this.error(spec, {
      kind: timeout ? 'timeout' : 'network',
      retryable: true,
      code: timeout ? AlmaErrorCodes.TIMEOUT : AlmaErrorCodes.NETWORK,
      almaMessage: timeout
        ? `no answer within ${this.timeoutMs} ms (the call may still have been applied)`
        : `${code ?? 'network error'}: ${typeof e.message === 'string' ? e.message : String(err)}`,
    });
  }

  #redact(text: string): string {
    return this.#apiKey.length >= 4 ? text.split(this.#apiKey).join('[redacted]') : text;
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
