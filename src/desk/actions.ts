// The buttons that answer what a relink waits for. One line each: what it waits for, the label staff see, and the
// RelinkClient call it makes with the signed-in name.
import type { RelinkClient } from '../client';
import { LOST_CLICK_WAITS } from '../contract';

export interface DeskAction {
  /** The path segment of its form: POST /relinks/<id>/<action id>. */
  id: string;
  /** The relink's `awaiting` states it answers. */
  awaiting: readonly string[];
  label: string;
  /** Shown as a secondary (cautious) button. */
  caution?: boolean;
  /** Does it; returns what to tell the staff member. */
  run(relinks: RelinkClient, workflowId: string, staff: string): Promise<string>;
}

export const ACTIONS: DeskAction[] = [
  {
    id: 'confirm-lost',
    // Past the Lost deadline (overdue) a Lost click still finishes the relink normally.
    awaiting: LOST_CLICK_WAITS,
    label: 'I clicked Lost',
    run: async (relinks, id, staff) => {
      await relinks.confirmLost(id, undefined, staff);
      return 'Told the relink that you clicked Lost: it checks Alma now.';
    },
  },
  {
    id: 'proceed',
    awaiting: ['request-review'],
    label: 'Proceed',
    run: (relinks, id, staff) => relinks.review(id, { decision: 'proceed', by: staff }),
  },
  {
    id: 'abort',
    awaiting: ['request-review'],
    label: 'Abort',
    caution: true,
    run: (relinks, id, staff) => relinks.review(id, { decision: 'abort', by: staff }),
  },
  {
    id: 'return-loans',
    awaiting: ['overdue'],
    label: 'Return the loans',
    caution: true,
    run: (relinks, id, staff) => relinks.returnLoans(id, staff),
  },
  {
    id: 'returned-in-alma',
    // After a give-up Alma refused the return: staff returned the item (or clicked Lost) in Alma themselves.
    awaiting: ['return-refused'],
    label: 'I returned it (or clicked Lost) in Alma',
    run: async (relinks, id, staff) => {
      await relinks.confirmLost(id, undefined, staff);
      return 'Told the relink: it tries the return again now, and restores the patron once Alma shows no active loan.';
    },
  },
  {
    id: 'keep-loans',
    awaiting: ['overdue', 'return-refused'],
    label: 'Keep the loans (letters then reach the patron)',
    caution: true,
    run: (relinks, id, staff) => relinks.keepLoans(id, staff),
  },
  {
    id: 'restore-now',
    awaiting: ['quiet-period'],
    label: "Restore the patron's email now",
    caution: true,
    run: (relinks, id, staff) => relinks.restoreNow(id, staff),
  },
];

export const actionsFor = (awaiting: string): DeskAction[] => ACTIONS.filter((a) => a.awaiting.includes(awaiting));
