// A batch planned against Alma's daily API quota before anything starts (relink batch, and the desk's batch page). A relink is estimated at what the bench's
// calibration counts (docs/performance.md, issue 26): 13 calls for one item, the patron lookup included (12 when the
// preflight reuses the lookup's read on the same worker), 7 for each further item (6, or 7 when its queue is read again
// because Alma's requested flag is older than moments), and 1 for the follow-up's re-read after the restore. Erring high keeps the floor. A batch fits today when its
// estimate stays above the workers' floor, the calls the floor keeps for restores. Patrons are taken in the order
// of the file, whole (a patron's items share one relink), until the next would cross the floor.
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { RelinkSettings } from '../config';
import {
  lostByJobWithinMs,
  parseLostJobAt,
  RELINK_DEFAULTS,
  type DailyQuotaReading,
  type LostJobAt,
} from '../contract';
import type { BatchRelink } from './batch-file';

/** A one-item relink whose Lost click is confirmed at the first check, with the patron lookup before its start. */
export const CALLS_FIRST_ITEM = 13;
export const CALLS_FURTHER_ITEM = 7;
/** The follow-up's read of the record after the restore. */
export const CALLS_AROUND_A_RELINK = 1;

/** What the Lost mode adds to a relink: per item, and per relink for its wait. */
export interface LostModeCost {
  perItem: number;
  perRelink: number;
}

export const STAFF_CLICK_COST: LostModeCost = { perItem: 0, perRelink: 0 };

/**
 * RELINK_LOST_MODE=overdue-job: each item's due-date change (the loan read and the PUT, `setDueDate`), and for the
 * wait for Alma's job one swap re-check read every lostPollMax (test/relink/lost-by-job.test.ts counts the 2).
 */
export function overdueJobCost(waitMs: number, pollMaxMs: number): LostModeCost {
  return { perItem: 2, perRelink: Math.ceil(waitMs / pollMaxMs) };
}

/** The Alma calls one relink of `items` items is expected to spend. */
export function estimateCalls(items: number, cost: LostModeCost = STAFF_CLICK_COST): number {
  return (
    CALLS_AROUND_A_RELINK +
    CALLS_FIRST_ITEM +
    CALLS_FURTHER_ITEM * Math.max(0, items - 1) +
    cost.perItem * items +
    cost.perRelink
  );
}

export interface QuotaPlan {
  /** Estimated calls of the whole batch. */
  needed: number;
  /** Calls left today above the floor; undefined when Alma sent no reading. */
  available?: number;
  reading: DailyQuotaReading;
  /** Relinks to start today, and those that would cross the floor: they wait for Alma's midnight reset. */
  today: BatchRelink[];
  tomorrow: BatchRelink[];
  /** Estimated calls of the relinks started today. */
  neededToday: number;
}

export function planAgainstQuota(
  relinks: BatchRelink[],
  reading: DailyQuotaReading,
  cost: LostModeCost = STAFF_CLICK_COST,
): QuotaPlan {
  const needed = relinks.reduce((sum, r) => sum + estimateCalls(r.rows.length, cost), 0);
  if (reading.remaining === undefined) return { needed, reading, today: relinks, tomorrow: [], neededToday: needed };
  const available = Math.max(0, reading.remaining - reading.floor);
  const today: BatchRelink[] = [];
  let neededToday = 0;
  for (const relink of relinks) {
    const calls = estimateCalls(relink.rows.length, cost);
    if (neededToday + calls > available) break;
    today.push(relink);
    neededToday += calls;
  }
  return { needed, available, reading, today, tomorrow: relinks.slice(today.length), neededToday };
}

/** What the configured Lost mode adds to each relink's calls (validated with the settings). */
export function lostModeCostOf(relink: RelinkSettings): LostModeCost {
  if (relink.RELINK_LOST_MODE !== 'overdue-job') return STAFF_CLICK_COST;
  const jobAt = parseLostJobAt(relink.RELINK_LOST_JOB_AT) as LostJobAt;
  const waitMs = lostByJobWithinMs(relink.RELINK_LOST_AFTER_OVERDUE!, jobAt) ?? 0;
  const pollMax = msToNumber((relink.RELINK_LOST_POLL_MAX ?? RELINK_DEFAULTS.lostPollMax) as Duration);
  return overdueJobCost(waitMs, pollMax);
}

const calls = (n: number) => `${n} Alma call${n === 1 ? '' : 's'}`;

/** The plan in staff words, the same for relink batch and the desk. */
export function quotaWords(plan: QuotaPlan): string {
  const { reading, available = 0 } = plan;
  if (reading.remaining === undefined)
    return `The batch needs about ${calls(plan.needed)}. Alma sent no daily quota reading: the batch was not planned against it.`;
  return (
    `The batch needs about ${calls(plan.needed)}, and Alma has ${reading.remaining} left today: ` +
    `${available} above the workers' floor of ${reading.floor}, kept for restores.`
  );
}
