// RelinkOutcome: how a relink ended, in visibility, so the needs-attention gauge can count the ended ones.
import type { RelinkResult } from '../../src/contract';
import { RelinkOutcome } from '../../src/contract';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { recordHistory, staffDeclaresLost, startHarness, type RelinkHarness } from '../support/relink-harness';

describe('the RelinkOutcome search attribute', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [patron('outcome.done'), patron('outcome.late')],
        items: [item('47000000001'), item('47000000002')],
      }),
    );
  });
  afterAll(async () => h?.close());

  it('is written at the end: completed, or needs-attention at the holding-address limit', async () => {
    const done = await h.relinks.start(relinkInput('outcome.done', ['47000000001']));
    const late = await h.relinks.start(
      relinkInput('outcome.late', ['47000000002'], { lostDeadline: '2 seconds', holdingAddressLimit: '5 seconds' }),
    );
    await staffDeclaresLost(h, done.workflowId);
    for (const [started, outcome] of [
      [done, 'completed'],
      [late, 'needs-attention'],
    ] as const) {
      const handle = h.temporal.client.workflow.getHandle(started.workflowId);
      expect(((await handle.result()) as RelinkResult).outcome).toBe(outcome);
      expect((await handle.describe()).typedSearchAttributes.get(RelinkOutcome)).toBe(outcome);
    }
    await recordHistory(h, done.workflowId, 'ops-completed-outcome-attribute');
    await recordHistory(h, late.workflowId, 'ops-needs-attention-outcome-attribute');
  });
});
