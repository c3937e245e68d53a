// Typed client for the Alma REST calls the relink makes. Every path and query parameter it sends is declared in
// Ex Libris' OpenAPI (test/openapi checks this), except the documented /items?item_barcode= redirect shorthand.
// Rules it keeps: the API key travels only in the Authorization header and never appears in errors or logs; every
// answer is checked against its schema; a POST or DELETE is never replayed (a timed-out one may have been applied,
// so callers re-read state instead); GET and PUT are retried a little on transient errors.
import http from 'node:http';
import https from 'node:https';
import { inspect } from 'node:util';
import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import {
  AlmaError,
  AlmaErrorCodes,
  classifyHttpError,
  describeIssues,
  isAlmaError,
  parseErrorBody,
  type AlmaErrorKind,
} from './errors';
import { RateLimiter } from './rate-limiter';
import { ALMA_BASE_PATH, normaliseBaseUrl } from './region';
import {
  AlmaFeeListSchema,
  AlmaItemSchema,
  AlmaLoanListSchema,
  AlmaLoanSchema,
  AlmaRequestListSchema,
  AlmaRequestSchema,
  AlmaUserSchema,
  type AlmaFee,
  type AlmaItem,
  type AlmaLoan,
  type AlmaRequest,
  type AlmaRequestCreate,
  type AlmaUser,
} from './schemas';

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

/** The three ids that address an item in the bibs API. */
export interface ItemRef {
  mmsId: string;
  holdingId: string;
  itemPid: string;
}

export function itemRefOf(item: AlmaItem): ItemRef {
  return { mmsId: item.bib_data.mms_id, holdingId: item.holding_data.holding_id, itemPid: item.item_data.pid };
}

/** Where a scan-in or a loan happens; `requestId` binds it to one request of the queue. */
export interface CirculationPoint {
  library: string;
  circDesk: string;
  requestId?: string;
}

export type LoanItemSelector = { barcode: string } | { itemPid: string };

export interface CancelRequestOptions {
  /** A code of the RequestCancellationReasons table, e.g. CancelledAtPatronRequest. */
  reason: string;
  /** Alma's default is true (a cancellation letter); this client defaults to false. */
  notifyUser?: boolean;
  note?: string;
}

export type LoanStatus = 'Active' | 'Complete';
export type FeeStatus = 'ACTIVE' | 'INDISPUTE' | 'EXPORTED' | 'CLOSED';

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

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
type Query = Record<string, string | number | boolean | undefined>;

interface CallSpec {
  operation: string;
  method: Method;
  /** Below /almaws/v1, path segments already encoded. */
  path: string;
  query?: Query;
  body?: unknown;
}

interface RawResponse {
  status: number;
  body: string;
  contentType: string;
  location?: string;
}

const PAGE_LIMIT = 100; // the maximum the OpenAPI allows for limit
const MAX_PAGES = 1000;
const seg = encodeURIComponent;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const itemPath = (ref: ItemRef) => `/bibs/${seg(ref.mmsId)}/holdings/${seg(ref.holdingId)}/items/${seg(ref.itemPid)}`;
const itemPathPattern = new RegExp(`^${ALMA_BASE_PATH}/bibs/([^/]+)/holdings/([^/]+)/items/([^/]+)/?$`);

export class AlmaClient {
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

  toJSON() {
    return {
      baseUrl: this.baseUrl,
      requestsPerSecond: this.requestsPerSecond,
      dailyRemaining: this.#dailyRemaining,
      stats: this.stats,
    };
  }

  [inspect.custom]() {
    return `AlmaClient ${inspect(this.toJSON())}`;
  }

  // --- Users -----------------------------------------------------------------------------------------------------

  async getUser(userId: string): Promise<AlmaUser> {
    const spec: CallSpec = {
      operation: 'getUser',
      method: 'GET',
      path: `/users/${seg(userId)}`,
      query: { view: 'full' },
    };
    return this.#request(spec, (res) => this.#userFrom(spec, res));
  }

