import { fixturesWith, holdRequest, item, patron } from '../../src/alma-sim/builders';
import { almaErrorOf, example, ITEM1, ITEM3, itemPath, useSimulator } from './helpers';

const BUSY = item('30000000040', { processType: '' });
const shelved = (i: number) => `3000000010${String(i).padStart(2, '0')}`;
const HOLD_BODY = {
  request_type: 'HOLD',
  pickup_location_type: 'LIBRARY',
  pickup_location_library: 'MAIN',
  comment: 'relink',
};

describe('requests', () => {
  const t = useSimulator(() =>
    fixturesWith({
      users: [patron('many.holds'), patron('queue.a'), patron('queue.b')],
      items: [BUSY, ...Array.from({ length: 12 }, (_, i) => item(shelved(i), { processType: '' }))],
      requests: [
        holdRequest('8499000000101', 'queue.a', BUSY),
        holdRequest('8499000000102', 'queue.b', BUSY, { place_in_queue: 2 }),
        ...Array.from({ length: 12 }, (_, i) =>
          holdRequest(`84990000002${String(i).padStart(2, '0')}`, 'many.holds', shelved(i)),
        ),
      ],
    }),
  );
  const queueOf = async (item: unknown) => (await t.alma.get(`${itemPath(item)}/requests`)).data;

  it('creates a HOLD at the back of the queue, in Alma request shape', async () => {
    const res = await t.alma.post(`/users/rivera.ana/requests?item_pid=${ITEM3.item_data.pid}`, HOLD_BODY);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      request_id: expect.stringMatching(/^\d{13}$/),
      user_primary_id: 'rivera.ana',
      request_type: 'HOLD',
      request_sub_type: { value: 'PATRON_PHYSICAL' },
      request_status: 'NOT_STARTED',
      place_in_queue: 2,
      mms_id: ITEM3.bib_data.mms_id,
      item_id: ITEM3.item_data.pid,
      barcode: '39000000003',
      title: 'A Pattern Language',
      pickup_location_type: 'LIBRARY',
      pickup_location_library: 'MAIN',
      comment: 'relink',
    });
    const queue = await queueOf(ITEM3);
    expect(queue.total_record_count).toBe(2);
    expect(queue.user_request.map((r: { user_primary_id: string }) => r.user_primary_id)).toEqual([
      'lindqvist.eva',
      'rivera.ana',
    ]);
  });

  it('marks an item requested once it has a request', async () => {
    expect((await t.alma.get(itemPath(ITEM1))).data.item_data.requested).toBe(false);
    await t.alma.post(`/users/rivera.ana/requests?item_pid=${ITEM1.item_data.pid}`, HOLD_BODY);
    expect((await t.alma.get(itemPath(ITEM1))).data.item_data.requested).toBe(true);
  });

  it('refuses a second active request by the same patron for the item (401136)', async () => {
    const res = await t.alma.post(`/users/lindqvist.eva/requests?item_pid=${ITEM3.item_data.pid}`, HOLD_BODY);
    expect(res.status).toBe(400);
    expect(almaErrorOf(res)).toMatchObject({
      errorCode: '401136',
      errorMessage: 'Failed to save the request: Patron has active request for selected item.',
    });
  });

  it.each([
    ['an unknown patron', '/users/nobody/requests?item_pid=231000000030101', HOLD_BODY, '401861'],
    ['an unknown item', '/users/rivera.ana/requests?item_pid=239999', HOLD_BODY, '60328'],
    [
      'an unknown pickup library',
      '/users/rivera.ana/requests?item_pid=231000000030101',
      { ...HOLD_BODY, pickup_location_library: 'LAW' },
      '401895',
    ],
  ])('refuses a request for %s', async (_what, url, body, code) => {
    const res = await t.alma.post(url, body);
    expect(almaErrorOf(res).errorCode).toBe(code);
    expect(t.sim.state().requests).toHaveLength(example().requests.length + 14);
  });

  it('answers an item without requests as {"total_record_count":0}, as Alma leaves empty lists out', async () => {
    expect(await queueOf(ITEM1)).toEqual({ total_record_count: 0 });
  });

  it('cancels with notify_user=false: 204, out of the queue, the queue renumbered, no letter', async () => {
    const res = await t.alma.delete(
      '/users/queue.a/requests/8499000000101?reason=CancelledAtPatronRequest&notify_user=false',
    );
    expect(res.status).toBe(204);
    expect(res.data).toBe('');
    const queue = await queueOf(BUSY);
    expect(queue.user_request).toEqual([expect.objectContaining({ request_id: '8499000000102', place_in_queue: 1 })]);
    const history = (await t.alma.get(`${itemPath(BUSY)}/requests?status=history`)).data.user_request;
    expect(history).toEqual([
      expect.objectContaining({ request_id: '8499000000101', cancel_reason: { value: 'CancelledAtPatronRequest' } }),
    ]);
    expect(t.sim.notices()).toEqual([]);
  });

  it('sends the requester the cancellation letter unless notify_user=false', async () => {
    await t.alma.delete('/users/queue.b/requests/8499000000102?reason=CancelledAtPatronRequest');
    expect(t.sim.notices()).toMatchObject([
      { letter: 'FulCancelRequestLetter', user_id: 'queue.b', channel: 'email', address: 'queue.b@example.edu' },
    ]);
  });

  it('cancels through the item path too', async () => {
    const res = await t.alma.delete(
      `${itemPath(BUSY)}/requests/8499000000101?reason=CancelledAtPatronRequest&notify_user=false`,
    );
    expect(res.status).toBe(204);
    expect((await queueOf(BUSY)).total_record_count).toBe(1);
  });

  it('needs a reason to cancel, and then leaves the request alone', async () => {
    const res = await t.alma.delete('/users/queue.a/requests/8499000000101');
    expect(res.status).toBe(400);
    expect(almaErrorOf(res).errorCode).toBe('401666');
    expect((await queueOf(BUSY)).total_record_count).toBe(2);
  });

  it('answers an unknown or already cancelled request with 401694', async () => {
    expect(almaErrorOf(await t.alma.delete('/users/queue.a/requests/123?reason=X')).errorCode).toBe('401694');
    await t.alma.delete('/users/queue.a/requests/8499000000101?reason=X&notify_user=false');
    expect(almaErrorOf(await t.alma.delete('/users/queue.a/requests/8499000000101?reason=X')).errorCode).toBe('401694');
    // another patron's request is not found under this patron either
    expect(almaErrorOf(await t.alma.delete('/users/queue.a/requests/8499000000102?reason=X')).errorCode).toBe('401694');
  });

  it("pages a patron's requests by 10 unless told otherwise, truncating silently", async () => {
    const first = (await t.alma.get('/users/many.holds/requests')).data;
    expect(first.total_record_count).toBe(12);
    expect(first.user_request).toHaveLength(10);
    const rest = (await t.alma.get('/users/many.holds/requests?limit=10&offset=10')).data;
    expect(rest.user_request).toHaveLength(2);
  });

  it('returns one request by id', async () => {
    const res = await t.alma.get('/users/queue.b/requests/8499000000102');
    expect(res.data).toMatchObject({ request_id: '8499000000102', place_in_queue: 2 });
  });
});
