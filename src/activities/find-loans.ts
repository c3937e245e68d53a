// After a relink that failed or was cancelled, read only: which of the items it tried to loan does Alma show on
// loan to the patron? A loan whose POST Alma applied but whose answer was lost (a timeout, a 500 after the write,
// a retry stopped by the daily quota) is known no other way, and staff must be told of it.
import type { FindLoansInput, FoundLoan } from '../contract';
import type { ActivityDeps } from './deps';
import { loanOfItem, readActiveLoans } from './loan';

export function createFindLoans({ alma }: ActivityDeps) {
  return async function findLoans({ patronId, items }: FindLoansInput): Promise<FoundLoan[]> {
    const loans = await readActiveLoans(alma, patronId);
    return items.flatMap((item) => {
      const loan = loanOfItem(loans, item);
      return loan
        ? [
            {
              barcode: item.barcode,
              loanId: String(loan.loan_id),
              loanDate: loan.loan_date ?? undefined,
              dueDate: loan.due_date ?? undefined,
            },
          ]
        : [];
    });
  };
}
