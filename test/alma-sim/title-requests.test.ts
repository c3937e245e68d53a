// Title-level requests: created on a bib with no item, listed by the bib, fulfilled by the scan-in of any of its
// items (hold shelf at the pickup library, transit elsewhere), cancelled by DELETE.
import { fixturesWith, item, itemIds, patron, titleRequest } from '../../src/alma-sim/builders';
import { almaErrorOf, itemPath, SCAN_AT_MAIN, useSimulator } from './helpers';

const COPY1 = item('31000000001');
const MMS = itemIds('31000000001').mmsId;
const COPY2 = item('31000000002', { mmsId: MMS });
const OTHER_BIB = item('31000000003');
const HOLD_BODY = { request_type: 'HOLD', pickup_location_type: 'LIBRARY', pickup_location_library: 'MAIN' };
const SCAN_AT_SCI = 'op=scan&library=SCI&circ_desk=SCI_DESK&register_in_house_use=false';

describe('title-level requests', () => {
  const t = useSimulator(() =>
    fixturesWith({
      users: [patron('title.a'), patron('title.b')],
      items: [COPY1, COPY2, OTHER_BIB],
      requests: [titleRequest('8498000000001', 'title.a', MMS)],
    }),
  );
  const bibRequests = async (mmsId = MMS, query = '') => (await t.alma.get(`/bibs/${mmsId}/requests${query}`)).data;

  it('creates one with mms_id and no item, in the title queue, invisible to the items and their flag', async () => {
    const res = await t.alma.post(`/users/title.b/requests?mms_id=${MMS}`, HOLD_BODY);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ user_primary_id: 'title.b', mms_id: MMS, place_in_queue: 2 });
    expect(res.data.item_id).toBeUndefined();
    const listed = await bibRequests();
    expect(listed.user_request.map((r: { request_id: string }) => r.request_id)).toEqual([
      '8498000000001',
      res.data.request_id,
    ]);
    // Alma's "requested" flag and the item's own queue know nothing of a title-level request.
    for (const copy of [COPY1, COPY2]) {
      expect((await t.alma.get(itemPath(copy))).data.item_data.requested).toBe(false);
      expect((await t.alma.get(`${itemPath(copy)}/requests`)).data).toEqual({ total_record_count: 0 });
    }
    expect(await bibRequests(OTHER_BIB.bib_data.mms_id)).toEqual({ total_record_count: 0 });
  });

  it('refuses a second title request by the same patron (401136) and an unknown bib (60328)', async () => {
    const twice = await t.alma.post(`/users/title.a/requests?mms_id=${MMS}`, HOLD_BODY);
    expect(almaErrorOf(twice).errorCode).toBe('401136');
    const unknown = await t.alma.post('/users/title.a/requests?mms_id=9999990101', HOLD_BODY);
    expect(almaErrorOf(unknown).errorCode).toBe('60328');
    expect(almaErrorOf(await t.alma.get('/bibs/9999990101/requests')).errorCode).toBe('402203');
  });

  it('is fulfilled by the scan-in of any copy at its pickup library: hold shelf, letter, bound to that copy', async () => {
    const res = await t.alma.post(`${itemPath(COPY2)}?${SCAN_AT_MAIN}`, {});
    expect(res.status).toBe(200);
    expect(res.data.item_data.process_type.value).toBe('HOLDSHELF');
    expect(res.data.additional_info).toMatch(/Requester ID: title\.a\./);
    expect(t.sim.notices()).toMatchObject([{ letter: 'FulPlaceOnHoldShelfLetter', user_id: 'title.a' }]);
    const bound = (await t.alma.get(`${itemPath(COPY2)}/requests`)).data.user_request;
    expect(bound).toEqual([expect.objectContaining({ request_id: '8498000000001', item_id: COPY2.item_data.pid })]);
    expect(bound[0].request_status).toBe('ON_HOLD_SHELF');
    // The other copy is not taken by the same request.
    const other = await t.alma.post(`${itemPath(COPY1)}?${SCAN_AT_MAIN}`, {});
    expect(other.data.item_data.process_type.value).toBe('');
    expect(t.sim.notices()).toHaveLength(1);
  });

  it('is put in transit by a scan-in at another library, as an item-level request is', async () => {
    const res = await t.alma.post(`${itemPath(COPY1)}?${SCAN_AT_SCI}`, {});
    expect(res.data.item_data.process_type.value).toBe('TRANSIT');
    expect(res.data.additional_info).toMatch(/Transit to Main Library/);
    expect((await bibRequests()).user_request[0]).toMatchObject({
      request_status: 'IN_PROCESS',
      item_id: COPY1.item_data.pid,
    });
    expect(t.sim.notices()).toEqual([]);
  });

  it('is cancelled by DELETE, the title queue renumbered, and no longer taken by a scan-in', async () => {
    await t.alma.post(`/users/title.b/requests?mms_id=${MMS}`, HOLD_BODY);
    const res = await t.alma.delete(
      '/users/title.a/requests/8498000000001?reason=CancelledAtPatronRequest&notify_user=false',
    );
    expect(res.status).toBe(204);
    expect((await bibRequests()).user_request).toEqual([
      expect.objectContaining({ user_primary_id: 'title.b', place_in_queue: 1 }),
    ]);
    expect((await bibRequests(MMS, '?status=history')).user_request).toEqual([
      expect.objectContaining({ request_id: '8498000000001' }),
    ]);
    const scan = await t.alma.post(`${itemPath(COPY1)}?${SCAN_AT_MAIN}`, {});
    expect(scan.data.additional_info).toMatch(/Requester ID: title\.b\./);
    expect(t.sim.notices()).toMatchObject([{ letter: 'FulPlaceOnHoldShelfLetter', user_id: 'title.b' }]);
  });
});
