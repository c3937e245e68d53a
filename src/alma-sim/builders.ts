// Records for the simulator, in Alma's own shapes: the one place the tests, the chaos runs and the benchmark build
// patrons, items, hold requests and loans, and the simulated library those records live in. Each builder returns
// the simulator's own fixture type, so a record the simulator would refuse does not compile.
import { readFileSync } from 'node:fs';
import { exampleFixturesPath } from './index';
import type { Fixtures, FeeRecord, ItemRecord, LoanRecord, RequestRecord, UserRecord } from './fixtures';
import { BASE_STATUS, PATRON_PHYSICAL } from './vocab';

export type { FeeRecord, ItemRecord, LoanRecord, RequestRecord, UserRecord } from './fixtures';

// --- the simulated library --------------------------------------------------------------------------------------

/** The library's holding address: the patron's notices go there while a relink runs. */
export const HOLDING_EMAIL = 'relink-holding@library.example.edu';
/** The circulation desk of each library in the example fixtures, as a relink is given them. */
export const DESKS = { deskByLibrary: { MAIN: 'DEFAULT_CIRC_DESK', SCI: 'SCI_DESK' } };
/** The same desks as the ALMA_DESK_MAP setting spells them: MAIN=DEFAULT_CIRC_DESK,SCI=SCI_DESK. */
export const DESK_MAP = Object.entries(DESKS.deskByLibrary)
  .map(([library, desk]) => `${library}=${desk}`)
  .join(',');

// --- fixture sets -----------------------------------------------------------------------------------------------

/** Alma's example objects (fixtures/alma-example.json), a fresh copy each call. */
export function exampleFixtures(): Fixtures {
  return JSON.parse(readFileSync(exampleFixturesPath, 'utf8')) as Fixtures;
}

export interface FixtureRecords {
  users?: UserRecord[];
  items?: ItemRecord[];
  requests?: RequestRecord[];
  loans?: LoanRecord[];
  fees?: FeeRecord[];
}

/** The example fixtures plus the records a test, a chaos run or the benchmark adds: each builds its own state. */
export function fixturesWith(records: FixtureRecords): Fixtures {
  const base = exampleFixtures();
  return {
    ...base,
    users: [...(base.users ?? []), ...(records.users ?? [])],
    items: [...(base.items ?? []), ...(records.items ?? [])],
    requests: [...(base.requests ?? []), ...(records.requests ?? [])],
    loans: [...(base.loans ?? []), ...(records.loans ?? [])],
    fees: [...(base.fees ?? []), ...(records.fees ?? [])],
  };
}

/**
 * The fixtures with a library's loan rules (`loan_policy`, its fulfillment unit's): `api_restricted` lends only at the
 * desks (Alma's 60340 to the API), `max_loans` and `fine_limit` refuse the patron at the loan (401652).
 */
export function withLoanPolicy(
  fixtures: Fixtures,
  libraryCode: string,
  policy: { api_restricted?: boolean; max_loans?: number; fine_limit?: number },
): Fixtures {
  return {
    ...fixtures,
    libraries: (fixtures.libraries ?? []).map((l) => (l.code === libraryCode ? { ...l, loan_policy: policy } : l)),
  };
}

/** The fixtures with hold-shelf processing set on these desks (their "Hold shelf processing" in Alma). */
export function withHoldShelfProcessing(fixtures: Fixtures, deskCodes: readonly string[]): Fixtures {
  return {
    ...fixtures,
    libraries: (fixtures.libraries ?? []).map((library) => ({
      ...library,
      circ_desks: (library.circ_desks ?? []).map((desk) => {
        const code = typeof desk === 'string' ? desk : desk.code;
        if (!deskCodes.includes(code)) return desk;
        return { ...(typeof desk === 'string' ? { code: desk } : desk), hold_shelf_processing: true };
      }),
    })),
  };
}

// --- patrons ----------------------------------------------------------------------------------------------------

type ContactInfo = NonNullable<UserRecord['contact_info']>;
export type EmailRecord = NonNullable<ContactInfo['email']>[number];
export type PhoneRecord = NonNullable<ContactInfo['phone']>[number];

