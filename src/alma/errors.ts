// One error type for everything that can go wrong talking to Alma, with a verdict callers can act on:
// `retryable` says whether trying again later may succeed, `kind` says why. Nothing here holds the API key or a
// request's query string (which may carry a barcode or the like); only the method and the path.
import { XMLParser } from 'fast-xml-parser';
import type { z } from 'zod';
import { AlmaErrorBodySchema } from './schemas';

export type AlmaErrorKind =
  | 'not-found'
  | 'unauthorized'
  | 'rate-limit'
  | 'daily-limit'
  | 'server'
  | 'network'
  | 'timeout'
  | 'business'
  | 'invalid-response'
  | 'quota-floor'
  // Set by the caller's bounds: the step was cancelled, or its time was up before the call could be sent.
  | 'cancelled'
  | 'deadline';

/** Alma error codes the relink reacts to. Values are Alma's own `errorCode` strings. */
export const AlmaErrorCodes = {
  USER_NOT_FOUND: '401861',
  USER_NOT_FOUND_FOR_ID_TYPE: '401890',
  NO_ITEM_FOR_BARCODE: '401689',
  ILLEGAL_BARCODE: '401690',
  ITEM_NOT_LOANABLE: '401651',
  DESK_CANNOT_LOAN_ITEM: '401153',
  LOAN_LIMIT_REACHED: '401161',
  USER_BLOCKED: '401163',
  USER_BLOCKED_FROM_LOAN: '401201',
  USER_CARD_EXPIRED: '401168',
  PARALLEL_LOAN: '401198',
  ALREADY_LOANED_TO_USER: '400042',
  CANNOT_RENEW: '401822',
  LOAN_NOT_FOUND: '401823',
  NO_ITEMS_CAN_FULFIL_REQUEST: '401129',
  DUPLICATE_REQUEST: '401136',
  PICKUP_DESK_NOT_FOUND: '401895',
  REQUEST_NOT_FOUND: '401694',
  REQUEST_ITEM_NOT_FOUND: '60328',
  REQUEST_CREATE_FAILED: '60331',
  SCAN_IN_FAILED: '402502',
  SCAN_IN_ITEM_RETRIEVE_FAILED: '402504',
  SCAN_IN_MISSING_DESK: '40166415',
  EXTERNAL_ID_MISMATCH: '401858',
  USER_UPDATE_FAILED: '401860',
  USER_MISSING_FIELD: '401664',
  INVALID_FIELD: '40166404',
  GENERAL_ERROR: '401652',
  API_RESTRICTED_BY_LIBRARY: '60340',
  RESTRICTED_PROFILE_INVALID: '60258',
  PER_SECOND_THRESHOLD: 'PER_SECOND_THRESHOLD',
  DAILY_THRESHOLD: 'DAILY_THRESHOLD',
  UNAUTHORIZED: 'UNAUTHORIZED',
  INVALID_REQUEST: 'INVALID_REQUEST',
  FORBIDDEN: 'FORBIDDEN',
  // Codes this client sets itself, for failures Alma never answered.
  NETWORK: 'NETWORK',
  TIMEOUT: 'TIMEOUT',
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  QUOTA_FLOOR: 'QUOTA_FLOOR',
  CANCELLED: 'CANCELLED',
  DEADLINE: 'DEADLINE',
} as const;

const notFoundCodes: ReadonlySet<string> = new Set([
  AlmaErrorCodes.USER_NOT_FOUND,
  AlmaErrorCodes.USER_NOT_FOUND_FOR_ID_TYPE,
  AlmaErrorCodes.NO_ITEM_FOR_BARCODE,
  AlmaErrorCodes.LOAN_NOT_FOUND,
  AlmaErrorCodes.REQUEST_NOT_FOUND,
  AlmaErrorCodes.REQUEST_ITEM_NOT_FOUND,
]);
const unauthorizedCodes: ReadonlySet<string> = new Set([
  AlmaErrorCodes.UNAUTHORIZED,
  AlmaErrorCodes.INVALID_REQUEST,
  AlmaErrorCodes.FORBIDDEN,
]);

export interface AlmaErrorInit {
  kind: AlmaErrorKind;
  retryable: boolean;
  method: string;
  path: string;
  status?: number;
  code?: string;
  almaMessage?: string;
  trackingId?: string;
  /** Which client method was running, e.g. `getUser`. */
  operation?: string;
}

// A registry-independent brand: jest gives each test file its own module registry, so `instanceof` can fail for an
// error thrown by another copy of this module.
const brand = Symbol.for('alma-relink.AlmaError');

export class AlmaError extends Error {
  readonly kind: AlmaErrorKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly code?: string;
  readonly almaMessage: string;
  readonly trackingId?: string;
  readonly method: string;
  readonly path: string;
  readonly operation?: string;

