// The review and the scan-in read the bib's title-level requests too: Alma's item "requested" flag does not count
// them, and a scan-in of any item of the bib would fulfil the first one. Against the simulator.
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { AlmaClient } from '../../src/alma';
import { fixturesWith, holdRequest, item, itemIds, patron, titleRequest } from '../../src/alma-sim/builders';
import type { CheckedItem } from '../../src/contract';
import { useSimulator } from '../alma-sim/helpers';

const MMS = itemIds('32000000001').mmsId;
const t = useSimulator(() =>
  fixturesWith({
    users: [patron('title.relink'), patron('title.other')],
    items: [item('32000000001'), item('32000000002', { mmsId: MMS }), item('32000000003')],
    requests: [titleRequest('8497000000001', 'title.other', MMS)],
  }),
);
const opened: AlmaClient[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

function activities() {
  const alma = new AlmaClient({ baseUrl: t.sim.url, apiKey: t.sim.apiKey });
  opened.push(alma);
  return createActivities({ alma, heartbeatEveryMs: 100 });
}
const env = () => new MockActivityEnvironment({ startToCloseTimeoutMs: 60_000, scheduleToCloseTimeoutMs: 0 });

function checked(barcode: string, mmsId = itemIds(barcode).mmsId): CheckedItem {
  const ids = itemIds(barcode);
  return {
    barcode,
    mmsId,
    holdingId: ids.holdingId,
    itemPid: ids.itemPid,
    title: `Title ${barcode}`,
    library: 'MAIN',
    circDesk: 'DEFAULT_CIRC_DESK',
    processType: 'MISSING',
    requested: false,
  };
}

describe('title-level requests in the relink activities', () => {
  it('the review reads each bib once, whatever the requested flag, and reports the title-level request', async () => {
    const items = [checked('32000000001'), checked('32000000002', MMS), checked('32000000003')];
    const verdicts = await env().run(activities().reviewRequests, { patronId: 'title.relink', items });
    const blocking = { blocking: [expect.objectContaining({ requestId: '8497000000001', level: 'title' })] };
    expect(verdicts).toEqual({ '32000000001': blocking, '32000000002': blocking, '32000000003': { blocking: [] } });
    // No item is flagged requested: one bib read per distinct bib and nothing else.
    expect(t.sim.calls().map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /almaws/v1/bibs/${MMS}/requests?status=active`,
      `GET /almaws/v1/bibs/${itemIds('32000000003').mmsId}/requests?status=active`,
    ]);
  });

  it('the scan-in re-reads the title-level requests and does not scan while one stands', async () => {
    const result = await env().run(activities().scanIn, {
      patronId: 'title.relink',
      item: checked('32000000002', MMS),
    });
    expect(result).toEqual({
      scanned: false,
      blocking: [expect.objectContaining({ requestId: '8497000000001', level: 'title' })],
    });
    expect(t.sim.calls().filter((c) => c.method !== 'GET')).toEqual([]);
    expect(t.sim.notices()).toEqual([]);
  });

  it("the scan-in names the patron's own title-level request, so the scan fulfils theirs", async () => {
    t.sim.reset(
      fixturesWith({
        users: [patron('title.relink')],
        items: [item('32000000001')],
        requests: [titleRequest('8497000000002', 'title.relink', itemIds('32000000001').mmsId)],
      }),
    );
    const result = await env().run(activities().scanIn, { patronId: 'title.relink', item: checked('32000000001') });
    expect(result).toMatchObject({ scanned: true, patronRequestId: '8497000000002' });
  });
});

// Whether a bib's request list also shows item-level requests, and with what, is not documented (issue 26): the review
// must neither miss a title-level request nor take another copy's item-level request for one, whichever Alma does.
describe.each(['item-id', 'barcode-only', 'title-level-only'] as const)('a bib list that shows %s', (shown) => {
  const BIB = itemIds('33000000001').mmsId;
  const s = useSimulator(
    () =>
      fixturesWith({
        users: [patron('copy.relink'), patron('copy.other')],
        items: [item('33000000001'), item('33000000002', { mmsId: BIB }), item('33000000003')],
        requests: [
          // Another patron's hold on the second copy: Alma's item-level queue of that copy, not of the first.
          holdRequest('8498000000001', 'copy.other', item('33000000002', { mmsId: BIB })),
          titleRequest('8498000000002', 'copy.other', itemIds('33000000003').mmsId),
        ],
      }),
    { bibRequestsList: shown },
  );
  const run = () => {
    const alma = new AlmaClient({ baseUrl: s.sim.url, apiKey: s.sim.apiKey });
    opened.push(alma);
    return env().run(createActivities({ alma, heartbeatEveryMs: 100 }).reviewRequests, {
      patronId: 'copy.relink',
      items: [checked('33000000001'), checked('33000000003')],
    });
  };

  it("never takes another copy's item-level hold for a title-level one, and still sees the title-level one", async () => {
    expect(await run()).toEqual({
      '33000000001': { blocking: [] },
      '33000000003': { blocking: [expect.objectContaining({ requestId: '8498000000002', level: 'title' })] },
    });
  });
});
