// After a give-up (a cancel, a failure, the holding-address limit), before the restore: return the relink's loan by
// scanning the item in at its own library and desk, while the holding address still receives any return letter.
// Read first: a loan Alma shows Lost stays (the staff click the relink had not seen yet), a closed one is not scanned
// again.
import type { ReturnLoanInput, ReturnLoanResult } from '../contract';
import type { ActivityDeps } from './deps';
import { LOST_PROCESS_STATUSES } from './check-lost';
import { almaStep } from './failures';
import { normaliseStatus } from './item-state';
import { readActiveLoans } from './loan';

/** Where Alma's scan answer says the item went ("Item's destination is: Reshelve to Main stacks. …"). */
const destinationOf = (info: string | null | undefined): string | undefined =>
  /destination is: ([^.]*)\./i.exec(info ?? '')?.[1]?.trim() || undefined;

export function createReturnLoan({ alma }: ActivityDeps) {
  return async function returnLoan({ patronId, item, loanId }: ReturnLoanInput): Promise<ReturnLoanResult> {
    const ref = { mmsId: item.mmsId, holdingId: item.holdingId, itemPid: item.itemPid };
    const base = { barcode: item.barcode, loanId };
    const loan = (await readActiveLoans(alma, patronId)).find((l) => String(l.loan_id) === loanId);
    if (loan && LOST_PROCESS_STATUSES.has(normaliseStatus(loan.process_status as string | undefined))) {
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
    const scanned = await almaStep(`returning item ${item.barcode} at ${item.library}/${item.circDesk}`, () =>
      alma.scanIn(ref, { library: item.library, circDesk: item.circDesk }),
    );
    return {
      ...base,
      outcome: 'returned',
      inPlace: scanned.item_data.base_status?.value === '1',
      processType: scanned.item_data.process_type?.value ?? '',
      destination: destinationOf(scanned.additional_info),
    };
  };
}
