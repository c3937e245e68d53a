import { fixturesWith, holdRequest, item, loan, patron } from '../../src/alma-sim/builders';
import { almaClient, almaErrorOf, ITEM1, ITEM3, itemPath, SCAN_AT_MAIN, useSimulator } from './helpers';

const ON_LOAN = item('30000000010', { processType: 'LOAN' });
const QUEUED = item('30000000020', { processType: 'MISSING' });
const SCI_ITEM = item('30000000030', { library: 'SCI', processType: '' });

describe('items', () => {
  const t = useSimulator(() =>
    fixturesWith({
      users: [patron('first.in.line'), patron('second.in.line'), patron('borrower')],
      items: [ON_LOAN, QUEUED, SCI_ITEM],
      loans: [loan('7399000000001', 'borrower', ON_LOAN)],
      requests: [
        holdRequest('8499000000001', 'first.in.line', QUEUED),
        holdRequest('8499000000002', 'second.in.line', QUEUED, { place_in_queue: 2 }),
      ],
    }),
  );
  const scan = (item: unknown, query = SCAN_AT_MAIN) => t.alma.post(`${itemPath(item)}?${query}`, {});

  describe('GET /items?item_barcode=', () => {
    it('answers 302 to the item full path on the simulator, and the redirect is a call of its own', async () => {
      const res = await almaClient(t.sim, {}, 0).get('/items?item_barcode=39000000003');
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`${t.sim.apiBase}${itemPath(ITEM3)}`);
      const followed = await t.alma.get('/items?item_barcode=39000000003');
      expect(followed.status).toBe(200);
      expect(followed.data.item_data.pid).toBe(ITEM3.item_data.pid);
      expect(t.sim.calls().map((c) => [c.method, c.path, c.status])).toEqual([
        ['GET', '/almaws/v1/items?item_barcode=39000000003', 302],
        ['GET', '/almaws/v1/items?item_barcode=39000000003', 302],
        ['GET', `/almaws/v1${itemPath(ITEM3)}`, 200],
      ]);
    });

    it('carries the other parameters over to the redirect', async () => {
      const res = await almaClient(t.sim, {}, 0).get('/items?item_barcode=39000000003&format=json');
      expect(res.headers.location).toBe(`${t.sim.apiBase}${itemPath(ITEM3)}?format=json`);
    });

    it('answers an unknown barcode with 401689', async () => {
      const res = await t.alma.get('/items?item_barcode=12345');
      expect(res.status).toBe(400);
      expect(almaErrorOf(res)).toMatchObject({
        errorCode: '401689',
        errorMessage: 'No items found for barcode 12345.',
      });
    });
  });

  describe('GET the item', () => {
    it('returns Alma item shape with links and requested derived from the queue', async () => {
      const res = await t.alma.get(itemPath(ITEM3));
      expect(res.status).toBe(200);
      expect(res.data).toMatchObject({
        bib_data: { mms_id: ITEM3.bib_data.mms_id, title: 'A Pattern Language' },
        holding_data: { holding_id: ITEM3.holding_data.holding_id },
        item_data: {
          pid: ITEM3.item_data.pid,
          barcode: '39000000003',
          base_status: { value: '0', desc: 'Item not in place' },
          process_type: { value: 'MISSING', desc: 'Missing' },
          requested: true,
        },
        link: `${t.sim.apiBase}${itemPath(ITEM3)}`,
      });
      expect((await t.alma.get(itemPath(ITEM1))).data.item_data.requested).toBe(false);
    });

    it('does not find the item under another holding', async () => {
      const res = await t.alma.get(itemPath(ITEM3).replace(ITEM3.holding_data.holding_id, '229999'));
      expect(res.status).toBe(400);
      expect(almaErrorOf(res).errorCode).toBe('401652');
    });
  });

  describe('scan-in', () => {
    it('clears MISSING and puts an unrequested item back in place', async () => {
      const res = await scan(ITEM1);
      expect(res.status).toBe(200);
      expect(res.data.item_data.base_status).toEqual({ value: '1', desc: 'Item in place' });
      expect(res.data.item_data.process_type).toEqual({ value: '', desc: null });
      expect(res.data.additional_info).toBe(
        "Item's destination is: Reshelve to Main Stacks. Request/Process Type: . Requester: . Requester ID: . Place in Queue: 0",
      );
      expect((await t.alma.get(itemPath(ITEM1))).data.item_data.process_type.value).toBe('');
      expect(t.sim.notices()).toEqual([]);
    });

    it('completes the active loan on the item', async () => {
      await scan(ON_LOAN);
      const loan = t.sim.state().loans.find((l) => l.loan_id === '7399000000001');
      expect(loan).toMatchObject({ loan_status: 'COMPLETE', return_circ_desk: { value: 'DEFAULT_CIRC_DESK' } });
      expect(loan?.return_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect((await t.alma.get('/users/borrower/loans')).data).toEqual({ total_record_count: 0 });
    });

    it('puts a scanned item on the hold shelf for the first requester, who gets the On Hold Shelf letter', async () => {
      const res = await scan(QUEUED);
      expect(res.data.item_data.process_type).toEqual({ value: 'HOLDSHELF', desc: 'Hold Shelf' });
      expect(res.data.additional_info).toBe(
        "Item's destination is: Hold Shelf. Request/Process Type: Patron physical item request. Requester: first.in.line, Pat. Requester ID: first.in.line. Place in Queue: 2",
      );
      const queue = (await t.alma.get(`${itemPath(QUEUED)}/requests`)).data.user_request;
      expect(queue.map((r: { request_status: string }) => r.request_status)).toEqual(['ON_HOLD_SHELF', 'NOT_STARTED']);
      expect(t.sim.notices()).toMatchObject([
        {
          letter: 'FulPlaceOnHoldShelfLetter',
          user_id: 'first.in.line',
          channel: 'email',
          address: 'first.in.line@example.edu',
          request_id: '8499000000001',
          item_barcode: '30000000020',
        },
      ]);
    });

    it('serves the request named by request_id instead of the first in line', async () => {
      const res = await scan(QUEUED, `${SCAN_AT_MAIN}&request_id=8499000000002`);
      expect(res.data.additional_info).toContain('Requester ID: second.in.line');
      expect(t.sim.notices().map((n) => n.user_id)).toEqual(['second.in.line']);
    });

    it('does not send a second letter when the hold-shelf item is scanned again', async () => {
      await scan(QUEUED);
      await scan(QUEUED);
      expect(t.sim.notices()).toHaveLength(1);
    });

    it('sends an item scanned away from the pickup library into transit', async () => {
      const res = await scan(QUEUED, 'op=scan&library=SCI&circ_desk=SCI_DESK&register_in_house_use=false');
      expect(res.data.item_data.process_type.value).toBe('TRANSIT');
      expect(res.data.additional_info).toContain("Item's destination is: Transit to Main Library.");
      expect(t.sim.notices()).toEqual([]);
    });

    it('needs a circ_desk or a department (40166415)', async () => {
      const res = await scan(ITEM1, 'op=scan&library=MAIN');
      expect(res.status).toBe(400);
      expect(almaErrorOf(res)).toEqual(
        expect.objectContaining({
          errorCode: '40166415',
          errorMessage: 'Must send at least one of the following parameters: [circ_desk,department]',
        }),
      );
    });

    it('fails (402502) at a desk that is not one of the library desks, changing nothing', async () => {
      const before = t.sim.state();
      const res = await scan(ITEM1, 'op=scan&library=MAIN&circ_desk=SCI_DESK');
      expect(almaErrorOf(res).errorCode).toBe('402502');
      expect(t.sim.state()).toEqual(before);
    });

    it('fails (402504) for an item it cannot find', async () => {
      const res = await t.alma.post(`${itemPath(ITEM1).replace(ITEM1.item_data.pid, '239999')}?${SCAN_AT_MAIN}`, {});
      expect(almaErrorOf(res).errorCode).toBe('402504');
    });
  });
});