  constructor(init: AlmaErrorInit) {
    const what = `${init.operation ? `${init.operation} ` : ''}(${init.method} ${init.path})`;
    const detail = [init.status ? `HTTP ${init.status}` : undefined, init.code, init.almaMessage]
      .filter(Boolean)
      .join(' ');
    super(`Alma ${what} failed [${init.kind}${init.retryable ? ', retryable' : ''}]: ${detail || 'no detail'}`);
    this.name = 'AlmaError';
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.status = init.status;
    this.code = init.code;
    this.almaMessage = init.almaMessage ?? '';
    this.trackingId = init.trackingId;
    this.method = init.method;
    this.path = init.path;
    this.operation = init.operation;
    Object.defineProperty(this, brand, { value: true });
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      retryable: this.retryable,
      status: this.status,
      code: this.code,
      almaMessage: this.almaMessage,
      trackingId: this.trackingId,
      method: this.method,
      path: this.path,
      operation: this.operation,
    };
  }
}

export function isAlmaError(err: unknown): err is AlmaError {
  if (err instanceof AlmaError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Record<PropertyKey, unknown>;
  return e[brand] === true && typeof e.kind === 'string' && typeof e.retryable === 'boolean';
}

/** Whether `err` is an Alma error carrying one of `codes`. */
export function hasAlmaCode(err: unknown, ...codes: string[]): err is AlmaError {
  return isAlmaError(err) && err.code !== undefined && codes.includes(err.code);
}

/** What an error body said, whatever its format. */
export interface ParsedErrorBody {
  code?: string;
  message?: string;
  trackingId?: string;
  format: 'json' | 'xml' | 'html' | 'text' | 'empty';
}

const xml = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true });
const maxMessage = 300;

function fromAlmaObject(obj: unknown): Omit<ParsedErrorBody, 'format'> | undefined {
  // JSON bodies are usually bare; XML always has the web_service_result root, and some JSON answers keep it too.
  const unwrapped = (obj as { web_service_result?: unknown } | null)?.web_service_result ?? obj;
  const parsed = AlmaErrorBodySchema.safeParse(unwrapped);
  if (!parsed.success) return undefined;
  const first = parsed.data.errorList?.error[0];
  if (!first) return undefined;
  return { code: first.errorCode, message: first.errorMessage, trackingId: first.trackingId };
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, maxMessage);

/** Reads Alma's error body as JSON, as XML (`web_service_result`), or as whatever a proxy sent (HTML, text, nothing). */
export function parseErrorBody(body: string | undefined, contentType = ''): ParsedErrorBody {
  const text = (body ?? '').trim();
  if (!text) return { format: 'empty' };
  if (text.startsWith('{') || /json/i.test(contentType)) {
    try {
      const found = fromAlmaObject(JSON.parse(text));
      if (found) return { ...found, format: 'json' };
    } catch {
      /* not JSON after all: fall through */
    }
  }
  const looksHtml = /html/i.test(contentType) || /^<!doctype html|^<html/i.test(text);
  if (!looksHtml && text.startsWith('<')) {
    try {
      const found = fromAlmaObject(xml.parse(text));
      if (found) return { ...found, format: 'xml' };
    } catch {
      /* malformed XML: fall through */
    }
  }
  if (looksHtml || text.startsWith('<')) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
    const plain = (title ?? text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ')).trim();
    return { message: squash(plain) || undefined, format: 'html' };
  }
  return { message: squash(text), format: 'text' };
}

/** The verdict for an HTTP error answer. */
export function classifyHttpError(
  status: number,
  code: string | undefined,
): { kind: AlmaErrorKind; retryable: boolean } {
  if (code === AlmaErrorCodes.DAILY_THRESHOLD) return { kind: 'daily-limit', retryable: false };
  if (code === AlmaErrorCodes.PER_SECOND_THRESHOLD) return { kind: 'rate-limit', retryable: true };
  // A 429 without a readable code is most likely the per-second threshold: retry, slowly.
  if (status === 429) return { kind: 'rate-limit', retryable: true };
  if (status >= 500) return { kind: 'server', retryable: true };
  if (status === 401 || status === 403 || (code !== undefined && unauthorizedCodes.has(code))) {
    return { kind: 'unauthorized', retryable: false };
  }
  if (status === 404 || (code !== undefined && notFoundCodes.has(code))) return { kind: 'not-found', retryable: false };
  return { kind: 'business', retryable: false };
}

/** Names the fields that failed and why, never their values (they may be personal data). */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => {
    const expected = 'expected' in i && typeof i.expected === 'string' ? ` (expected ${i.expected})` : '';
    return `${i.path.map(String).join('.') || '(root)'}: ${i.code}${expected}`;
  });
  const more = error.issues.length > 3 ? ` and ${error.issues.length - 3} more` : '';
  return `${shown.join('; ')}${more}`;
}
