// The buttons that answer what a relink waits for. One line each: what it waits for, the label staff see, and the
// RelinkClient call it makes with the signed-in name. A new wait (an overdue relink's "Return the loans" or "Keep
// the loans") is one more line here.
import type { RelinkClient } from '../client';

export interface DeskAction {
  /** The path segment of its form: POST /relinks/<id>/<action id>. */
  id: string;
  /** The relink's `awaiting` it answers. */
  awaiting: string;
  label: string;
  /** Shown as a secondary (cautious) button. */
  caution?: boolean;
  /** Does it; returns what to tell the staff member. */
  run(relinks: RelinkClient, workflowId: string, staff: string): Promise<string>;
}

export const ACTIONS: DeskAction[] = [
  {
    id: 'confirm-lost',
    awaiting: 'lost-declaration',
    label: 'I clicked Lost',
    run: async (relinks, id, staff) => {
      await relinks.confirmLost(id, undefined, staff);
      return 'Told the relink that you clicked Lost: it checks Alma now.';
    },
  },
  {
    id: 'proceed',
    awaiting: 'request-review',
    label: 'Proceed',
    run: (relinks, id, staff) => relinks.review(id, { decision: 'proceed', by: staff }),
  },
  {
    id: 'abort',
    awaiting: 'request-review',
    label: 'Abort',
    caution: true,
    run: (relinks, id, staff) => relinks.review(id, { decision: 'abort', by: staff }),
  },
];

export const actionsFor = (awaiting: string): DeskAction[] => ACTIONS.filter((a) => a.awaiting === awaiting);
