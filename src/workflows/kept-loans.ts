// Loans staff chose to keep (keep-loans, in the Lost wait or while Alma refuses a return): they stay on loan, and the
// patron hears of them once restored, which staff accepted. A due date the relink moved goes back first.
import { causeOf } from './outcomes';
import type { OpenLoan } from './instructions';
import { KEEP_LOANS_DUE_DATE_BACK } from './patches';
import type { Relink } from './relink';

/**
 * Loans staff chose to keep (keep-loans): a due date the overdue-job mode moved goes back to the loan's own first, or
 * Alma's next Overdue and Lost Loan run would declare the kept loan Lost and write to the patron.
 */
export async function keepLoans(r: Relink, kept: OpenLoan[]): Promise<void> {
  const { track } = r;
  for (const l of kept) {
    r.lifeEvent(l.barcode, { type: 'kept' });
    let stateNow = 'on loan to the patron, not lost: kept at a staff decision.';
    const own = r.loans.get(l.barcode)?.dueDate;
    if (r.dueDateMoved.has(l.barcode) && r.patch(KEEP_LOANS_DUE_DATE_BACK)) {
      const back = own ? await dueDateBack(r, l, own) : "the loan's own due date is unknown";
      if (back === 'moved-back') {
        r.dueDateMoved.delete(l.barcode);
        r.lifeEvent(l.barcode, { type: 'due-date-back' });
        track.log(`Due date of ${l.barcode} moved back to ${own} for the kept loan.`, { loanId: l.loanId });
      } else {
        stateNow +=
          ' Its due date is still the one the relink moved: in Alma, give it back its own due date' +
          `${own ? ` (${own})` : ''}, or Alma's Overdue and Lost Loan job will declare it Lost and write to the patron.`;
        track.log(`The due date of ${l.barcode} could not be moved back for the kept loan (${back}).`, {
          loanId: l.loanId,
        });
      }
    }
    track.update(l.barcode, { stateNow });
  }
}

async function dueDateBack(r: Relink, l: OpenLoan, own: string): Promise<string> {
  try {
    const result = await r.activities.compensation.setDueDate({
      patronId: r.patronId,
      loanId: l.loanId,
      barcode: l.barcode,
      dueDate: own,
    });
    return result.outcome === 'changed' || result.outcome === 'unchanged'
      ? 'moved-back'
      : `the loan is ${result.outcome}`;
  } catch (err) {
    return `Alma refused: ${causeOf(err)}`;
  }
}
