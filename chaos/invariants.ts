// The relink's promise, as checks on the Alma simulator's state after a run, whatever happened during it: the
// patron's contact details are back exactly as they were, nothing else in their record changed, each item has at
// most one active loan (to the patron, lost when staff declared it, none when the relink failed before the loan),
// no item ends with an active, non-lost loan the relink made unless staff chose --keep-loans, nothing was
// duplicated, and not one letter reached an address of the patron's own. Each check returns the
// violations it found, in words, so a report can say what broke.
import { isDeepStrictEqual } from 'node:util';
import type { SimCall, SimNotice, SimState } from '../src/alma-sim';

type AnyRecord = Record<string, any>;

/** What a patron and their items looked like in Alma before the run. */
export interface Baseline {
  patronId: string;
  barcodes: string[];
  user: AnyRecord;
  /** Every email address and phone number the patron had: no letter may go to one of them. */
  ownAddresses: string[];
  loanIds: Set<string>;
  requestIds: Set<string>;
  feeIds: Set<string>;
}

/** What the run should have left: which items the relink loaned, which loans staff declared Lost or chose to keep. */
export interface Expectation {
  loaned: string[];
  declaredLost: string[];
  /** Loans a staff member chose to keep active and not lost (relink cancel --keep-loans); default none. */
  keptByStaff?: string[];
}

const userIn = (state: SimState, patronId: string): AnyRecord | undefined =>
  (state.users as AnyRecord[]).find((u) => u.primary_id === patronId);

const itemIn = (state: SimState, barcode: string): AnyRecord | undefined =>
  (state.items as AnyRecord[]).find((i) => i.item_data?.barcode === barcode);

const norm = (address: unknown) =>
  String(address ?? '')
    .trim()
    .toLowerCase();

function addressesOf(user: AnyRecord | undefined): string[] {
  const contact = (user?.contact_info ?? {}) as AnyRecord;
  return [
    ...((contact.email ?? []) as AnyRecord[]).map((e) => e.email_address),
    ...((contact.phone ?? []) as AnyRecord[]).map((p) => p.phone_number),
  ]
    .filter(Boolean)
    .map(norm);
}

export function baselineOf(state: SimState, patronId: string, barcodes: string[]): Baseline {
  const user = userIn(state, patronId);
  return {
    patronId,
    barcodes,
    user: structuredClone(user ?? {}),
    ownAddresses: addressesOf(user),
    loanIds: new Set((state.loans as AnyRecord[]).map((l) => l.loan_id)),
    requestIds: new Set((state.requests as AnyRecord[]).map((r) => r.request_id)),
    feeIds: new Set((state.fees as AnyRecord[]).map((f) => f.id)),
  };
}

/**
 * The baseline after an edit someone else makes during the run (staff correcting an address): the relink must keep
 * it, so the record is expected to end as the original with the edit, and the addresses of both count as the
 * patron's own — no letter may reach either.
 */
export function withEdit(b: Baseline, edit: (user: AnyRecord) => void): Baseline {
  const user = structuredClone(b.user);
  edit(user);
  return { ...b, user, ownAddresses: [...new Set([...b.ownAddresses, ...addressesOf(user)])] };
}

function withoutContactLists(user: AnyRecord): AnyRecord {
  const copy = structuredClone(user);
  if (copy.contact_info) {
    delete copy.contact_info.email;
    delete copy.contact_info.phone;
  }
  return copy;
}

/** The patron's emails and phones equal the originals exactly, and nothing else in the record changed. */
export function checkPatronRecord(b: Baseline, after: SimState): string[] {
  const user = userIn(after, b.patronId);
  if (!user) return b.user.primary_id ? [`patron ${b.patronId} is gone from Alma`] : [];
  const problems: string[] = [];
  const was = b.user.contact_info ?? {};
  const is = user.contact_info ?? {};
  if (!isDeepStrictEqual(is.email ?? [], was.email ?? [])) {
    problems.push(`emails differ from the originals: ${JSON.stringify(is.email)} (was ${JSON.stringify(was.email)})`);
  }
  if (!isDeepStrictEqual(is.phone ?? [], was.phone ?? [])) {
    problems.push(`phones differ from the originals: ${JSON.stringify(is.phone)} (was ${JSON.stringify(was.phone)})`);
  }
  if (!isDeepStrictEqual(withoutContactLists(user), withoutContactLists(b.user))) {
    problems.push('other fields of the user record changed');
  }
  return problems;
}

