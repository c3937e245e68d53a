// Alma's gateway check: the key comes as `Authorization: apikey <key>` (what clients use) or `?apikey=` (what
// the OpenAPI declares). A missing or wrong key is HTTP 400 UNAUTHORIZED, not 401.
import { timingSafeEqual } from 'node:crypto';
import { almaError } from './errors';

export function presentedKey(authorization: string | undefined, query: Record<string, string>): string | undefined {
  const header = /^\s*apikey\s+(\S+)\s*$/i.exec(authorization ?? '');
  return header?.[1] ?? query.apikey;
}

export function keyMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const unauthorized = () =>
  almaError('UNAUTHORIZED', 'API-key not defined or not configured to allow this API.', 400);
