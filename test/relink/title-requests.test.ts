// A title-level request of another patron on the bib of the item: Alma's "requested" flag says nothing of it, but a
// scan-in would put the item on the hold shelf for that patron (letter and all). The relink stops at the review with
// nothing written, and finishes once staff cancelled the request and proceeded.
import { fixturesWith, HOLDING_EMAIL, item, itemIds, patron, titleRequest } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import type { RelinkResult } from '../../src/contract';
import {
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  writesIn,
  type RelinkHarness,
} from '../support/relink-harness';

const BARCODE = '44000000001';
const MMS = itemIds(BARCODE).mmsId;

describe('title-level requests', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [patron('title.patron'), patron('title.waiting')],
        // Two copies of the title: the request could take either; the relink scans in the first.
        items: [item(BARCODE), item('44000000002', { mmsId: MMS, processType: '' })],
        requests: [titleRequest('8440000000001', 'title.waiting', MMS)],
      }),
    );
  });
  afterAll(async () => h?.close());

  it('stops at the review with no write, and completes after staff cancel the request, with no letter to its patron', async () => {
    const before = userOf(await h.sim.state(), 'title.patron');
    expect(h.sim.state().items.find((i) => i.item_data.barcode === BARCODE)?.item_data.requested).toBe(false);
    const started = await h.relinks.start(relinkInput('title.patron', [BARCODE]));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    expect(waiting.items[0]!.blockingRequests).toEqual([
      expect.objectContaining({ requestId: '8440000000001', level: 'title' }),
    ]);
    expect(waiting.awaitingInstructions).toMatch(/request 8440000000001 \(HOLD, NOT_STARTED, title-level on bib/);
    expect(waiting.awaitingInstructions).toMatch(/Fulfillment > Manage Requests, or in the title's Requests list/);
    expect(writesIn(h.sim.calls())).toEqual([]);

    await h.alma.cancelRequest('title.waiting', '8440000000001', {
      reason: 'CancelledAtPatronRequest',
      notifyUser: false,
    });
    await h.relinks.review(started.workflowId, { decision: 'proceed', by: 'circ.staff' });
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    expect(userOf(h.sim.state(), 'title.patron')).toEqual(before);
    const notices = h.sim.notices();
    expect(notices.filter((n) => n.user_id === 'title.waiting')).toEqual([]);
    expect(notices.filter((n) => n.user_id === 'title.patron').every((n) => n.address === HOLDING_EMAIL)).toBe(true);
  });
});
