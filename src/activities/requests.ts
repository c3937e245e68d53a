// Reading an item's request queue and its bib's title-level requests: who stands between the item and the patron.
import type { AlmaClient, AlmaRequest } from '../alma';
import type { CheckedItem, QueueVerdict } from '../contract';
import { almaStep } from './failures';
import { normaliseStatus } from './item-state';

export function judgeQueue(requests: AlmaRequest[], patronId: string, level?: 'title'): QueueVerdict {
  const verdict: QueueVerdict = { blocking: [] };
  for (const r of requests) {
    if (r.user_primary_id === patronId) {
      verdict.patronRequestId ??= r.request_id;
      continue;
    }
    verdict.blocking.push({
      requestId: r.request_id,
      requestType: String(r.request_type ?? ''),
      status: normaliseStatus(r.request_status),
      placeInQueue: r.place_in_queue == null ? undefined : Number(r.place_in_queue),
      ...(level ? { level } : {}),
    });
  }
  return verdict;
}

export async function readQueue(alma: AlmaClient, item: CheckedItem, patronId: string): Promise<QueueVerdict> {
  const requests = await almaStep(`reading the request queue of item ${item.barcode}`, () =>
    alma.listItemRequests({ mmsId: item.mmsId, holdingId: item.holdingId, itemPid: item.itemPid }),
  );
  return judgeQueue(requests, patronId);
}

function listBibRequests(alma: AlmaClient, item: CheckedItem): Promise<AlmaRequest[]> {
  return almaStep(`reading the title-level requests of "${item.title}" (bib ${item.mmsId})`, () =>
    alma.listBibRequests(item.mmsId),
  );
}

/**
 * The bib's title-level requests that no item has taken yet: a scan-in of any of its items would fulfil the first.
 * The bib's list also holds item-level requests (and title-level ones bound to an item): those are in that item's
 * own queue, read by readQueue, so only requests naming no item (neither its id nor its barcode) are judged here.
 * Whether Alma lists item-level requests here, and with which of the two, is not documented: either way holds.
 */
export async function readTitleQueue(alma: AlmaClient, item: CheckedItem, patronId: string): Promise<QueueVerdict> {
  const requests = await listBibRequests(alma, item);
  return judgeQueue(requests.filter(namesNoItem), patronId, 'title');
}

/** A request of the bib's list bound to no item: neither an item id nor a barcode (either may be all Alma gives). */
const namesNoItem = (r: AlmaRequest): boolean => !r.item_id && !r.barcode;
const namesItem = (r: AlmaRequest, item: CheckedItem): boolean =>
  r.item_id === item.itemPid || (!r.item_id && r.barcode === item.barcode);

/**
 * The re-check before a scan-in: the bib's list, read once, judged for its title-level requests and also for the
 * requests naming this item, which count as the item's own. Whether Alma lists item-level requests there is not
 * documented (the simulator does; the list's item_id suggests Alma does): where it does not, only the item's own
 * queue shows them, read unless Alma's flag said moments ago that there is none (scan-in.ts).
 */
export async function readBibQueue(alma: AlmaClient, item: CheckedItem, patronId: string): Promise<QueueVerdict> {
  const requests = await listBibRequests(alma, item);
  const own = judgeQueue(
    requests.filter((r) => namesItem(r, item)),
    patronId,
  );
  const title = judgeQueue(requests.filter(namesNoItem), patronId, 'title');
  return mergeVerdicts(own, title);
}

/** The item's own verdict and its bib's title-level one, as one: a request seen in both counts once. */
export function mergeVerdicts(own: QueueVerdict, title: QueueVerdict): QueueVerdict {
  const seen = new Set(own.blocking.map((b) => b.requestId));
  const patronRequestId = own.patronRequestId ?? title.patronRequestId;
  return {
    blocking: [...own.blocking, ...title.blocking.filter((b) => !seen.has(b.requestId))],
    ...(patronRequestId ? { patronRequestId } : {}),
  };
}
