// The same workflow type after a change that landed without its patched() id: an activity where the release before
// started a timer. A worker with this code cannot replay a run started on before.ts (nondeterminism); a run reset to
// its first task (relink unstick) takes this path and ends with what the activity answered.
import { proxyActivities } from '@temporalio/workflow';

const { returnLoan } = proxyActivities<{ returnLoan(): Promise<string> }>({ startToCloseTimeout: '1 minute' });

export async function relinkLostLoans(): Promise<string> {
  return await returnLoan();
}
