// The one line to Alma that a client and all its views share: the settings, the key, the sockets, the per-second
// limiter, the daily-quota reading and the counters. The key is kept here and nowhere else.
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { QuotaFloor } from './quota-floor';
import { DEFAULT_RATE_LIMIT, RateLimiter } from './rate-limiter';
import { normaliseBaseUrl } from './region';

export interface AlmaClientOptions {
  /** Scheme and host (and port), WITHOUT /almaws/v1: `https://api-eu.hosted.exlibrisgroup.com`, `http://127.0.0.1:1234`. */
  baseUrl: string;
  apiKey: string;
  /** Client-side cap on call starts per second, shared by all calls of this client. Default DEFAULT_RATE_LIMIT (10). */
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
  /** In-client retries of a GET after a retryable error. Default 2. */
  getRetries?: number;
  /**
   * In-client retries of a write (POST, PUT, DELETE) that Alma's per-second threshold refused (429
   * PER_SECOND_THRESHOLD, answered before the call is processed). Default 3. Other failures of a write are not retried.
   */
  thresholdRetries?: number;
  /** First retry pause in ms, doubled on each further retry (with jitter). Default 500. */
  retryDelayMs?: number;
  /** Under a deadline: no call may still be in flight this long before it, in ms. Default 2000. */
  deadlineMarginMs?: number;
  /** The wall clock, epoch ms (deadlines, quota readings). Default Date.now; tests inject one. */
  now?: () => number;
  /**
   * A campus proxy for Alma (http://host:port, credentials in the URL if it needs them); false: none. Default: from
   * the environment, as curl reads it: HTTPS_PROXY (or HTTP_PROXY for an http base URL), unless NO_PROXY names the host.
   */
  proxy?: string | false;
}

export interface AlmaClientStats {
  /** HTTP requests sent (a barcode lookup costs two: the redirect and the item). */
  calls: number;
  /** 429 answers received. */
  rateLimited: number;
  /** In-client retries: of GETs, and of writes the per-second threshold refused. */
  retries: number;
  /** Calls refused by the daily-quota floor. */
  refusedByQuotaFloor: number;
  /** Calls let through below the floor to refresh an expired reading. */
  quotaProbes: number;
  /** Time spent waiting for the per-second limiter, in ms. */
  limiterWaitMs: number;
}

/** A client's settings with their defaults filled in. */
export interface Settings {
  baseUrl: string;
  requestsPerSecond: number;
  minDailyRemaining: number;
  timeoutMs: number;
  getRetries: number;
  thresholdRetries: number;
  retryDelayMs: number;
  deadlineMarginMs: number;
}

/**
 * What every view of one client shares: the settings, the key, the sockets, the limiter, the counters and the quota
 * reading. The key is a private field, so neither util.inspect nor JSON.stringify ever shows it.
 */
export class Line {
  readonly #apiKey: string;
  readonly settings: Settings;
  readonly now: () => number;
  readonly http: AxiosInstance;
  readonly agents: { http: http.Agent; https: https.Agent };
  readonly limiter: RateLimiter;
  readonly quota: QuotaFloor;
  /** Whether calls go through a proxy (HTTPS_PROXY); its address is not kept, it may hold credentials. */
  readonly proxied: boolean;
  readonly counters = { calls: 0, rateLimited: 0, retries: 0, refusedByQuotaFloor: 0, quotaProbes: 0 };

  constructor(options: AlmaClientOptions) {
    if (!options.apiKey) throw new Error('AlmaClient needs an apiKey');
    this.#apiKey = options.apiKey;
    const requestsPerSecond = options.requestsPerSecond ?? DEFAULT_RATE_LIMIT;
    this.settings = {
      baseUrl: normaliseBaseUrl(options.baseUrl),
      requestsPerSecond,
      minDailyRemaining: options.minDailyRemaining ?? 0,
      timeoutMs: options.timeoutMs ?? 30_000,
      getRetries: Math.max(0, options.getRetries ?? 2),
      thresholdRetries: Math.max(0, options.thresholdRetries ?? 3),
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
    const proxy = options.proxy ?? (getProxyForUrl(this.settings.baseUrl) || false);
    this.proxied = proxy !== false;
    // Through a proxy: https is tunnelled (CONNECT), so the proxy never sees the key; http is forwarded.
    this.agents = proxy
      ? {
          http: new HttpProxyAgent(proxy, { keepAlive: true, maxSockets }),
          https: new HttpsProxyAgent(proxy, { keepAlive: true, maxSockets }),
        }
      : {
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
      // axios's own env-proxy handling is off: it does not tunnel https through an http proxy. The agents above do.
      proxy: false,
    });
  }

  get authorization(): string {
    return `apikey ${this.#apiKey}`;
  }

  /** `text` with the key cut out: every AlmaError message passes through here (see almaError). */
  redact(text: string): string {
    return this.#apiKey.length >= 4 ? text.split(this.#apiKey).join('[redacted]') : text;
  }
}
