// What a caller sees of one exchange with Alma: a 2xx JSON answer checked against its schema, or an AlmaError made
// from an HTTP error answer, an answer Alma should not have given, or a failure of the transport itself. Every
// AlmaError is made by almaError, so its message passes through the line's key redaction.
import type { z } from 'zod';
import {
  AlmaError,
  AlmaErrorCodes,
  classifyHttpError,
  describeIssues,
  parseErrorBody,
  type AlmaErrorInit,
} from './errors';
import type { Line } from './line';
import { ALMA_BASE_PATH } from './region';

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

export type ErrorInit = Omit<AlmaErrorInit, 'operation' | 'method' | 'path'>;

/** What cuts the API key out of a message: the line, which alone holds the key. */
export type Redactor = Pick<Line, 'redact'>;

/** The one way an AlmaError is made, so every message passes through the key redaction. */
export function almaError(
  key: Redactor,
  spec: Pick<CallSpec, 'operation' | 'method' | 'path'>,
  init: ErrorInit,
): AlmaError {
  return new AlmaError({
    ...init,
    almaMessage: init.almaMessage === undefined ? undefined : key.redact(init.almaMessage),
    operation: spec.operation,
    method: spec.method,
    path: `${ALMA_BASE_PATH}${spec.path}`,
  });
}

/** An answer Alma should not have given: never retried. */
export function invalidAnswer(
  key: Redactor,
  spec: Pick<CallSpec, 'operation' | 'method' | 'path'>,
  almaMessage: string,
  res?: RawResponse,
): AlmaError {
  return almaError(key, spec, {
    kind: 'invalid-response',
    retryable: false,
    status: res?.status,
    code: AlmaErrorCodes.INVALID_RESPONSE,
    almaMessage,
  });
}

/** A 2xx JSON answer checked against `schema`; anything else is an error. */
export function decodeAnswer<S extends z.ZodType>(
  key: Redactor,
  spec: CallSpec,
  res: RawResponse,
  schema: S,
  keep?: Keep,
): z.infer<S> {
  const data = json(key, spec, res);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw invalidAnswer(key, spec, `unexpected shape: ${describeIssues(parsed.error)}`, res);
  return keep === 'as-sent' ? (data as z.infer<S>) : parsed.data;
}

function json(key: Redactor, spec: CallSpec, res: RawResponse): unknown {
  if (res.status < 200 || res.status >= 300) throw invalidAnswer(key, spec, `unexpected HTTP ${res.status}`, res);
  let data: unknown;
  try {
    data = JSON.parse(res.body);
  } catch {
    throw invalidAnswer(key, spec, `the answer is not JSON (${res.contentType || 'no content type'})`, res);
  }
  // An error body inside a 2xx: still an error.
  if ((data as { errorsExist?: unknown } | null)?.errorsExist === true) {
    const body = parseErrorBody(res.body, 'application/json');
    throw almaError(key, spec, {
      ...classifyHttpError(400, body.code),
      status: res.status,
      code: body.code,
      almaMessage: body.message,
      trackingId: body.trackingId,
    });
  }
  return data;
}

/** An answer of HTTP 400 or above, classified by its status and Alma's error code. */
export function httpError(key: Redactor, spec: CallSpec, res: RawResponse): AlmaError {
  const body = parseErrorBody(res.body, res.contentType);
  const verdict = classifyHttpError(res.status, body.code);
  return almaError(key, spec, {
    ...verdict,
    status: res.status,
    code: body.code,
    almaMessage: body.message ?? (body.format === 'empty' ? 'empty error body' : undefined),
    trackingId: body.trackingId,
  });
}

/**
 * A call that got no answer. `timedOutAfterMs`: the call's own timer fired after that long; `timeoutMs`: the client's
 * timeout, shown when the transport itself reports a timeout. Only the failure's code and message are kept: an axios
 * error carries the request config, headers and key included.
 */
export function transportError(
  key: Redactor,
  spec: CallSpec,
  err: unknown,
  timedOutAfterMs: number | undefined,
  timeoutMs: number,
): AlmaError {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const timeout = timedOutAfterMs !== undefined || code === 'ECONNABORTED' || code === 'ETIMEDOUT';
  return almaError(key, spec, {
    kind: timeout ? 'timeout' : 'network',
    retryable: true,
    code: timeout ? AlmaErrorCodes.TIMEOUT : AlmaErrorCodes.NETWORK,
    almaMessage: timeout
      ? `no answer within ${Math.round(timedOutAfterMs ?? timeoutMs)} ms (the call may still have been applied)`
      : `${code ?? 'network error'}: ${typeof e.message === 'string' ? e.message : String(err)}`,
  });
}
