// The fixture file: Alma's own JSON shapes for users, items, loans, requests and fees, plus the libraries and
// their circulation desks (which Alma keeps in configuration). Objects are loose: every field the schema does
// not name is kept as is, so a fixture round-trips unchanged.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const codeValue = z.looseObject({ value: z.string(), desc: z.string().nullish() });

const deskSchema = z.union([
  z.string().min(1),
  // hold_shelf_processing: the desk's "Hold shelf processing" setting (Configuration → Fulfillment → Circulation Desks).
  z.looseObject({
    code: z.string().min(1),
    name: z.string().optional(),
    hold_shelf_processing: z.boolean().optional(),
  }),
]);

const librarySchema = z.looseObject({
  code: z.string().min(1),
  name: z.string().optional(),
  circ_desks: z.array(deskSchema).optional(),
});

const emailSchema = z.looseObject({
  email_address: z.string(),
  preferred: z.boolean().optional(),
  email_type: z.array(z.looseObject({ value: z.string() })).optional(),
});

const phoneSchema = z.looseObject({
  phone_number: z.string(),
  preferred: z.boolean().optional(),
  preferred_sms: z.boolean().optional(),
});

export const userRecordSchema = z.looseObject({
  primary_id: z.string().min(1),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  status: codeValue.optional(),
  expiry_date: z.string().optional(),
  external_id: z.string().optional(),
  account_type: codeValue.optional(),
  password: z.string().optional(),
  contact_info: z
    .looseObject({ email: z.array(emailSchema).optional(), phone: z.array(phoneSchema).optional() })
    .optional(),
  user_identifier: z.array(z.looseObject({ id_type: codeValue.optional(), value: z.string() })).optional(),
  user_role: z.array(z.unknown()).optional(),
  user_block: z
    .array(z.looseObject({ block_status: z.string().optional(), expiry_date: z.string().optional() }))
    .optional(),
});

const itemSchema = z.looseObject({
  bib_data: z.looseObject({ mms_id: z.string().min(1), title: z.string().optional(), author: z.string().nullish() }),
  holding_data: z.looseObject({ holding_id: z.string().min(1), call_number: z.string().optional() }),
  item_data: z.looseObject({
    pid: z.string().min(1),
    barcode: z.string().min(1),
    base_status: codeValue.optional(),
    process_type: z.looseObject({ value: z.string(), desc: z.string().nullish() }).optional(),
    library: codeValue,
    location: codeValue.optional(),
    policy: codeValue.optional(),
    requested: z.boolean().nullish(),
  }),
});

const loanSchema = z.looseObject({
  loan_id: z.string().min(1),
  user_id: z.string().min(1),
  item_id: z.string().optional(),
  item_barcode: z.string().optional(),
  loan_status: z.enum(['ACTIVE', 'COMPLETE']),
  process_status: z.string().optional(),
  due_date: z.string().optional(),
});

const requestSchema = z.looseObject({
  request_id: z.string().min(1),
  user_primary_id: z.string().min(1),
  /** Absent on a title-level request until a scan-in binds it to an item of its bib. */
  item_id: z.string().min(1).optional(),
  mms_id: z.string().min(1).optional(),
  request_type: z.string(),
  request_status: z.string(),
  place_in_queue: z.number().int().optional(),
  pickup_location_library: z.string().optional(),
});

const feeSchema = z.looseObject({
  id: z.string().min(1),
  user_primary_id: z.union([z.string().min(1), z.looseObject({ value: z.string().min(1) })]),
  type: codeValue,
  status: codeValue,
  balance: z.number().optional(),
  original_amount: z.number().optional(),
});

