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

/**
 * An API key's permissions per area, as set in the Developer Network: read-write, read-only or none. The relink
 * needs Users and Bibs read-write; `relink doctor` reads Configuration.
 */
export type Permission = 'read-write' | 'read-only' | 'none';
export interface KeyPermissions {
  users: Permission;
  bibs: Permission;
  conf: Permission;
}
export const FULL_KEY: KeyPermissions = { users: 'read-write', bibs: 'read-write', conf: 'read-only' };

/** The API area of a path under /almaws/v1: /users…, /bibs… and /items… (Bibs), /conf…. */
function areaOf(path: string): keyof KeyPermissions | undefined {
  const first = /^\/almaws\/v1\/([^/?]+)/.exec(path)?.[1];
  if (first === 'users') return 'users';
  if (first === 'bibs' || first === 'items') return 'bibs';
  if (first === 'conf') return 'conf';
  return undefined;
}

/** Whether the key's permissions allow this call: a GET needs read, anything else read-write. */
export function permits(permissions: KeyPermissions, method: string, path: string): boolean {
  const area = areaOf(path);
  if (!area) return true;
  const granted = permissions[area];
  return method === 'GET' ? granted !== 'none' : granted === 'read-write';
}

/** `users=read-only,conf=none`: the --key-permissions option; an area left out keeps its full permission. */
export function parseKeyPermissions(text: string): Partial<KeyPermissions> {
  const out: Partial<KeyPermissions> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [area, permission] = pair.split('=').map((p) => p.trim());
    if (!area || !(area in FULL_KEY)) throw new Error(`unknown API area "${area}" (users, bibs or conf)`);
    if (!['read-write', 'read-only', 'none'].includes(permission ?? ''))
      throw new Error(`${area}: the permission must be read-write, read-only or none`);
    out[area as keyof KeyPermissions] = permission as Permission;
  }
  return out;
}