/** The descriptions Alma's code tables give the email and phone types the builders use. */
const TYPE_DESC: Record<string, string> = { personal: 'Personal', work: 'Work', mobile: 'Mobile', home: 'Home' };

/** One of a patron's emails: their preferred personal one, in the Internal segment, unless told otherwise. */
export function email(
  address: string,
  opts: { preferred?: boolean; type?: string; description?: string | null; segment?: 'Internal' | 'External' } = {},
): EmailRecord {
  const type = opts.type ?? 'personal';
  return {
    email_address: address,
    description: opts.description ?? null,
    preferred: opts.preferred ?? true,
    segment_type: opts.segment ?? 'Internal',
    email_type: [{ value: type, desc: TYPE_DESC[type] ?? null }],
  };
}

/** A patron's mobile phone: their preferred one, and then their SMS number, unless told otherwise. */
export function phone(
  number: string,
  opts: { preferred?: boolean; sms?: boolean; type?: string; segment?: 'Internal' | 'External' } = {},
): PhoneRecord {
  const preferred = opts.preferred ?? true;
  const type = opts.type ?? 'mobile';
  return {
    phone_number: number,
    preferred,
    preferred_sms: opts.sms ?? preferred,
    segment_type: opts.segment ?? 'Internal',
    phone_type: [{ value: type, desc: TYPE_DESC[type] ?? null }],
  };
}

const ID_TYPE_DESC = { BARCODE: 'Barcode', UNIV_ID: 'University ID' } as const;

/** Another identifier of a patron (user_identifier): Alma's GET /users/{user_id} finds the patron by it too. */
export function userIdentifier(value: string, type: keyof typeof ID_TYPE_DESC = 'BARCODE') {
  return { id_type: { value: type, desc: ID_TYPE_DESC[type] }, value, status: 'ACTIVE', segment_type: 'Internal' };
}

export interface PatronOptions {
  /** Default: one email, `<id>@example.edu`, their preferred personal one. */
  emails?: EmailRecord[];
  /** Default: none. */
  phones?: PhoneRecord[];
  /** Default ACTIVE: Alma lends to an active patron only. */
  status?: 'ACTIVE' | 'INACTIVE';
  /** An active block on the account (unpaid fines): Alma lends them nothing. */
  blocked?: boolean;
  /** Their other identifiers (userIdentifier): default none. */
  identifiers?: ReturnType<typeof userIdentifier>[];
}

const STATUS_DESC = { ACTIVE: 'Active', INACTIVE: 'Inactive' } as const;

/**
 * A patron of the caller's own (parallel tests never share one), with a circulation note that a relink must leave as
 * it is. `extra` replaces any top-level field.
 */
export function patron(id: string, opts: PatronOptions = {}, extra: Partial<UserRecord> = {}): UserRecord {
  const status = opts.status ?? 'ACTIVE';
  return {
    record_type: { value: 'PUBLIC', desc: 'Public' },
    primary_id: id,
    first_name: 'Pat',
    last_name: id,
    user_group: { value: 'UNDERGRAD', desc: 'Undergraduate' },
    account_type: { value: 'INTERNAL', desc: 'Internal' },
    status: { value: status, desc: STATUS_DESC[status] },
    password: '',
    contact_info: {
      address: [],
      email: opts.emails ?? [email(`${id}@example.edu`)],
      phone: opts.phones ?? [],
    },
    user_identifier: opts.identifiers ?? [],
    user_note: [
      { note_type: { value: 'CIRCULATION' }, note_text: 'kept as is', user_viewable: false, segment_type: 'Internal' },
    ],
    user_block: opts.blocked
      ? [
          {
            block_type: { value: 'GENERAL', desc: 'General' },
            block_description: { value: 'Unpaid fines' },
            block_status: 'ACTIVE',
            segment_type: 'Internal',
          },
        ]
      : [],
    user_statistic: [],
    ...extra,
  };
}

// --- items ------------------------------------------------------------------------------------------------------

/** The Alma ids an item built here derives from its barcode (its last 8 digits), so a caller can name its paths. */
export function itemIds(barcode: string) {
  const n = barcode.replace(/\D/g, '').slice(-8).padStart(8, '0');
  return { mmsId: `99${n}0101`, holdingId: `22${n}0101`, itemPid: `23${n}0101` };
}

