// The request review: another patron's request on an item, or title-level on its bib, would be fulfilled by the
// scan-in (hold shelf, letter), so nothing is written until staff clear the queues in Alma and say proceed, or abort.
import type { CheckedItem, QueueVerdict } from '../contract';
import { describeQueues, reviewInstructions } from './instructions';
import { RelinkStop } from './outcomes';
import { ONE_HOLDING_RULE, TITLE_LEVEL_REQUESTS } from './patches';
import type { Relink } from './relink';
import { reviewWaitSummary } from './summaries';

/**
 * Reviews the items' request queues until they are clear (resolves with no barcode) or staff abort. An abort ends the
 * relink, unless another of its items still needs the holding address (a join's review while the first items wait
 * for their Lost or their quiet period): then only these items drop out, and their barcodes are the answer.
 */
export async function reviewUntilClear(r: Relink, items: CheckedItem[], rereadAll: boolean): Promise<string[]> {
  const { track } = r;
  track.enter('request-review');
  // When Alma's "requested" flag (read by the preflight) is off on every item there is no queue to read, and the
  // activity would be a round trip through the server with no Alma call in it. Histories of relinks started before
  // this change have that activity, so they replay on the old path.
  // Alma's flag may not count title-level requests on the bib, so from TITLE_LEVEL_REQUESTS on the activity always
  // runs (it reads each bib's title-level requests once).
  let verdicts =
    r.lean && !rereadAll && items.every((i) => !i.requested) && !r.patch(TITLE_LEVEL_REQUESTS)
      ? Object.fromEntries(items.map((i): [string, QueueVerdict] => [i.barcode, { blocking: [] }]))
      : await r.steps.reviewRequests({ patronId: r.patronId, items, rereadAll });
  for (;;) {
    const blocked = items
      .map((item) => ({ item, blocking: verdicts[item.barcode]?.blocking ?? [] }))
      .filter((b) => b.blocking.length > 0);
    for (const item of items) {
      const v = verdicts[item.barcode];
      track.update(item.barcode, {
        phase: v?.blocking.length ? 'awaiting-review' : 'checked',
        blockingRequests: v?.blocking.length ? v.blocking : undefined,
        patronRequestId: v?.patronRequestId,
      });
    }
    if (blocked.length === 0) {
      for (const item of items) r.lifeEvent(item.barcode, { type: 'reviewed' });
      track.await('none');
      return [];
    }
    const queues = describeQueues(blocked);
    track.log(`Another patron's request would be fulfilled by the scan-in: ${queues}.`);
    track.await('request-review', reviewInstructions(queues, r.patronId, blocked));
    r.decision = undefined;
    r.planFresh = false;
    if (!(await r.wait(() => r.decision !== undefined, r.reviewDeadlineMs, reviewWaitSummary))) {
      throw new RelinkStop('needs-attention', `No request-review decision within ${r.durations.reviewDeadline}.`);
    }
    const decision = r.decision!;
    track.log(`Staff decided to ${decision.decision}${decision.by ? ` (${decision.by})` : ''}.`);
    track.await('none');
    if (decision.decision === 'abort') {
      for (const { item } of blocked) track.update(item.barcode, { phase: 'aborted' });
      const barcodes = blocked.map(({ item }) => item.barcode).join(', ');
      if (othersHoldTheAddress(r, items) && r.patch(ONE_HOLDING_RULE)) {
        // The abort is about these items: the others' Lost wait or quiet period goes on (holding-rule.ts).
        const dropped = items.map((i) => i.barcode);
        for (const b of dropped) {
          track.update(b, { phase: 'aborted' });
          r.lifeEvent(b, { type: 'not-loaned' });
        }
        track.log(
          `Staff aborted ${dropped.join(', ')} at its request review; the relink goes on with its other items.`,
        );
        return dropped;
      }
      throw new RelinkStop('aborted', `Staff aborted the relink at the request review of ${barcodes}.`);
    }
    verdicts = await r.steps.reviewRequests({ patronId: r.patronId, items, rereadAll: true });
  }
}

/** Whether an item outside this review needs the holding address now (a loan, a Lost in its quiet period). */
function othersHoldTheAddress(r: Relink, reviewed: CheckedItem[]): boolean {
  const here = new Set(reviewed.map((i) => i.barcode));
  const verdict = r.verdict();
  return verdict.hold && verdict.reasons.some((reason) => !here.has(reason.barcode));
}
