// The scan-in as the library's Alma is configured: an item in a temporary location is scanned in and loaned at a desk
// of that location's library (elsewhere Alma sends it in transit, and no desk of another library may loan it), and at
// a desk with hold-shelf processing the scan-in for the patron's own request places the item on the hold shelf
// (place_on_hold_shelf=true, from ALMA_HOLD_SHELF_DESKS), or the item stays in processing and cannot be loaned.
import {
  DESKS,
  fixturesWith,
  HOLDING_EMAIL,
  holdRequest,
  item,
  itemIds,
  patron,
  withHoldShelfProcessing,
} from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import type { RelinkResult } from '../../src/contract';
import { staffDeclaresLost, startHarness, userOf, type RelinkHarness } from '../support/relink-harness';

const pid = (barcode: string) => itemIds(barcode).itemPid;

describe('desks as the library configured them', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    const fixtures = fixturesWith({
      users: [patron('temp.patron'), patron('shelf.patron')],
      // Permanently at MAIN, for now in SCI's course reserves.
      items: [item('46000000001', { tempLibrary: 'SCI' }), item('46000000002')],
      requests: [holdRequest('8460000000002', 'shelf.patron', '46000000002')],
    });
    h = await startHarness(withHoldShelfProcessing(fixtures, [DESKS.deskByLibrary.MAIN]));
  });
  afterAll(async () => h?.close());

  async function relink(patronId: string, barcode: string, desks = DESKS): Promise<RelinkResult> {
    const started = await h.relinks.start(relinkInput(patronId, [barcode], { desks }));
    await staffDeclaresLost(h, started.workflowId);
    return (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
  }

  it("scans in and loans an item in a temporary location at its temporary library's desk", async () => {
    const before = userOf(h.sim.state(), 'temp.patron');
    const result = await relink('temp.patron', '46000000001');
    expect(result.outcome).toBe('completed');
    const scans = h.sim.calls().filter((c) => c.method === 'POST' && c.path.includes(`${pid('46000000001')}?`));
    expect(scans).toEqual([expect.objectContaining({ status: 200 })]);
    expect(scans[0]!.path).toContain(`library=SCI&circ_desk=${DESKS.deskByLibrary.SCI}`);
    const loan = h.sim.state().loans.find((l) => l.user_id === 'temp.patron');
    expect(loan).toMatchObject({ library: { value: 'SCI' }, circ_desk: { value: DESKS.deskByLibrary.SCI } });
    expect(userOf(h.sim.state(), 'temp.patron')).toEqual(before);
  });

  it("places the item on the hold shelf at a desk with hold-shelf processing, for the patron's own request", async () => {
    const desks = { ...DESKS, holdShelfDesks: [DESKS.deskByLibrary.MAIN] };
    const result = await relink('shelf.patron', '46000000002', desks);
    expect(result.outcome).toBe('completed');
    const scan = h.sim.calls().find((c) => c.method === 'POST' && c.path.includes(`${pid('46000000002')}?`));
    expect(scan).toMatchObject({ status: 200, path: expect.stringContaining('place_on_hold_shelf=true') });
    const loan = h.sim.state().loans.find((l) => l.user_id === 'shelf.patron');
    expect(loan).toMatchObject({ request_id: { value: '8460000000002' } });
    // The On Hold Shelf letter of the patron's own request went to the holding address, as every letter did.
    const letters = h.sim.notices().filter((n) => n.user_id === 'shelf.patron');
    expect(letters.map((n) => n.letter)).toContain('FulPlaceOnHoldShelfLetter');
    expect(letters.every((n) => n.address === HOLDING_EMAIL)).toBe(true);
  });
});
