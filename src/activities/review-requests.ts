// Step 2, read only: does any other patron's request stand ahead of the relink on these items?
import type { QueueVerdict, ReviewRequestsInput } from '../contract';
import type { ActivityDeps } from './deps';
import { readQueue } from './requests';

export function createReviewRequests({ alma }: ActivityDeps) {
  return async function reviewRequests(input: ReviewRequestsInput): Promise<Record<string, QueueVerdict>> {
    const verdicts: Record<string, QueueVerdict> = {};
    for (const item of input.items) {
      // Alma's own flag spares a call per item when nobody has requested it.
      verdicts[item.barcode] =
        item.requested || input.rereadAll ? await readQueue(alma, item, input.patronId) : { blocking: [] };
    }
    return verdicts;
  };
}
