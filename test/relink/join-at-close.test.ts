// A join that reaches a relink just before it closes must be refused, never answered "added" and then dropped.
import { addBarcodesUpdate, type JoinResult, type RelinkResult } from '../../src/contract';
import { fixturesWith, item, itemIds, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { startHarness, userOf, waitForProgress, type RelinkHarness, recordHistory } from '../support/relink-harness';

describe('a join at the close', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    // The client's production timeout (30 s): the harness's 5 s would cut the held calls below short.
    h = await startHarness(
      fixturesWith({ users: [patron('join.late')], items: [item('44000000001'), item('44000000002')] }),
      { alma: { timeoutMs: 30_000 } },
    );
  });
  afterAll(async () => h?.close());

  it('is refused as RelinkClosing when its barcodes are checked only after the relink began to finish', async () => {
    const before = userOf(await h.sim.state(), 'join.late');
    // The Lost deadline passes while the join's item lookup is held back, and the restore is held longer, so the
    // join's check returns while the relink is finishing: 3 s after the join's start on either side (the deadline at
    // about 3 s, the lookup's answer at about 6 s, the restore's until about 11 s), so a loaded machine's lag in
    // reaching the deadline or sending the join does not move the answer out of that window.
    // The holding-address limit at the Lost deadline: no overdue wait, the relink finishes there.
    const input = relinkInput('join.late', ['44000000001'], {
      lostDeadline: '3 seconds',
      holdingAddressLimit: '3 seconds',
      lostPollInitial: '1 second',
    });
    const started = await h.relinks.start(input);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await h.sim.setFaults({
      rules: [
        { method: 'GET', path: 'item_barcode=44000000002', action: 'delay', delayMs: 6000, times: 1 },
        { method: 'PUT', path: '/users/join\\.late', action: 'delay', delayMs: 8000, times: 1 },
      ],
    });
    const handle = h.temporal.client.workflow.getHandle(started.workflowId);
    const join = handle.executeUpdate(addBarcodesUpdate, { args: [['44000000002']] }).then(
      (answer: JoinResult) => ({ answer }),
      (err: Error) => ({ refused: String((err.cause as Error | undefined)?.message ?? err.message) }),
    );

    const result = (await handle.result()) as RelinkResult;
    expect(result.outcome).toBe('needs-attention');
    expect(await join).toEqual({ refused: expect.stringMatching(/is finishing/) });
    expect(result.items.map((i) => i.barcode)).toEqual(['44000000001']);
    await recordHistory(h, started.workflowId, 'needs-attention-join-refused-at-close');
    const calls = await h.sim.calls();
    const joinedPid = itemIds('44000000002').itemPid;
    expect(calls.filter((c) => c.method === 'POST' && c.path.includes(joinedPid))).toEqual([]);
    await h.sim.setFaults({});
    expect(userOf(await h.sim.state(), 'join.late').contact_info).toEqual(before.contact_info);
  });
});
