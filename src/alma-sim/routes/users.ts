// GET and PUT /almaws/v1/users/{user_id}. PUT is Alma's "swap all": the body replaces the record, a list left
// out is removed, with the documented exceptions (roles kept when none sent; external id cannot change).
import { almaError, err } from '../errors';
import { userRecordSchema, type UserRecord } from '../fixtures';
import { clone, isActiveRequest } from '../store';
import { CURRENCY } from '../vocab';
import type { RouteDef } from './types';
import { jsonBody, oneOf } from './util';

const USER = '/almaws/v1/users/{user_id}';

// Fields of an external user that an empty value in the payload does not replace, unless named in `override`
// (key: the override name; value: the JSON field).
const EXTERNAL_PROTECTED: Record<string, string> = {
  user_group: 'user_group',
  job_category: 'job_category',
  pin_number: 'pin_number',
  preferred_language: 'preferred_language',
  campus_code: 'campus_code',
  rs_libraries: 'rs_library',
  user_title: 'user_title',
  pref_first_name: 'pref_first_name',
  pref_middle_name: 'pref_middle_name',
  pref_last_name: 'pref_last_name',
};

// view=brief: "only user's core information, emails, identifiers and statistics".
const BRIEF_FIELDS = [
  'record_type',
  'primary_id',
  'first_name',
  'middle_name',
  'last_name',
  'full_name',
  'user_title',
  'user_group',
  'account_type',
  'external_id',
  'status',
  'status_date',
  'expiry_date',
  'purge_date',
  'user_identifier',
  'user_statistic',
];

const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && 'value' in v && isEmpty((v as { value: unknown }).value));

function checkEmails(body: Record<string, unknown>, emailTypes: ReadonlySet<string>): void {
  const contact = body.contact_info as { email?: unknown } | undefined;
  const emails = contact?.email;
  if (emails === undefined) return;
  if (!Array.isArray(emails)) throw almaError('401676', 'No valid XML was given. (contact_info.email must be a list)');
  for (const e of emails as Array<Record<string, unknown>>) {
    if (typeof e?.email_address !== 'string' || e.email_address.trim() === '') {
      throw almaError('401664', 'Mandatory field is missing: email_address.');
    }
    const types = e.email_type;
    if (!Array.isArray(types) || types.length === 0) {
      throw almaError('401664', `Mandatory field is missing: email_type (email ${e.email_address}).`);
    }
    for (const t of types as Array<{ value?: unknown }>) {
      if (typeof t?.value !== 'string' || !emailTypes.has(t.value)) {
        throw almaError('401864', `Given email type (${String(t?.value)}) is invalid.`);
      }
    }
  }
}

// Role types that work at a circulation desk: Alma asks for their scope (the library) and the desk (a ServiceUnit
// parameter). A record stored before that rule, or loaded by a migration, still carries them without: Alma hands them
// out in the GET and refuses them in a PUT that sends them back.
const DESK_ROLES: Record<string, string> = {
  '32': 'Circulation Desk Operator',
  '221': 'Fulfillment Services Operator',
};

interface RoleRecord {
  role_type?: { value?: unknown };
  scope?: { value?: unknown };
  parameter?: Array<{ type?: { value?: unknown }; value?: { value?: unknown } }>;
}

/** Refuses the roles of a PUT as Alma does when a desk role lacks its scope or its service unit. */
function checkRoles(body: Record<string, unknown>): void {
  const roles = body.user_role;
  if (!Array.isArray(roles)) return;
  for (const role of roles as RoleRecord[]) {
    const name = DESK_ROLES[String(role?.role_type?.value ?? '')];
    if (name === undefined) continue;
    if (isEmpty(role.scope)) throw almaError('401664', `Mandatory field is missing: scope (role ${name}).`);
    const unit = (role.parameter ?? []).find((p) => p?.type?.value === 'ServiceUnit' && !isEmpty(p.value));
    if (!unit) throw almaError('401664', `Mandatory field is missing: service unit (role ${name}).`);
  }
}

/** A tenant that keeps only the first `max` characters of an email's description (the emailDescriptionMax setting). */
function trimDescriptions(record: UserRecord, max: number | undefined): void {
  if (max === undefined) return;
  for (const e of (record.contact_info?.email ?? []) as Array<{ description?: string | null }>) {
    if (typeof e.description === 'string' && e.description.length > max) e.description = e.description.slice(0, max);
  }
}

