// A relink at an institution whose Lost click writes a loan process status the default does not know (here LOSTITEM)
// and charges no fee, so only the process status can confirm the click: with ALMA_LOST_PROCESS_STATUS naming the code
// (the worker's setting, which relink doctor reads from Alma's code table) the click is confirmed.
import { fixturesWith, HOLDING_EMAIL, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import type { RelinkResult } from '../../src/contract';
import { staffDeclaresLost, startHarness, waitForProgress, type RelinkHarness } from '../support/relink-harness';

describe('an institution whose Lost process status is LOSTITEM, named by ALMA_LOST_PROCESS_STATUS', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('lostitem.patron')], items: [item('45100000001')] }), {
      sim: { lostItemFee: 0, lostProcessStatus: 'LOSTITEM' },
      worker: { lostProcessStatus: 'LOSTITEM' },
    });
  });
  afterAll(async () => h?.close());

  it('confirms the Lost click by the process status the setting names, and restores', async () => {
    const started = await h.relinks.start(relinkInput('lostitem.patron', ['45100000001']));
    await staffDeclaresLost(h, started.workflowId);
    const progress = await waitForProgress(h, started.workflowId, (p) => p.items.every((i) => i.lostConfirmed), 20_000);
    expect(progress.items[0]).toMatchObject({ lostConfirmedBy: 'loan-process-status' });
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    const letters = h.sim.notices().filter((n) => n.user_id === 'lostitem.patron');
    expect(letters.every((n) => n.address === HOLDING_EMAIL)).toBe(true);
  });
});
