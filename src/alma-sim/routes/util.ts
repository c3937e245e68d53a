// Parameter and body helpers shared by the route handlers, with Alma's conventions: booleans as 'true'/'false',
// paging by limit/offset with silent truncation, and list bodies that leave out an empty list.
import { almaError, err } from '../errors';
import type { ApiRequest } from './types';

export function jsonBody(req: ApiRequest, code: string, message: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = req.rawBody.trim() === '' ? undefined : JSON.parse(req.rawBody);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw almaError(code, `${message} (the simulator accepts a JSON object body only)`);
  }
  return body as Record<string, unknown>;
}

export function required(req: ApiRequest, name: string): string {
  const value = req.query[name];
  if (!value) throw err.badParameter(`${name} is mandatory.`);
  return value;
}

/** One of the allowed values, compared case-insensitively; returns the canonical spelling. */
export function oneOf<T extends string>(req: ApiRequest, name: string, allowed: readonly T[], fallback: T): T {
  const value = req.query[name];
  if (value === undefined || value === '') return fallback;
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw err.badParameter(`${name}=${value}: expected one of ${allowed.join(', ')}.`);
  return found;
}

export function flag(req: ApiRequest, name: string, fallback: boolean): boolean {
  const value = req.query[name];
  if (value === undefined || value === '') return fallback;
  if (value.toLowerCase() === 'true') return true;
  if (value.toLowerCase() === 'false') return false;
  throw err.badParameter(`${name}=${value}: expected true or false.`);
}

function integer(req: ApiRequest, name: string, fallback: number, min: number, max: number): number {
  const value = req.query[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw err.badParameter(`${name}=${value}: expected ${min}-${max}.`);
  return n;
}

/** limit (default 10, 0-100) and offset, as the OpenAPI declares them; Alma truncates silently. */
export function page<T>(req: ApiRequest, list: T[]): T[] {
  const limit = integer(req, 'limit', 10, 0, 100);
  const offset = integer(req, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  return list.slice(offset, offset + limit);
}

/** Alma leaves an empty list out of the JSON altogether: {"total_record_count":0}. */
export function listBody(key: string, list: unknown[], total: number, extra: Record<string, unknown> = {}) {
  return list.length > 0
    ? { [key]: list, total_record_count: total, ...extra }
    : { total_record_count: total, ...extra };
}

export function codeOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { value?: unknown }).value === 'string') {
    return (value as { value: string }).value;
  }
  return undefined;
}
