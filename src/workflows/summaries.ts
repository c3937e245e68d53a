// What the Web UI shows on each activity and timer of a relink (Temporal's user metadata), in the words of the
// library: ids and counts only, never a name or an address. Summaries travel through the payload codec like every
// payload. Relinks started before the change run without them (patches.ts, USER_METADATA).
import type { RelinkActivities } from '../contract';

const ACTIVITY_SUMMARIES: Record<keyof RelinkActivities, string> = {
  resolvePatron: 'look up the patron',
  preflight: 'check patron and items (read only)',
  reviewRequests: "read the items' request queues",
  swapContact: 'swap email to the holding address',
  recheckSwap: 'check the swap still holds',
  scanIn: 'scan the item in',
  loanItem: 'loan the item to the patron',
  checkLostDeclared: 'check Alma for the Lost click',
  restoreContact: "restore the patron's email",
  findLoans: 'find loans Alma made without answering',
  holdingEntryBack: 'check whether the holding address came back',
  findHoldingAddresses: 'find patrons left with the holding address',
  restoreFromMarker: "restore the patron's email from the relink's marker",
  returnLoan: 'return the loan (scan the item in) before the restore',
  readDailyQuota: "read Alma's daily API quota for a batch",
  quietPeriodEnd: 'work out when the quiet period ends',
  setDueDate: "change the loan's due date",
};

/** The summary of one call of an activity; the Lost check is numbered, as staff count them. */
export function activitySummary(name: string, calls: number): string | undefined {
  const text = (ACTIVITY_SUMMARIES as Record<string, string | undefined>)[name];
  if (!text) return undefined;
  return name === 'checkLostDeclared' ? `${text}, check ${calls}` : text;
}

export const lostWaitSummary = (poll: number) => `wait for the staff Lost click, poll ${poll}`;
export const reviewWaitSummary = 'wait for staff to review the request queue';