  /** PUTs the whole record: Alma replaces every field and list ("swap all"), so send what getUser returned. */
  async updateUser(userId: string, user: AlmaUser): Promise<AlmaUser> {
    const spec: CallSpec = { operation: 'updateUser', method: 'PUT', path: `/users/${seg(userId)}`, body: user };
    const outgoing = AlmaUserSchema.safeParse(user);
    if (!outgoing.success) {
      // A partial record would delete data in Alma: refuse before sending.
      throw this.#error(spec, {
        kind: 'business',
        retryable: false,
        almaMessage: `refusing to PUT an incomplete user record (${describeIssues(outgoing.error)})`,
      });
    }
    return this.#request(spec, (res) => this.#userFrom(spec, res));
  }

  // --- Items -----------------------------------------------------------------------------------------------------

  /**
   * GET /items?item_barcode= answers 302 to the item's full path. The redirect is followed by hand: the target path
   * is requested on this client's own base URL (with the key), never on whatever host the Location names.
   */
  async getItemByBarcode(barcode: string): Promise<AlmaItem> {
    const spec: CallSpec = {
      operation: 'getItemByBarcode',
      method: 'GET',
      path: '/items',
      query: { item_barcode: barcode },
    };
    const found = await this.#request(spec, (res): { ref: ItemRef } | { item: AlmaItem } => {
      if (res.status >= 300 && res.status < 400) return { ref: this.#refFromLocation(spec, res.location) };
      return { item: this.#decode(spec, res, AlmaItemSchema) };
    });
    return 'item' in found ? found.item : this.getItem(found.ref, 'getItemByBarcode');
  }

  async getItem(ref: ItemRef, operation = 'getItem'): Promise<AlmaItem> {
    const spec: CallSpec = { operation, method: 'GET', path: itemPath(ref) };
    return this.#request(spec, (res) => this.#decode(spec, res, AlmaItemSchema));
  }

  /** POST ?op=scan with register_in_house_use=false: a return, not an in-house use. Answers the item. */
  async scanIn(ref: ItemRef, at: CirculationPoint): Promise<AlmaItem> {
    const spec: CallSpec = {
      operation: 'scanIn',
      method: 'POST',
      path: itemPath(ref),
      query: {
        op: 'scan',
        library: at.library,
        circ_desk: at.circDesk,
        request_id: at.requestId,
        register_in_house_use: false,
      },
      body: {},
    };
    return this.#request(spec, (res) => this.#decode(spec, res, AlmaItemSchema));
  }

  // --- Requests --------------------------------------------------------------------------------------------------

  /** Active requests on the item. The OpenAPI declares no limit/offset here, so Alma's one answer must be whole. */
  async listItemRequests(ref: ItemRef): Promise<AlmaRequest[]> {
    const spec: CallSpec = {
      operation: 'listItemRequests',
      method: 'GET',
      path: `${itemPath(ref)}/requests`,
      query: { status: 'active' },
    };
    return this.#request(spec, (res) => {
      const page = this.#decode(spec, res, AlmaRequestListSchema);
      return this.#whole(spec, page.user_request, page.total_record_count);
    });
  }

  async createItemRequest(userId: string, itemPid: string, body: AlmaRequestCreate): Promise<AlmaRequest> {
    const spec: CallSpec = {
      operation: 'createItemRequest',
      method: 'POST',
      path: `/users/${seg(userId)}/requests`,
      query: { item_pid: itemPid },
      body,
    };
    return this.#request(spec, (res) => this.#decode(spec, res, AlmaRequestSchema));
  }

  async cancelRequest(userId: string, requestId: string, options: CancelRequestOptions): Promise<void> {
    const spec: CallSpec = {
      operation: 'cancelRequest',
      method: 'DELETE',
      path: `/users/${seg(userId)}/requests/${seg(requestId)}`,
      query: { reason: options.reason, note: options.note, notify_user: options.notifyUser ?? false },
    };
    await this.#request(spec, () => undefined);
  }

  // --- Loans -----------------------------------------------------------------------------------------------------

  async createLoan(userId: string, item: LoanItemSelector, at: CirculationPoint): Promise<AlmaLoan> {
    const spec: CallSpec = {
      operation: 'createLoan',
      method: 'POST',
      path: `/users/${seg(userId)}/loans`,
      query: 'barcode' in item ? { item_barcode: item.barcode } : { item_pid: item.itemPid },
      body: {
        circ_desk: { value: at.circDesk },
        library: { value: at.library },
        ...(at.requestId ? { request_id: { value: at.requestId } } : {}),
      },
    };
    return this.#request(spec, (res) => this.#decode(spec, res, AlmaLoanSchema));
  }

  async listUserLoans(userId: string, status: LoanStatus = 'Active'): Promise<AlmaLoan[]> {
    return this.#loanPages('listUserLoans', `/users/${seg(userId)}/loans`, status);
  }

  async getUserLoan(userId: string, loanId: string): Promise<AlmaLoan> {
    const spec: CallSpec = {
      operation: 'getUserLoan',
      method: 'GET',
      path: `/users/${seg(userId)}/loans/${seg(loanId)}`,
    };
    return this.#request(spec, (res) => this.#decode(spec, res, AlmaLoanSchema));
  }

  async listItemLoans(ref: ItemRef, status: LoanStatus = 'Active'): Promise<AlmaLoan[]> {
    return this.#loanPages('listItemLoans', `${itemPath(ref)}/loans`, status);
  }

  // --- Fees ------------------------------------------------------------------------------------------------------

  /** Without `status` Alma returns the ACTIVE fees. The OpenAPI declares no paging here. */
  async listUserFees(userId: string, status?: FeeStatus): Promise<AlmaFee[]> {
    const spec: CallSpec = {
      operation: 'listUserFees',
      method: 'GET',
      path: `/users/${seg(userId)}/fees`,
      query: { status },
    };
    return this.#request(spec, (res) => {
      const page = this.#decode(spec, res, AlmaFeeListSchema);
      return this.#whole(spec, page.fee, page.total_record_count);
    });
  }

  // --- Plumbing --------------------------------------------------------------------------------------------------

  /** Pages with the maximum limit until total_record_count is reached: Alma silently truncates to 10 otherwise. */
  async #loanPages(operation: string, path: string, status: LoanStatus): Promise<AlmaLoan[]> {
    const byId = new Map<string, AlmaLoan>();
    let offset = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const spec: CallSpec = {
        operation,
        method: 'GET',
        path,
        query: { loan_status: status, limit: PAGE_LIMIT, offset },
      };
      const { item_loan: loans, total_record_count: total } = await this.#request(spec, (res) =>
        this.#decode(spec, res, AlmaLoanListSchema),
      );
      // Records may shift between pages while Alma changes underneath: keep each loan once.
      for (const loan of loans) if (!byId.has(loan.loan_id)) byId.set(loan.loan_id, loan);
      offset += loans.length;
      if (loans.length === 0 || offset >= (total ?? offset)) return [...byId.values()];
    }
    throw this.#error(
      { operation, method: 'GET', path },
      {
        kind: 'invalid-response',
        retryable: false,
        code: AlmaErrorCodes.INVALID_RESPONSE,
        almaMessage: 'too many pages',
      },
    );
  }

  /** An unpaged list must hold every record Alma counted; a partial queue or fee list must never pass as whole. */
  #whole<T>(spec: CallSpec, records: T[], total: number | undefined): T[] {
    if (total !== undefined && total > records.length) {
      throw this.#error(spec, {
        kind: 'invalid-response',
        retryable: false,
        code: AlmaErrorCodes.INVALID_RESPONSE,
        almaMessage: `Alma returned ${records.length} of ${total} records and this path takes no paging parameters`,
      });
    }
    return records;
  }

  /** Runs one call, retrying a GET or PUT after a retryable error. POST and DELETE go out exactly once. */
  async #request<T>(spec: CallSpec, decode: (res: RawResponse) => T): Promise<T> {
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
      throw this.#error(spec, {
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
    return this.#error(spec, {
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
    return this.#error(spec, {
      kind: timeout ? 'timeout' : 'network',
      retryable: true,
      code: timeout ? AlmaErrorCodes.TIMEOUT : AlmaErrorCodes.NETWORK,
      almaMessage: timeout
        ? `no answer within ${this.timeoutMs} ms (the call may still have been applied)`
        : `${code ?? 'network error'}: ${typeof e.message === 'string' ? e.message : String(err)}`,
    });
  }

  #error(
    spec: Pick<CallSpec, 'operation' | 'method' | 'path'>,
    init: {
      kind: AlmaErrorKind;
      retryable: boolean;
      status?: number;
      code?: string;
      almaMessage?: string;
      trackingId?: string;
    },
  ): AlmaError {
    return new AlmaError({
      ...init,
      almaMessage: init.almaMessage === undefined ? undefined : this.#redact(init.almaMessage),
      operation: spec.operation,
      method: spec.method,
      path: `${ALMA_BASE_PATH}${spec.path}`,
    });
  }

  #redact(text: string): string {
    return this.#apiKey.length >= 4 ? text.split(this.#apiKey).join('[redacted]') : text;
  }

  #invalid(spec: CallSpec, res: RawResponse, almaMessage: string): AlmaError {
    return this.#error(spec, {
      kind: 'invalid-response',
      retryable: false,
      status: res.status,
      code: AlmaErrorCodes.INVALID_RESPONSE,
      almaMessage,
    });
  }

  #json(spec: CallSpec, res: RawResponse): unknown {
    if (res.status < 200 || res.status >= 300) throw this.#invalid(spec, res, `unexpected HTTP ${res.status}`);
    let data: unknown;
    try {
      data = JSON.parse(res.body);
    } catch {
      throw this.#invalid(spec, res, `the answer is not JSON (${res.contentType || 'no content type'})`);
    }
    // An error body inside a 2xx: still an error.
    if ((data as { errorsExist?: unknown } | null)?.errorsExist === true) {
      const body = parseErrorBody(res.body, 'application/json');
      throw this.#error(spec, {
        ...classifyHttpError(400, body.code),
        status: res.status,
        code: body.code,
        almaMessage: body.message,
        trackingId: body.trackingId,
      });
    }
    return data;
  }

  #decode<S extends z.ZodType>(spec: CallSpec, res: RawResponse, schema: S): z.infer<S> {
    const parsed = schema.safeParse(this.#json(spec, res));
    if (!parsed.success) throw this.#invalid(spec, res, `unexpected shape: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }

  /** Users come back exactly as Alma sent them (not zod's rebuilt copy), so a PUT returns every byte it got. */
  #userFrom(spec: CallSpec, res: RawResponse): AlmaUser {
    const data = this.#json(spec, res);
    const parsed = AlmaUserSchema.safeParse(data);
    if (!parsed.success) throw this.#invalid(spec, res, `unexpected shape: ${describeIssues(parsed.error)}`);
    return data as AlmaUser;
  }

  #refFromLocation(spec: CallSpec, location: string | undefined): ItemRef {
    const path = location ? safeUrl(location, this.baseUrl)?.pathname : undefined;
    const m = path ? itemPathPattern.exec(path) : null;
    if (!m?.[1] || !m[2] || !m[3]) {
      throw this.#error(spec, {
        kind: 'invalid-response',
        retryable: false,
        code: AlmaErrorCodes.INVALID_RESPONSE,
        almaMessage: location ? 'redirect to an unexpected path' : 'redirect without a Location',
      });
    }
    return { mmsId: decodeURIComponent(m[1]), holdingId: decodeURIComponent(m[2]), itemPid: decodeURIComponent(m[3]) };
  }
}

function safeUrl(url: string, base: string): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}
