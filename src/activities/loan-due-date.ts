// RELINK_LOST_MODE=overdue-job: moves the relink's loan due date, so that Alma's Overdue and Lost Loan job declares it
// Lost (lost-by-job.ts); and after a give-up, back to the date the loan had, so that the return charges the patron no
// overdue fine. Reads first: a loan already at (or before) the date asked, Lost, or closed is left as it is. Alma is
// told not to notify the patron (notify_user=false); the holding address is in place anyway.
import { isAlmaError } from '../alma';
import { isoSeconds as iso, type SetDueDateInput, type SetDueDateResult } from '../contract';
import type { ActivityDeps } from './deps';
import { lostProcessStatuses, readsLost } from './lost-status';
import { almaStep } from './failures';
import { readActiveLoans } from './loan';

/** Due dates within a minute of each other are the same (Alma keeps seconds; a retry sends the same instant). */
export const sameDueDate = (a: number, b: number): boolean => Math.abs(a - b) < 60_000;

/** Alma's "Due date cannot be in the past." */
const DUE_DATE_IN_PAST = '401681';

export function createSetDueDate({ alma, lostProcessStatus }: ActivityDeps) {
  const lostStatuses = lostProcessStatuses(lostProcessStatus);
  return async function setDueDate(input: SetDueDateInput): Promise<SetDueDateResult> {
    const { patronId, loanId, barcode, only } = input;
    const dueDate = input.dueDate ?? iso(Date.now() + (input.dueInMs ?? 0));
    const loan = (await readActiveLoans(alma, patronId)).find((l) => String(l.loan_id) === loanId);
    if (!loan) return { barcode, loanId, outcome: 'not-active' };
    if (readsLost(lostStatuses, loan)) {
      return { barcode, loanId, outcome: 'lost' };
    }
    const now = Date.parse(String(loan.due_date ?? ''));
    const wanted = Date.parse(dueDate);
    const done = sameDueDate(now, wanted) || (only === 'earlier' && now <= wanted);
    if (done) return { barcode, loanId, outcome: 'unchanged', dueDate: String(loan.due_date) };
    // A date set from now can reach Alma already past when the call waited in line (the rate limiter): Alma refuses it
    // (401681), and one more try with a date from the moment of that try is what was meant.
    const send = (date: string) => alma.changeLoanDueDate(patronId, loanId, date);
    const changed = await almaStep(`changing the due date of ${barcode} (loan ${loanId})`, () =>
      send(dueDate).catch((err: unknown) => {
        if (input.dueInMs === undefined || !isAlmaError(err) || err.code !== DUE_DATE_IN_PAST) throw err;
        return send(iso(Date.now() + input.dueInMs));
      }),
    );
    return { barcode, loanId, outcome: 'changed', dueDate: String(changed.due_date ?? dueDate) };
  };
}
