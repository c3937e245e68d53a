// GET /almaws/v1/users: Alma's "Retrieve users", a brief search by `q` (field~words, terms joined by AND), paged by
// limit/offset, sorted by last name, first name and primary id. Each user comes brief (no contact details) unless
// expand=full.
import { err } from '../errors';
import type { UserRecord } from '../fixtures';
import type { SimStore } from '../store';
import type { RouteDef } from './types';
import { listBody, page } from './util';

/** The text of each searchable field. Alma matches words; here a case-insensitive substring, which finds no less. */
const FIELDS: Record<string, (u: UserRecord) => string[]> = {
  primary_id: (u) => [u.primary_id],
  first_name: (u) => [u.first_name ?? ''],
  last_name: (u) => [u.last_name ?? ''],
  email: (u) => (u.contact_info?.email ?? []).map((e) => e.email_address),
  phone_number: (u) => (u.contact_info?.phone ?? []).map((p) => p.phone_number),
  identifiers: (u) => (u.user_identifier ?? []).map((i) => i.value),
};

// What a brief user of the list carries (the rest_users list answers core fields and a link).
const LIST_FIELDS = [
  'primary_id',
  'first_name',
  'last_name',
  'user_group',
  'account_type',
  'status',
  'expiry_date',
  'purge_date',
];

function matcher(q: string): (u: UserRecord) => boolean {
  if (q.trim() === '') return () => true;
  const terms = q.split(/\s+AND\s+/).map((term) => {
    const at = term.indexOf('~');
    const field = term.slice(0, at).trim();
    const words = term
      .slice(at + 1)
      .trim()
      .toLowerCase();
    const values = FIELDS[field];
    if (at < 0 || !values || words === '') {
      throw err.badParameter(`q=${q}: expected field~words with a field of ${Object.keys(FIELDS).join(', ')}.`);
    }
    return (u: UserRecord) => values(u).some((v) => v.toLowerCase().includes(words));
  });
  return (u) => terms.every((t) => t(u));
}

const sortKey = (u: UserRecord) => [u.last_name ?? '', u.first_name ?? '', u.primary_id];
function byName(a: UserRecord, b: UserRecord): number {
  const [x, y] = [sortKey(a), sortKey(b)];
  const i = x.findIndex((v, k) => v !== y[k]);
  return i < 0 ? 0 : x[i]!.localeCompare(y[i]!);
}

function listed(store: SimStore, user: UserRecord, full: boolean, baseUrl: string): Record<string, unknown> {
  const view: Record<string, unknown> = store.userView(user);
  const out = full ? view : Object.fromEntries(LIST_FIELDS.filter((f) => f in view).map((f) => [f, view[f]]));
  return { ...out, link: `${baseUrl}/almaws/v1/users/${user.primary_id}` };
}

export const userSearchRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/almaws/v1/users',
    query: [
      'limit',
      'offset',
      'q',
      'order_by',
      'source_institution_code',
      'source_user_id',
      'expand',
      'modify_date_from',
    ],
    handler(req, { store }) {
      if (req.query.q && req.query.modify_date_from) {
        throw err.badParameter('q and modify_date_from are mutually exclusive.');
      }
      const found = store.users.filter(matcher(req.query.q ?? '')).sort(byName);
      const full = (req.query.expand ?? '').toLowerCase() === 'full';
      const users = page(req, found).map((u) => listed(store, u, full, req.baseUrl));
      return { status: 200, body: listBody('user', users, found.length) };
    },
  },
];
