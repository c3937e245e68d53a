// Step 6, read only: Alma has no API to declare a loan lost, so a staff member clicks "Lost" in Manage Patron
// Services and this activity confirms it: the loan's process status reads Lost, or a new lost-item fee exists.
import type { AlmaFee } from '../alma';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';
import { lostProcessStatuses, readsLost } from './lost-status';
import type { LoanToConfirm, LostCheck } from '../contract';

const feeBarcode = (fee: AlmaFee): string => {
  const b = (fee as { barcode?: unknown }).barcode;
  return typeof b === 'string' ? b : String((b as { value?: string } | undefined)?.value ?? '');
};

export function createCheckLostDeclared({ alma, lostProcessStatus }: ActivityDeps) {
  // The worker's setting (ALMA_LOST_PROCESS_STATUS), not the workflow's input: a relink started before it was set
  // reads it too. Some endpoints send display strings ("Lost"), which read as the code LOST.
  const lostStatuses = lostProcessStatuses(lostProcessStatus);
  return async function checkLostDeclared(input: { patronId: string; loans: LoanToConfirm[] }): Promise<LostCheck[]> {
    const active = await almaStep(`reading patron ${input.patronId}'s loans`, () =>
      alma.listUserLoans(input.patronId, 'Active'),
    );
    const checks = input.loans.map((wanted): LostCheck => {
      const loan = active.find((l) => String(l.loan_id) === wanted.loanId);
      const lost = readsLost(lostStatuses, loan);
      return { ...wanted, loanActive: !!loan, lost, by: lost ? 'loan-process-status' : undefined };
    });
    // Tenants differ in how they expose the status; the lost-item fee of this loan is the second witness (where the
    // institution charges one: where it does not, the process status alone confirms the click).
    const unconfirmed = checks.filter((c) => c.loanActive && !c.lost);
    if (unconfirmed.length > 0) {
      const fees = await almaStep(`reading patron ${input.patronId}'s fees`, () =>
        alma.listUserFees(input.patronId, 'ACTIVE'),
      );
      for (const check of unconfirmed) {
        const since = Date.parse(input.loans.find((l) => l.loanId === check.loanId)?.loanDate ?? '') || 0;
        const fee = fees.find(
          (f) =>
            f.type?.value === 'LOSTITEMREPLACEMENTFEE' &&
            feeBarcode(f) === check.barcode &&
            (Date.parse(String(f.creation_time ?? '')) || 0) >= since,
        );
        if (fee) Object.assign(check, { lost: true, by: 'lost-item-fee' });
      }
    }
    return checks;
  };
}
