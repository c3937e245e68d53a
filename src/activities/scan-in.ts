// Step 4: re-check the item's queue and its bib's title-level requests (a request may have arrived since the review), then scan the item in at its own
// library and desk (its temporary location's, while it is in one; on the hold shelf at a desk with hold-shelf
// processing) so it is available for the loan.
import { activityInfo } from '@temporalio/activity';
import type { CheckedItem, QueueVerdict, ScanInInput, ScanInResult } from '../contract';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';
import { isBackInPlace } from './item-state';
import { mergeVerdicts, readBibQueue, readQueue } from './requests';

/**
 * How long Alma's "requested: false" on the item, read by the preflight, stands for the item's own queue (the review
 * trusts the same flag). Like a swap verified moments ago (contact-swap.ts): a read cannot close the gap between
 * itself and the write it guards; what the re-check must cover are the waits between the preflight and the scan (a
 * request review, a join, a step's retries, a long queue behind Alma's limit), and each of those takes longer than
 * this. The title-level list is read before every scan whatever the flag says: the flag may not count those.
 */
export const ITEM_FLAG_TRUSTED_FOR_MS = 10_000;

/** The item's own queue: read again, unless Alma said moments ago, on this attempt, that nobody requested the item. */
async function ownQueue(
  alma: ActivityDeps['alma'],
  item: CheckedItem,
  patronId: string,
  requestReported = false,
): Promise<QueueVerdict> {
  const age = item.checkedAt === undefined ? Infinity : Date.now() - item.checkedAt;
  const trusted =
    !requestReported && !item.requested && activityInfo().attempt === 1 && age >= 0 && age < ITEM_FLAG_TRUSTED_FOR_MS;
  return trusted ? { blocking: [] } : readQueue(alma, item, patronId);
}

export function createScanIn({ alma }: ActivityDeps) {
  return async function scanIn({ patronId, item, requestReported }: ScanInInput): Promise<ScanInResult> {
    // A title-level request on the bib would take this item too: both are read again just before the scan (the
    // item's own queue unless Alma's flag said moments ago that it has none; the bib's list names its requests too).
    const queue = mergeVerdicts(
      await ownQueue(alma, item, patronId, requestReported),
      await readBibQueue(alma, item, patronId),
    );
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
