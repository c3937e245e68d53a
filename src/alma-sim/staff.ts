// The staff member's "Lost" click in Manage Patron Services (Alma has no API for it): the loan stays ACTIVE
// with the institution's Lost process status (LOST by default), the item becomes LOST_LOAN, a Lost item replacement
// fee is charged (unless the institution charges none) and the Lost letter goes out (FulLostLoanLetter or
// FulOverdueAndLostLoanLetter, per institution), to whatever the patron's preferred email is at that moment.
import type { SimCore } from './core';
import type { FeeRecord, LoanRecord, UserRecord } from './fixtures';
import type { LostLetterCode, SimNotice } from './notices';
import { scanItemIn } from './routes/items';
import { makeLoan } from './routes/loans';
import { clone, isoSeconds } from './store';
import { FEE_STATUS_DESC, LOST_ITEM_REPLACEMENT_FEE } from './vocab';

export class StaffActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface LostResult {
  loan: LoanRecord;
  /** None when the institution charges no lost-item fee (lostItemFee 0). */
  fee?: FeeRecord;
  notices: SimNotice[];
}

/** `letter`: the Lost click's is the institution's; the overdue-and-lost job sends FulOverdueAndLostLoanLetter. */
export function declareLost(
  core: SimCore,
  loanId: string,
  amount = core.options.lostItemFee,
  letter: LostLetterCode = core.options.lostLetter,
): LostResult {
  const { store } = core;
  const loan = store.loans.find((l) => l.loan_id === loanId);
  if (!loan) throw new StaffActionError(404, `No loan ${loanId}.`);
  if (loan.loan_status !== 'ACTIVE') {
    throw new StaffActionError(409, `Loan ${loanId} is ${loan.loan_status}: only an active loan can be marked Lost.`);
  }
  if (loan.process_status === core.options.lostProcessStatus)
    throw new StaffActionError(409, `Loan ${loanId} is already Lost.`);
  if (!Number.isFinite(amount) || amount < 0) throw new StaffActionError(400, `Invalid fee amount ${amount}.`);
  const item = store.loanItem(loan);
  const user = store.findUser(loan.user_id, 'primary_id');
  if (!item || !user) throw new StaffActionError(409, `Loan ${loanId} has no item or patron in the simulator.`);

  const now = isoSeconds(core.now());
  loan.process_status = core.options.lostProcessStatus;
  store.setItemStatus(item, false, 'LOST_LOAN');
  const library = item.item_data.library;
  const fee: FeeRecord | undefined =
    amount === 0
      ? undefined
      : {
          id: store.newId('fee'),
          type: { ...LOST_ITEM_REPLACEMENT_FEE },
          status: { value: 'ACTIVE', desc: FEE_STATUS_DESC.ACTIVE },
          user_primary_id: user.primary_id,
          balance: amount,
          remaining_vat_amount: 0,
          original_amount: amount,
          original_vat_amount: 0,
          creation_time: now,
          status_time: now,
          owner: { value: library.value, desc: store.libraryDesc(library.value) },
          title: item.bib_data.title ?? '',
          barcode: { value: item.item_data.barcode },
          comment: `Lost loan ${loan.loan_id}`,
        };
  if (fee) store.fees.push(fee);
  const notices = core.notices.send(letter, user, {
    loan_id: loan.loan_id,
    ...(fee ? { fee_id: fee.id } : {}),
    item_barcode: item.item_data.barcode,
    title: item.bib_data.title,
    amount,
  });
  core.webhooks.emit('LOAN', 'LOAN_LOST', 'item_loan', loan, core.now());
  return { loan: clone(loan), ...(fee ? { fee: clone(fee) } : {}), notices };
}

export interface ReturnResult {
  loan: LoanRecord;
  /** Where the item went: back on the shelf, a hold shelf, or in transit. */
  destination: string;
}

/**
 * The staff member returns an item at a desk in Alma's UI (Fulfillment > Return Items): the same scan-in as the API's,
 * which API faults do not touch, so a test can have a person act in Alma while the API refuses (402502).
 * The desk: the item's library's first desk, unless given.
 */
export function returnItem(core: SimCore, barcode: string, deskCode?: string): ReturnResult {
  const { store } = core;
  const item = store.itemByBarcode(barcode);
  if (!item) throw new StaffActionError(404, `No item with barcode ${barcode}.`);
  const loan = store.activeLoanOn(item);
  if (!loan) throw new StaffActionError(409, `Item ${barcode} is not on loan.`);
  const libraryCode = store.circulationLibraryOf(item);
  const desk = deskCode ? store.desk(libraryCode, deskCode) : store.desks(libraryCode)[0];
  if (!desk) throw new StaffActionError(400, `No circulation desk ${deskCode ?? ''} in library ${libraryCode}.`);
  const { destination } = scanItemIn(core, item, libraryCode, desk);
  core.webhooks.emit('LOAN', 'LOAN_RETURNED', 'item_loan', loan, core.now());
  return { loan: clone(loan), destination };
}

/**
 * A staff member loans an item at a desk in Manage Patron Services, overriding the loan rules, limits and blocks that
 * make Alma refuse the API's loan (which has no override). The item's own state still counts (not on loan to someone
 * else, in place). The desk: the item's library's first, unless given. The loan receipt goes out as for any loan.
 */
export function loanAtDesk(core: SimCore, userId: string, barcode: string, deskCode?: string): LoanRecord {
  const { store } = core;
  const user = store.findUser(userId, 'all_unique');
  if (!user) throw new StaffActionError(404, `No patron ${userId}.`);
  const item = store.itemByBarcode(barcode);
  if (!item) throw new StaffActionError(404, `No item with barcode ${barcode}.`);
  const libraryCode = item.item_data.library.value;
  const desk = deskCode ? store.desk(libraryCode, deskCode) : store.desks(libraryCode)[0];
  if (!desk) throw new StaffActionError(400, `No circulation desk ${deskCode ?? ''} in library ${libraryCode}.`);
  let loan: LoanRecord;
  try {
    loan = makeLoan(core, user, item, { libraryCode, deskCode: desk.code }, true);
  } catch (error) {
    throw new StaffActionError(409, `Alma would not loan ${barcode}: ${(error as Error).message}`);
  }
  core.webhooks.emit('LOAN', 'LOAN_CREATED', 'item_loan', loan, core.now());
  return clone(loan);
}

/** The user record fields a staff member may change on the simulator's user edit (Admin > Manage Users > Edit). */
export const STAFF_USER_FIELDS = ['contact_info', 'user_group', 'expiry_date', 'purge_date', 'status', 'user_note'];

/**
 * A staff member saves a user record in Alma's UI with these fields changed (replaced whole), which Alma records in
 * the user's history tab and announces with a USER webhook, unlike the same change made through the API.
 */
export function editUser(core: SimCore, userId: string, changes: Record<string, unknown>): UserRecord {
  const user = core.store.findUser(userId, 'all_unique');
  if (!user) throw new StaffActionError(404, `No patron ${userId}.`);
  const unknown = Object.keys(changes).filter((k) => !STAFF_USER_FIELDS.includes(k));
  if (unknown.length) {
    throw new StaffActionError(400, `Not editable here: ${unknown.join(', ')} (only ${STAFF_USER_FIELDS.join(', ')}).`);
  }
  Object.assign(user, clone(changes));
  core.webhooks.emit('USER', 'USER_UPDATED', 'webhook_user', { user }, core.now());
  return clone(user);
}
