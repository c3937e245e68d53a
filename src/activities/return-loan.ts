// After a give-up (a cancel, a failure, the holding-address limit), before the restore, and in relink sweep --fix:
// return the relink's loan by scanning the item in at its own library and desk, while the holding address still
// receives any return letter. Read first: a loan Alma shows Lost stays (the staff click the relink had not seen yet),
// a closed one is not scanned again. A due date the overdue-job mode moved to now goes back first (dueDateBefore).
import { ApplicationFailure } from '@temporalio/activity';
import type { AlmaLoan } from '../alma';
import type { ReturnLoanInput, ReturnLoanResult } from '../contract';
import type { ActivityDeps } from './deps';
import { lostProcessStatuses, readsLost } from './lost-status';
import { sameDueDate } from './loan-due-date';
import { almaStep } from './failures';
import { readActiveLoans } from './loan';

/** Where Alma's scan answer says the item went ("Item's destination is: Reshelve to Main stacks. …"). */
const destinationOf = (info: string | null | undefined): string | undefined =>
  /destination is: ([^.]*)\./i.exec(info ?? '')?.[1]?.trim() || undefined;

export function createReturnLoan({ alma, lostProcessStatus }: ActivityDeps) {
  const lostStatuses = lostProcessStatuses(lostProcessStatus);
  return async function returnLoan({
    patronId,
    item,
    loanId,
    dueDateBefore,
  }: ReturnLoanInput): Promise<ReturnLoanResult> {
    const ref = { mmsId: item.mmsId, holdingId: item.holdingId, itemPid: item.itemPid };
    const base = { barcode: item.barcode, loanId };
    const loan = (await readActiveLoans(alma, patronId)).find((l) => String(l.loan_id) === loanId);
    if (loan && readsLost(lostStatuses, loan)) {
      return { ...base, outcome: 'lost' };
    }
    if (!loan) {
      const now = await almaStep(`reading item ${item.barcode}`, () => alma.getItem(ref));
      return {
        ...base,
        outcome: 'already-returned',
        inPlace: now.item_data.base_status?.value === '1',
        processType: now.item_data.process_type?.value ?? '',
      };
    }
    const dueDateBack = dueDateBefore ? await moveDueDateBack(alma, patronId, loan, dueDateBefore) : undefined;
    const scanned = await almaStep(`returning item ${item.barcode} at ${item.library}/${item.circDesk}`, () =>
      alma.scanIn(ref, { library: item.library, circDesk: item.circDesk, placeOnHoldShelf: item.placeOnHoldShelf }),
    );
    return {
      ...base,
      outcome: 'returned',
      inPlace: scanned.item_data.base_status?.value === '1',
      processType: scanned.item_data.process_type?.value ?? '',
      destination: destinationOf(scanned.additional_info),
      ...(dueDateBack ? { dueDateBack } : {}),
    };
  };
}

/** Puts the loan's own due date back, unless it has passed (Alma refuses a date in the past) or is there already. */
async function moveDueDateBack(
  alma: ActivityDeps['alma'],
  patronId: string,
  loan: AlmaLoan,
  dueDateBefore: string,
): Promise<NonNullable<ReturnLoanResult['dueDateBack']>> {
  const before = Date.parse(dueDateBefore);
  if (!(before > Date.now())) return 'past';
  if (sameDueDate(Date.parse(String(loan.due_date ?? '')), before)) return 'moved-back';
  try {
    await almaStep(`moving the due date of ${loan.item_barcode ?? loan.loan_id} back`, () =>
      alma.changeLoanDueDate(patronId, String(loan.loan_id), dueDateBefore),
    );
    return 'moved-back';
  } catch (err) {
    // A business refusal: the return goes ahead (the loan must not stay active), and staff are told to check the fee.
    if (err instanceof ApplicationFailure && err.nonRetryable) return 'refused';
    throw err;
  }
}
