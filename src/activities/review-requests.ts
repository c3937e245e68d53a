// Step 2, read only: does any other patron's request, on these items or title-level on their bibs, stand ahead of
// the relink?
import type { QueueVerdict, ReviewRequestsInput } from '../contract';
import type { ActivityDeps } from './deps';
import { mergeVerdicts, readQueue, readTitleQueue } from './requests';

export function createReviewRequests({ alma }: ActivityDeps) {
  return async function reviewRequests(input: ReviewRequestsInput): Promise<Record<string, QueueVerdict>> {
    const verdicts: Record<string, QueueVerdict> = {};
    // Alma's "requested" flag may not count title-level requests: each bib's are read whatever it says, once per bib.
    const titleQueues = new Map<string, QueueVerdict>();
    for (const item of input.items) {
      let title = titleQueues.get(item.mmsId);
      if (!title) {
        title = await readTitleQueue(alma, item, input.patronId);
        titleQueues.set(item.mmsId, title);
      }
      // Alma's own flag spares a call per item when nobody has requested the item itself.
      const own = item.requested || input.rereadAll ? await readQueue(alma, item, input.patronId) : { blocking: [] };
      verdicts[item.barcode] = mergeVerdicts(own, title);
    }
    return verdicts;
  };
}
