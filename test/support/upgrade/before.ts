// A stand-in for the relink workflow of the release before an upgrade (test/observability/stuck-relink.test.ts): a
// timer, then a wait that never ends. Same workflow type as the real one, so list, doctor and the gauges see it.
import { condition, sleep } from '@temporalio/workflow';

export async function relinkLostLoans(): Promise<void> {
  await sleep('2 seconds');
  await condition(() => false);
}
