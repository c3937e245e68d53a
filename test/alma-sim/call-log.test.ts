import axios from 'axios';
import { DESK, useSimulator } from './helpers';

describe('the call log', () => {
  const t = useSimulator();

  it('holds every API call in arrival order with method, path and query, status and time', async () => {
    const started = Date.now();
    await axios.get(`${t.sim.apiBase}/users/rivera.ana`, { validateStatus: () => true }); // no key
    await t.alma.get('/users/rivera.ana?view=full');
    await t.alma.post('/users/rivera.ana/loans?item_barcode=39000000001', DESK); // MISSING: refused
    await t.alma.delete(
      '/users/lindqvist.eva/requests/8410000000101?reason=CancelledAtPatronRequest&notify_user=false',
    );
    const calls = (await t.root.get('/_sim/calls')).data;
    expect(calls).toEqual(t.sim.calls());
    expect(calls.map((c: { method: string; path: string; status: number }) => [c.method, c.path, c.status])).toEqual([
      ['GET', '/almaws/v1/users/rivera.ana', 400],
      ['GET', '/almaws/v1/users/rivera.ana?view=full', 200],
      ['POST', '/almaws/v1/users/rivera.ana/loans?item_barcode=39000000001', 400],
      [
        'DELETE',
        '/almaws/v1/users/lindqvist.eva/requests/8410000000101?reason=CancelledAtPatronRequest&notify_user=false',
        204,
      ],
    ]);
    for (const call of calls) expect(Date.parse(call.at)).toBeGreaterThanOrEqual(started - 1000);
  });

  it('is emptied by a reset', async () => {
    await t.alma.get('/users/rivera.ana');
    t.sim.reset();
    expect(t.sim.calls()).toEqual([]);
  });
});
