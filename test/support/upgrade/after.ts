// The same workflow type after a change that landed without its patched() id: an activity where the release before
// started a timer. A worker with this code cannot replay a run started on before.ts (nondeterminism).
import { condition, proxyActivities } from '@temporalio/workflow';

const { returnLoan } = proxyActivities<{ returnLoan(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function relinkLostLoans(): Promise<void> {
  await returnLoan();
  await condition(() => false);
}