/**
 * An item of the MAIN library's stacks, in the state a closed lost loan leaves: MISSING unless `processType` says
 * otherwise ('' for an item in place).
 */
export function item(
  barcode: string,
  opts: { library?: string; processType?: string; requested?: boolean; mmsId?: string; tempLibrary?: string } = {},
): ItemRecord {
  // `mmsId`: a second copy of another item's title (its bib's title-level requests may take either copy).
  const ids = { ...itemIds(barcode), ...(opts.mmsId ? { mmsId: opts.mmsId } : {}) };
  const library = opts.library ?? 'MAIN';
  const processType = opts.processType ?? 'MISSING';
  return {
    bib_data: {
      mms_id: ids.mmsId,
      title: opts.mmsId ? `Title of ${ids.mmsId}` : `Title ${barcode}`,
      author: 'Author, A.',
    },
    holding_data: {
      holding_id: ids.holdingId,
      call_number: `QA ${barcode}`,
      // `tempLibrary`: the item is in a temporary location there (a course reserve, a display), circulated by it.
      ...(opts.tempLibrary
        ? {
            in_temp_location: true,
            temp_library: { value: opts.tempLibrary, desc: opts.tempLibrary },
            temp_location: { value: 'RESERVES', desc: 'Course Reserves' },
          }
        : {}),
    },
    item_data: {
      pid: ids.itemPid,
      barcode,
      base_status: { ...(processType ? BASE_STATUS.NOT_IN_PLACE : BASE_STATUS.IN_PLACE) },
      process_type: { value: processType, desc: processType || null },
      library: { value: library, desc: opts.library ?? 'Main Library' },
      location: { value: 'STACKS', desc: 'Main Stacks' },
      policy: { value: 'REGULAR', desc: 'Regular loan' },
      requested: opts.requested ?? false,
    },
  };
}

/** The item a request or loan is on: a record, or a barcode for the item `item()` builds from it. */
type ItemRef = ItemRecord | string;
const itemOf = (ref: ItemRef): ItemRecord => (typeof ref === 'string' ? item(ref) : ref);

// --- requests and loans -----------------------------------------------------------------------------------------

/** A patron's hold on an item: a title-level hold that names the item, so only that item fulfils it. */
export function holdRequest(
  requestId: string,
  userId: string,
  on: ItemRef,
  extra: Partial<RequestRecord> = {},
): RequestRecord {
  const { bib_data, item_data } = itemOf(on);
  return titleRequest(requestId, userId, bib_data.mms_id, {
    item_id: item_data.pid,
    barcode: item_data.barcode,
    ...extra,
  });
}

/**
 * A patron's title-level hold on a bib (no item: a scan-in of any of its items fulfils it), picked up at MAIN, first
 * in the title's queue unless `extra` says otherwise.
 */
export function titleRequest(
  requestId: string,
  userId: string,
  mmsId: string,
  extra: Partial<RequestRecord> = {},
): RequestRecord {
  return {
    request_id: requestId,
    user_primary_id: userId,
    request_type: 'HOLD',
    request_sub_type: { ...PATRON_PHYSICAL },
    request_status: 'NOT_STARTED',
    place_in_queue: 1,
    mms_id: mmsId,
    pickup_location_type: 'LIBRARY',
    pickup_location_library: 'MAIN',
    request_date: '2026-11-20Z',
    ...extra,
  };
}

/** A patron's active loan of an item, made at MAIN's desk. */
export function loan(loanId: string, userId: string, of: ItemRef, extra: Partial<LoanRecord> = {}): LoanRecord {
  const { bib_data, holding_data, item_data } = itemOf(of);
  return {
    loan_id: loanId,
    user_id: userId,
    item_barcode: item_data.barcode,
    item_id: item_data.pid,
    mms_id: bib_data.mms_id,
    holding_id: holding_data.holding_id,
    title: bib_data.title,
    loan_status: 'ACTIVE',
    process_status: 'NORMAL',
    loan_date: '2026-11-01T10:00:00Z',
    due_date: '2026-11-29T22:59:00Z',
    library: { value: 'MAIN', desc: 'Main Library' },
    circ_desk: { value: 'DEFAULT_CIRC_DESK', desc: 'Default Circulation Desk' },
    ...extra,
  };
}
