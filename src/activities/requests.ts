// Reading an item's request queue: who stands between the item and the patron.
import type { AlmaClient, AlmaRequest } from '../alma';
import type { CheckedItem, QueueVerdict } from '../contract';
import { almaStep } from './failures';
import { normaliseStatus } from './item-state';

export function judgeQueue(requests: AlmaRequest[], patronId: string): QueueVerdict {
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
