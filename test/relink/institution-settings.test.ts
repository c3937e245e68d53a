// A relink at an institution whose Lost click charges no fee, writes LOST_LOAN as the loan's process status and sends
// FulOverdueAndLostLoanLetter: the process status alone confirms the click, and the letter goes to the holding address.
import { fixturesWith, HOLDING_EMAIL, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import type { RelinkResult } from '../../src/contract';
import { staffDeclaresLost, startHarness, userOf, type RelinkHarness } from '../support/relink-harness';

describe('an institution with no lost-item fee, LOST_LOAN and the Overdue and Lost letter', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('nofee.patron')], items: [item('45000000001')] }), {
      sim: { lostItemFee: 0, lostProcessStatus: 'LOST_LOAN', lostLetter: 'FulOverdueAndLostLoanLetter' },
    });
  });
  afterAll(async () => h?.close());

  it('completes on the loan process status alone, the Lost letter sent to the holding address', async () => {
    const before = userOf(h.sim.state(), 'nofee.patron');
    const started = await h.relinks.start(relinkInput('nofee.patron', ['45000000001']));
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    expect(result.items).toEqual([expect.objectContaining({ barcode: '45000000001', lostConfirmed: true })]);
    const progress = await h.relinks.progress(started.workflowId);
    expect(progress.items[0]).toMatchObject({ lostConfirmedBy: 'loan-process-status' });
    expect(h.sim.state().fees.filter((f) => f.user_primary_id === 'nofee.patron')).toEqual([]);
    expect(userOf(h.sim.state(), 'nofee.patron')).toEqual(before);
    const letters = h.sim.notices().filter((n) => n.user_id === 'nofee.patron');
    expect(letters.map((n) => n.letter)).toContain('FulOverdueAndLostLoanLetter');
    expect(letters.every((n) => n.address === HOLDING_EMAIL)).toBe(true);
  });
});
