// Step 4: re-check the item's queue and its bib's title-level requests (a request may have arrived since the review), then scan the item in at its own
// library and desk (its temporary location's, while it is in one; on the hold shelf at a desk with hold-shelf
// processing) so it is available for the loan.
import { activityInfo } from '@temporalio/activity';
import type { ScanInInput, ScanInResult } from '../contract';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';
import { isBackInPlace } from './item-state';
import { mergeVerdicts, readQueue, readTitleQueue } from './requests';

export function createScanIn({ alma }: ActivityDeps) {
  return async function scanIn({ patronId, item }: ScanInInput): Promise<ScanInResult> {
    // A title-level request on the bib would take this item too: both are read again just before the scan.
    const queue = mergeVerdicts(await readQueue(alma, item, patronId), await readTitleQueue(alma, item, patronId));
    if (queue.blocking.length > 0) return { scanned: false, blocking: queue.blocking };
    const ref = { mmsId: item.mmsId, holdingId: item.holdingId, itemPid: item.itemPid };

    // A retry may follow a scan that Alma applied but whose answer was lost: look before scanning again.
    if (activityInfo().attempt > 1) {
      const current = await almaStep(`reading item ${item.barcode}`, () => alma.getItem(ref));
      if (isBackInPlace(current.item_data.base_status?.value, current.item_data.process_type?.value)) {
        return { scanned: true, alreadyInPlace: true, patronRequestId: queue.patronRequestId };
      }
    }
    const scanned = await almaStep(`scanning in item ${item.barcode} at ${item.library}/${item.circDesk}`, () =>
      alma.scanIn(ref, {
        library: item.library,
        circDesk: item.circDesk,
        requestId: queue.patronRequestId,
        placeOnHoldShelf: item.placeOnHoldShelf,
      }),
    );
    return {
      scanned: true,
      alreadyInPlace: false,
      patronRequestId: queue.patronRequestId,
      additionalInfo: scanned.additional_info ?? undefined,
    };
  };
}