export const fixturesSchema = z
  .looseObject({
    libraries: z.array(librarySchema).default([]),
    users: z.array(userRecordSchema).default([]),
    items: z.array(itemSchema).default([]),
    loans: z.array(loanSchema).default([]),
    requests: z.array(requestSchema).default([]),
    fees: z.array(feeSchema).default([]),
  })
  .superRefine((f, ctx) => {
    // Referential integrity: a dangling id in a fixture is a test bug, better reported at load than mid-test.
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const unique = (list: string[], what: string, key: string) => {
      const seen = new Set<string>();
      list.forEach((id, i) => {
        if (seen.has(id)) issue([what, i, key], `duplicate ${key} ${id}`);
        seen.add(id);
      });
    };
    const keyed: Array<[string, string, string[]]> = [
      ['libraries', 'code', f.libraries.map((l) => l.code)],
      ['users', 'primary_id', f.users.map((u) => u.primary_id)],
      ['items', 'pid', f.items.map((i) => i.item_data.pid)],
      ['items', 'barcode', f.items.map((i) => i.item_data.barcode)],
      ['loans', 'loan_id', f.loans.map((l) => l.loan_id)],
      ['requests', 'request_id', f.requests.map((r) => r.request_id)],
      ['fees', 'id', f.fees.map((x) => x.id)],
    ];
    for (const [what, key, list] of keyed) unique(list, what, key);
    const users = new Set(f.users.map((u) => u.primary_id));
    const pids = new Set(f.items.map((i) => i.item_data.pid));
    const barcodes = new Set(f.items.map((i) => i.item_data.barcode));
    const activeLoanItems = new Set<string>();
    f.loans.forEach((l, i) => {
      if (!users.has(l.user_id)) issue(['loans', i, 'user_id'], `unknown user ${l.user_id}`);
      const known = l.item_id ? pids.has(l.item_id) : l.item_barcode ? barcodes.has(l.item_barcode) : false;
      if (!known) issue(['loans', i, 'item_id'], `loan ${l.loan_id} names no known item (item_id or item_barcode)`);
      const key = l.item_id ?? l.item_barcode ?? '';
      if (l.loan_status === 'ACTIVE') {
        if (activeLoanItems.has(key)) issue(['loans', i], `a second active loan on item ${key}`);
        activeLoanItems.add(key);
      }
    });
    f.requests.forEach((r, i) => {
      if (!users.has(r.user_primary_id)) issue(['requests', i, 'user_primary_id'], `unknown user ${r.user_primary_id}`);
      if (r.item_id !== undefined) {
        if (!pids.has(r.item_id)) issue(['requests', i, 'item_id'], `unknown item ${r.item_id}`);
      } else if (!f.items.some((it) => it.bib_data.mms_id === r.mms_id)) {
        issue(['requests', i, 'mms_id'], `a title-level request needs the mms_id of a known bib, not ${r.mms_id}`);
      }
    });
    f.fees.forEach((x, i) => {
      const uid = typeof x.user_primary_id === 'string' ? x.user_primary_id : x.user_primary_id.value;
      if (!users.has(uid)) issue(['fees', i, 'user_primary_id'], `unknown user ${uid}`);
    });
  });

/** What a caller passes in: any of the lists may be left out. */
export type Fixtures = z.input<typeof fixturesSchema>;
/** The validated form the store works on. */
export type SimFixtures = z.output<typeof fixturesSchema>;
export type LibraryRecord = SimFixtures['libraries'][number];
export type UserRecord = SimFixtures['users'][number];
export type ItemRecord = SimFixtures['items'][number];
export type LoanRecord = SimFixtures['loans'][number];
export type RequestRecord = SimFixtures['requests'][number];
export type FeeRecord = SimFixtures['fees'][number];

export class FixtureError extends Error {}

/** Validates fixtures (from a file, a reset body or a test); throws a FixtureError listing every problem. */
export function parseFixtures(raw: unknown, source = 'fixtures'): SimFixtures {
  const parsed = fixturesSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new FixtureError(`${source} are not valid:\n${lines.join('\n')}`);
  }
  // zod's output puts the fields it names first; keep the caller's objects (key order included) instead.
  return { ...parsed.data, ...structuredClone(raw as object) } as SimFixtures;
}

export function loadFixtures(file: string): SimFixtures {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FixtureError(`cannot read fixtures ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseFixtures(raw, `fixtures ${file}`);
}
