// Step 6, read only: Alma has no API to declare a loan lost, so a staff member clicks "Lost" in Manage Patron
// Services and this activity confirms it: the loan's process status reads Lost, or a new lost-item fee exists.
import type { AlmaFee } from '../alma';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';
import { normaliseStatus } from './item-state';
import type { LoanToConfirm, LostCheck } from '../contract';

/**
 * What a lost loan's process_status may read: the API code is not documented (LOST is the likely one, LOST_LOAN is the
 * item's process type), and some endpoints send display strings ("Lost"), which normaliseStatus turns into LOST.
 */
export const LOST_PROCESS_STATUSES: ReadonlySet<string> = new Set(['LOST', 'LOST_LOAN']);

const feeBarcode = (fee: AlmaFee): string => {
  const b = (fee as { barcode?: unknown }).barcode;
  return typeof b === 'string' ? b : String((b as { value?: string } | undefined)?.value ?? '');
};

export function createCheckLostDeclared({ alma }: ActivityDeps) {
  return async function checkLostDeclared(input: { patronId: string; loans: LoanToConfirm[] }): Promise<LostCheck[]> {
    const active = await almaStep(`reading patron ${input.patronId}'s loans`, () =>
      alma.listUserLoans(input.patronId, 'Active'),
    );
    const checks = input.loans.map((wanted): LostCheck => {
      const loan = active.find((l) => String(l.loan_id) === wanted.loanId);
      const lost = LOST_PROCESS_STATUSES.has(normaliseStatus(loan?.process_status as string | undefined));
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