export const userRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: USER,
    query: ['user_id_type', 'view', 'expand', 'source_institution_code'],
    handler(req, { store }) {
      const idType = req.query.user_id_type || 'all_unique';
      const view = oneOf(req, 'view', ['full', 'brief'], 'full');
      const expand = (req.query.expand ?? 'none').split(',').map((e) => e.trim().toLowerCase());
      const unknown = expand.filter((e) => !['none', 'loans', 'requests', 'fees', ''].includes(e));
      if (unknown.length) throw err.badParameter(`expand=${req.query.expand}: expected loans, requests, fees or none.`);
      if (req.query.source_institution_code) {
        throw almaError(
          '4019990',
          `User with source identifier ${req.params.user_id} of institution ${req.query.source_institution_code} was not found.`,
        );
      }
      const user = store.requireUser(req.params.user_id ?? '', idType);
      let body: Record<string, unknown> = store.userView(user);
      if (view === 'brief') {
        const full = body;
        body = Object.fromEntries(BRIEF_FIELDS.filter((f) => f in full).map((f) => [f, full[f]]));
        body.contact_info = { email: clone(user.contact_info?.email ?? []) };
      }
      const id = user.primary_id;
      if (expand.includes('loans')) {
        body.loans = { value: store.loansOfUser(id).filter((l) => l.loan_status === 'ACTIVE').length };
      }
      if (expand.includes('requests')) {
        body.requests = { value: store.requests.filter((r) => r.user_primary_id === id && isActiveRequest(r)).length };
      }
      if (expand.includes('fees')) {
        const active = store.fees.filter((f) => store.feeUserId(f) === id && f.status.value === 'ACTIVE');
        body.fees = { value: active.reduce((sum, f) => sum + (f.balance ?? 0), 0), currency: CURRENCY };
      }
      return { status: 200, body };
    },
  },
  {
    method: 'PUT',
    path: USER,
    query: ['user_id_type', 'override', 'send_pin_number_letter', 'recalculate_roles', 'registration_rules', 'library'],
    handler(req, { store, options }) {
      const user = store.requireUser(req.params.user_id ?? '', req.query.user_id_type || 'all_unique');
      const body = jsonBody(req, '401676', 'No valid XML was given.');
      if (body.primary_id !== undefined && body.primary_id !== user.primary_id) {
        throw almaError('401859', 'Action currently not supported. (the simulator does not change a primary_id)');
      }
      // The third account type of Alma's Account Types table ("Internal with external authentication"): the PUT
      // takes only INTERNAL and EXTERNAL accounts.
      const accountType = String(user.account_type?.value ?? 'INTERNAL').toUpperCase();
      if (accountType !== 'INTERNAL' && accountType !== 'EXTERNAL') {
        throw almaError(
          '401855',
          "The account type 'Internal with external authentication' is currently not supported.",
        );
      }
      if (user.external_id && !isEmpty(body.external_id) && body.external_id !== user.external_id) {
        throw almaError(
          '401858',
          'The external id in DB does not fit the given value in xml - external id cannot be updated.',
        );
      }
      checkEmails(body, new Set(options.emailTypes));
      checkRoles(body);

      const next: Record<string, unknown> = clone(body);
      next.primary_id = user.primary_id;
      if (user.external_id && isEmpty(body.external_id)) next.external_id = user.external_id;
      // "If the incoming object has no roles, the existing roles are kept."
      if (isEmpty(body.user_role) && user.user_role !== undefined) next.user_role = clone(user.user_role);
      // The GET hands out password "": sending that back leaves the password as it was.
      if (isEmpty(body.password)) {
        if ('password' in user) next.password = user.password;
        else delete next.password;
      } else {
        next.password = '';
      }
      if (user.account_type?.value === 'EXTERNAL') {
        const overrides = new Set((req.query.override ?? '').split(',').map((o) => o.trim()));
        for (const [name, field] of Object.entries(EXTERNAL_PROTECTED)) {
          if (!overrides.has(name) && isEmpty(body[field]) && field in user) next[field] = clone(user[field]);
        }
      }
      const parsed = userRecordSchema.safeParse(next);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw almaError('401676', `No valid XML was given. (${first?.path.join('.')}: ${first?.message})`);
      }
      const record = next as UserRecord; // as sent (key order kept), now known to be a valid user record
      trimDescriptions(record, options.emailDescriptionMax);
      store.replaceUser(user.primary_id, record);
      return { status: 200, body: store.userView(record) };
    },
  },
];
