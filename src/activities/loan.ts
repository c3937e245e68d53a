// Step 5: loan the item to the patron at the item's own library and desk.
import { activityInfo } from '@temporalio/activity';
import { AlmaErrorCodes, isAlmaError, type AlmaClient, type AlmaLoan } from '../alma';
import type { CheckedItem, LoanItemInput, LoanItemResult } from '../contract';
import type { ActivityDeps } from './deps';
import { almaStep, businessFailure, toActivityFailure } from './failures';

/**
 * Refusals of the API loan that a staff member at a desk gets past (Manage Patron Services, with an override): the
 * library's loan policy restricted to the API, and the loan, fine and parallel-loan limits Alma computes only when a
 * loan is attempted (its catch-all 401652 is how it words most of them). Who they concern, for the staff text.
 */
const STAFF_CAN_LOAN: Record<string, string> = {
  [AlmaErrorCodes.API_RESTRICTED_BY_LIBRARY]: "the library's loan policy does not allow loans through the API",
  [AlmaErrorCodes.GENERAL_ERROR]: "a limit of the patron's (fines, loans) or of the loan policy, as Alma computes it",
  [AlmaErrorCodes.LOAN_LIMIT_REACHED]: "the patron's loan limit",
  [AlmaErrorCodes.PARALLEL_LOAN]: 'the patron already has another copy of this title on loan',
};

/** The patron's active loans, read in one call. */
export function readActiveLoans(alma: AlmaClient, patronId: string): Promise<AlmaLoan[]> {
  return almaStep(`reading patron ${patronId}'s loans`, () => alma.listUserLoans(patronId, 'Active'));
}

/** The loan of this item among them: by barcode, or by item id when Alma left the barcode out. */
export function loanOfItem(loans: AlmaLoan[], item: CheckedItem): AlmaLoan | undefined {
  return loans.find((l) => l.item_barcode === item.barcode || l.item_id === item.itemPid);
}

async function findActiveLoan(alma: AlmaClient, patronId: string, item: CheckedItem): Promise<AlmaLoan | undefined> {
  return loanOfItem(await readActiveLoans(alma, patronId), item);
}

const resultOf = (loan: AlmaLoan, alreadyExisted: boolean): LoanItemResult => ({
  loanId: String(loan.loan_id),
  dueDate: loan.due_date ?? undefined,
  loanDate: loan.loan_date ?? undefined,
  alreadyExisted,
});

export function createLoanItem({ alma }: ActivityDeps) {
  return async function loanItem({ patronId, item, patronRequestId }: LoanItemInput): Promise<LoanItemResult> {
    // A POST is never replayed blindly: on a retry the loan may already exist.
    if (activityInfo().attempt > 1) {
      const existing = await findActiveLoan(alma, patronId, item);
      if (existing) return resultOf(existing, true);
    }
    try {
      const loan = await alma.createLoan(
        patronId,
        { barcode: item.barcode },
        { library: item.library, circDesk: item.circDesk, requestId: patronRequestId },
      );
      return resultOf(loan, false);
    } catch (err) {
      // "Already loaned to this user": an earlier attempt got through after all.
      if (isAlmaError(err) && err.code === '400042') {
        const existing = await findActiveLoan(alma, patronId, item);
        if (existing) return resultOf(existing, true);
      }
      const what = `loaning item ${item.barcode} to patron ${patronId}`;
      const staffCan = isAlmaError(err) && !err.retryable ? STAFF_CAN_LOAN[err.code ?? ''] : undefined;
      if (staffCan && isAlmaError(err)) {
        const refused = toActivityFailure(err, what);
        const ids = {
          almaCode: err.code ?? '',
          trackingId: err.trackingId ?? '',
          httpStatus: String(err.status ?? ''),
        };
        throw businessFailure('LoanNeedsStaff', `${refused.message} — ${staffCan}`, ids);
      }
      throw toActivityFailure(err, what);
    }
  };
}