/**
 * Each item: at most one active loan. Where the relink loaned it: a loan staff declared Lost is active and lost; any
 * other ends returned, never active and not lost, unless a staff member chose to keep it (--keep-loans).
 */
export function checkLoans(b: Baseline, after: SimState, e: Expectation): string[] {
  const problems: string[] = [];
  for (const barcode of b.barcodes) {
    const item = itemIn(after, barcode);
    const pid = item?.item_data?.pid;
    const onItem = (after.loans as AnyRecord[]).filter((l) => l.item_barcode === barcode || (pid && l.item_id === pid));
    const active = onItem.filter((l) => l.loan_status === 'ACTIVE');
    const created = onItem.filter((l) => !b.loanIds.has(l.loan_id));
    if (active.length > 1) problems.push(`${barcode} has ${active.length} active loans`);
    if (created.length > 1) problems.push(`${barcode} got ${created.length} new loans (a duplicate)`);
    if (e.loaned.includes(barcode)) {
      const loan = active[0];
      const declared = e.declaredLost.includes(barcode);
      const kept = (e.keptByStaff ?? []).includes(barcode);
      if (!loan) {
        if (declared) problems.push(`${barcode} was declared Lost by staff but has no active loan`);
        else if (kept) problems.push(`${barcode}'s loan was kept by staff but is no longer active`);
      } else {
        if (loan.user_id !== b.patronId) problems.push(`${barcode} is on loan to ${loan.user_id}, not ${b.patronId}`);
        const lost = loan.process_status === 'LOST';
        if (lost && !declared) problems.push(`${barcode}'s loan is lost although staff did not declare it`);
        if (!lost && !kept)
          problems.push(
            `${barcode} ends with an active, non-lost loan made by the relink, and no staff member chose --keep-loans` +
              (declared ? ' (staff declared it Lost)' : ''),
          );
      }
    } else if (created.length > 0) {
      problems.push(`${barcode} got a loan (${created.map((l) => l.loan_id).join(', ')}) the relink never reported`);
    }
  }
  return problems;
}

/** The relink creates no request, and no fee except the one lost-item fee of each Lost click. */
export function checkNoDuplicates(b: Baseline, after: SimState, e: Expectation): string[] {
  const problems: string[] = [];
  const newRequests = (after.requests as AnyRecord[]).filter(
    (r) => !b.requestIds.has(r.request_id) && (r.user_primary_id === b.patronId || b.barcodes.includes(r.barcode)),
  );
  if (newRequests.length) problems.push(`new requests: ${newRequests.map((r) => r.request_id).join(', ')}`);
  const feeUser = (f: AnyRecord) =>
    typeof f.user_primary_id === 'string' ? f.user_primary_id : f.user_primary_id?.value;
  const newFees = (after.fees as AnyRecord[]).filter((f) => !b.feeIds.has(f.id) && feeUser(f) === b.patronId);
  for (const barcode of b.barcodes) {
    const fees = newFees.filter((f) => (f.barcode?.value ?? f.barcode) === barcode);
    const wanted = e.declaredLost.includes(barcode) ? 1 : 0;
    if (fees.length !== wanted) problems.push(`${barcode} has ${fees.length} new fees (expected ${wanted})`);
  }
  const stray = newFees.filter((f) => !b.barcodes.includes(f.barcode?.value ?? f.barcode));
  if (stray.length) problems.push(`fees on other items: ${stray.map((f) => f.id).join(', ')}`);
  return problems;
}

/** Not one letter, by email or SMS, to any address the patron had. */
export function checkLetters(b: Baseline, notices: SimNotice[]): string[] {
  const own = new Set(b.ownAddresses);
  return notices
    .filter((n) => n.address !== null && own.has(norm(n.address)))
    .map((n) => `letter ${n.letter} (${n.channel}) reached the patron's own address at ${n.at}`);
}

/** Every invariant above, after one run. */
export function checkInvariants(b: Baseline, after: SimState, notices: SimNotice[], e: Expectation): string[] {
  return [
    ...checkPatronRecord(b, after),
    ...checkLoans(b, after, e),
    ...checkNoDuplicates(b, after, e),
    ...checkLetters(b, notices),
  ];
}

/** Alma writes (anything but GET) among the calls: a rejected input must leave this empty. */
export function writesIn(calls: SimCall[]): SimCall[] {
  return calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD');
}
