// Step 2, read only: does any other patron's request stand ahead of the relink on these items?
import type { CheckedItem } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { readQueue, type QueueVerdict } from './requests';

export interface ReviewRequestsInput {
  patronId: string;
  items: CheckedItem[];
  /** Read every queue even where Alma's "requested" flag said none (after a staff decision, say). */
  rereadAll?: boolean;
}

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
