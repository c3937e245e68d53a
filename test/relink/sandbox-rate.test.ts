// Relinks against a sandbox's per-second threshold (10 calls a second for the institution, the simulator's
// perSecondLimit setting) with the worker's default rate (ALMA_RATE_LIMIT unset): they complete with no step retried,
// since the client keeps to 10/s and a write the threshold still refuses (a call arriving a hair early) is sent again
// inside the step rather than failing it.
import { ALMA_THRESHOLDS } from '../../src/alma';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import type { RelinkResult } from '../../src/contract';
import { staffDeclaresLost, startHarness, type RelinkHarness } from '../support/relink-harness';

const patrons = ['one', 'two', 'three', 'four', 'five', 'six'].map((n) => `sandbox.${n}`);

describe("relinks against a sandbox's 10 calls a second, at the default rate", () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({ users: patrons.map((id) => patron(id)), items: patrons.map((_, i) => item(`4700000000${i}`)) }),
      // The harness's client runs at 200/s for speed; these relinks run at the worker's default.
      { sim: { perSecondLimit: ALMA_THRESHOLDS.sandbox }, alma: { requestsPerSecond: undefined } },
    );
  });
  afterAll(async () => h?.close());

  it('complete with no step retried', async () => {
    const started = await Promise.all(patrons.map((id, i) => h.relinks.start(relinkInput(id, [`4700000000${i}`]))));
    await Promise.all(started.map((s) => staffDeclaresLost(h, s.workflowId)));
    for (const s of started) {
      const handle = h.temporal.client.workflow.getHandle(s.workflowId);
      expect(((await handle.result()) as RelinkResult).outcome).toBe('completed');
      const history = await handle.fetchHistory();
      const retried = (history.events ?? []).filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
      expect(retried).toEqual([]);
    }
  }, 120_000);
});
