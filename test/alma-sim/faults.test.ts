import { startAlmaSimulator, FaultsError } from '../../src/alma-sim';
import { fixturesWith, item } from '../../src/alma-sim/builders';
import { almaClient, almaErrorOf, DESK, example, useSimulator, xmlErrorOf } from './helpers';

const FREE = item('30000000090', { processType: '' });
const lendFree = '/users/rivera.ana/loans?item_barcode=30000000090';
const loansOf = (state: { loans: Array<{ user_id: string; item_barcode?: unknown }> }) =>
  state.loans.filter((l) => l.user_id === 'rivera.ana' && l.item_barcode === '30000000090');

describe('faults', () => {
  const t = useSimulator(() => fixturesWith({ items: [FREE] }));

  it('latencyMs delays every API call', async () => {
    t.sim.setFaults({ latencyMs: 300 });
    const started = Date.now();
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('errorRate answers 500 with an XML body even when JSON was asked, without applying the write', async () => {
    t.sim.setFaults({ errorRate: 1 });
    const res = await t.alma.post(lendFree, DESK);
    expect(res.status).toBe(500);
    expect(xmlErrorOf(res).errorCode).toBe('INTERNAL_SERVER_ERROR');
    expect(loansOf(t.sim.state())).toEqual([]);
  });

  it('rate429 answers 429 PER_SECOND_THRESHOLD', async () => {
    t.sim.setFaults({ rate429: 1 });
    const res = await t.alma.get('/users/rivera.ana');
    expect(res.status).toBe(429);
    expect(almaErrorOf(res).errorCode).toBe('PER_SECOND_THRESHOLD');
  });

  it('perSecondLimit lets N calls through in any one-second window and refuses the rest with 429', async () => {
    t.sim.setFaults({ perSecondLimit: 3 });
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => t.alma.get('/users/rivera.ana')))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(200);
  });

  it('counts a call against the per-second limit when it arrives, not when its latency has passed', async () => {
    t.sim.setFaults({ perSecondLimit: 1, latencyMs: 300 });
    const first = t.alma.get('/users/rivera.ana');
    while (t.sim.calls().length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    // The simulator's timers fire late, as under load: the first call's latency ends a second after it arrived.
    const until = Date.parse(t.sim.calls()[0]!.at) + 1050;
    while (Date.now() < until) {
      // busy
    }
    // The second call arrives 1.05 s after the first: Alma's gateway lets it through.
    const second = await t.alma.get('/users/rivera.ana');
    expect((await first).status).toBe(200);
    expect(second.status).toBe(200);
  });

  it('applyThenFailRate applies a write and then answers 500; reads are untouched', async () => {
    t.sim.setFaults({ applyThenFailRate: 1 });
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(200);
    const res = await t.alma.post(lendFree, DESK);
    expect(res.status).toBe(500);
    expect(xmlErrorOf(res).errorCode).toBe('INTERNAL_SERVER_ERROR');
    expect(loansOf(t.sim.state())).toEqual([expect.objectContaining({ loan_status: 'ACTIVE' })]);
    expect(t.sim.notices().map((n) => n.letter)).toEqual(['FulLoanReceiptLetter']);
  });

  it('a rule fails exactly the next N matching calls, with the status and code given', async () => {
    t.sim.setFaults({
      rules: [
        { method: 'GET', path: '/users/rivera\\.ana$', action: 'error', status: 400, errorCode: '401652', times: 2 },
      ],
    });
    expect((await t.alma.get('/users/okafor.chidi')).status).toBe(200);
    const first = await t.alma.get('/users/rivera.ana');
    expect(first.status).toBe(400);
    expect(almaErrorOf(first).errorCode).toBe('401652');
    expect(t.sim.faults().rules).toEqual([expect.objectContaining({ times: 1 })]);
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(400);
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(200);
    expect(t.sim.faults().rules).toEqual([]);
  });

  it('a 5xx rule answers XML; a rule matches the method and the query string', async () => {
    t.sim.setFaults({
      rules: [{ method: 'post', path: 'loans\\?item_barcode=30000000090', action: 'error', status: 503 }],
    });
    expect((await t.alma.get('/users/rivera.ana/loans')).status).toBe(200);
    const res = await t.alma.post(lendFree, DESK);
    expect(res.status).toBe(503);
    expect(xmlErrorOf(res).errorCode).toBe('INTERNAL_SERVER_ERROR');
    expect(loansOf(t.sim.state())).toEqual([]);
  });

  it('a rule without a path matches every call of its method', async () => {
    t.sim.setFaults({ rules: [{ method: 'POST', action: 'error', status: 500, times: 5 }] });
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(200);
    expect((await t.alma.post(lendFree, DESK)).status).toBe(500);
    expect(t.sim.faults().rules).toEqual([expect.objectContaining({ times: 4 })]);
  });

  it('an apply-then-error rule on the PUT of one user really applies the PUT', async () => {
    t.sim.setFaults({
      rules: [{ method: 'PUT', path: '/users/rivera\\.ana', action: 'apply-then-error', status: 500 }],
    });
    const user = (await t.alma.get('/users/rivera.ana')).data;
    const res = await t.alma.put('/users/rivera.ana', { ...user, first_name: 'Changed' });
    expect(res.status).toBe(500);
    expect(t.sim.state().users.find((u) => u.primary_id === 'rivera.ana')?.first_name).toBe('Changed');
  });

  it('a delay rule slows only the matching call', async () => {
    t.sim.setFaults({ rules: [{ path: '/users/okafor', action: 'delay', delayMs: 400 }] });
    let started = Date.now();
    await t.alma.get('/users/rivera.ana');
    expect(Date.now() - started).toBeLessThan(300);
    started = Date.now();
    expect((await t.alma.get('/users/okafor.chidi')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('a delayed write still runs when its caller hangs up during the delay, as on a real server', async () => {
    t.sim.setFaults({ rules: [{ method: 'POST', path: '/loans', action: 'delay', delayMs: 300 }] });
    const controller = new AbortController();
    const call = t.alma.post(lendFree, DESK, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(call).rejects.toThrow(/cancel|abort/i);
    expect(loansOf(t.sim.state())).toEqual([]);
    await new Promise((r) => setTimeout(r, 400));
    expect(loansOf(t.sim.state())).toHaveLength(1);
  });

  it('a drop rule closes the connection with no answer; apply-then-drop applies the write first', async () => {
    t.sim.setFaults({
      rules: [
        { method: 'GET', path: '/users/okafor', action: 'drop' },
        { method: 'POST', path: '/loans', action: 'apply-then-drop' },
      ],
    });
    await expect(t.alma.get('/users/okafor.chidi')).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expect(t.alma.post(lendFree, DESK)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(loansOf(t.sim.state())).toHaveLength(1);
    expect(t.sim.calls().map((c) => [c.method, c.status, c.fault])).toEqual([
      ['GET', 0, 'rule#0:drop'],
      ['POST', 0, 'rule#1:apply-then-drop'],
    ]);
  });

  it('dailyRemaining counts down in X-Exl-Api-Remaining, and at 0 every call gets 429 DAILY_THRESHOLD', async () => {
    t.sim.setFaults({ dailyRemaining: 2 });
    expect((await t.alma.get('/users/rivera.ana')).headers['x-exl-api-remaining']).toBe('1');
    expect((await t.alma.get('/users/rivera.ana')).headers['x-exl-api-remaining']).toBe('0');
    const refused = await t.alma.get('/users/rivera.ana');
    expect(refused.status).toBe(429);
    expect(almaErrorOf(refused).errorCode).toBe('DAILY_THRESHOLD');
    t.sim.setFaults({});
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(200);
  });

  it("models Alma's midnight: POST /_sim/quota/reset restarts the daily count and keeps the other faults", async () => {
    t.sim.setFaults({ dailyRemaining: 0, rules: [{ path: 'okafor', action: 'error', status: 502 }] });
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(429);
    const reset = await t.root.post('/_sim/quota/reset');
    expect(reset.status).toBe(200);
    expect(reset.data).toEqual({ dailyRemaining: 1_000_000 });
    const after = await t.alma.get('/users/rivera.ana');
    expect(after.status).toBe(200);
    expect(after.headers['x-exl-api-remaining']).toBe('999999');
    expect((await t.alma.get('/users/okafor.chidi')).status).toBe(502);
    // From another count, over HTTP or in process; a count that is no count is refused.
    expect((await t.root.post('/_sim/quota/reset', { remaining: 3 })).data).toEqual({ dailyRemaining: 3 });
    t.sim.resetDailyQuota(7);
    expect(t.sim.faults().dailyRemaining).toBe(7);
    expect((await t.root.post('/_sim/quota/reset', { remaining: -1 })).status).toBe(400);
    expect(() => t.sim.resetDailyQuota(1.5)).toThrow(FaultsError);
  });

  it('logs every faulted call with its status and the fault that decided it', async () => {
    t.sim.setFaults({ rules: [{ path: 'rivera', action: 'error', status: 502 }] });
    await t.alma.get('/users/rivera.ana');
    await t.alma.get('/users/okafor.chidi');
    expect(t.sim.calls()).toEqual([
      expect.objectContaining({
        seq: 1,
        method: 'GET',
        path: '/almaws/v1/users/rivera.ana',
        status: 502,
        fault: 'rule#0:error',
      }),
      expect.objectContaining({ seq: 2, method: 'GET', path: '/almaws/v1/users/okafor.chidi', status: 200 }),
    ]);
    expect(t.sim.calls()[1]).not.toHaveProperty('fault');
  });

  it('are validated: unknown keys and bad values are refused, in process and over HTTP', async () => {
    expect(() => t.sim.setFaults({ errorRat: 1 } as never)).toThrow(FaultsError);
    expect(() => t.sim.setFaults({ errorRate: 2 })).toThrow(/errorRate/);
    expect(() => t.sim.setFaults({ rules: [{ path: '(', action: 'error' }] })).toThrow(/regular expression/);
    expect(() => t.sim.setFaults({ rules: [{ path: 'x', action: 'delay' }] })).toThrow(/delayMs/);
    const res = await t.root.put('/_sim/faults', { latency: 5 });
    expect(res.status).toBe(400);
    expect(res.data.error).toMatch(/latency/);
    const ok = await t.root.put('/_sim/faults', { latencyMs: 5, rules: [{ path: 'x', action: 'error' }] });
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ latencyMs: 5, rules: [{ path: 'x', action: 'error', times: 1 }] });
    expect((await t.root.get('/_sim/faults')).data).toEqual(ok.data);
  });

  it('are cleared by a reset', async () => {
    t.sim.setFaults({ errorRate: 1 });
    t.sim.reset(example());
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(200);
  });
});

describe('random faults', () => {
  async function statuses(seed: number): Promise<number[]> {
    const sim = await startAlmaSimulator({ port: 0, seed, fixtures: example() });
    try {
      sim.setFaults({ errorRate: 0.5 });
      const alma = almaClient(sim);
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await alma.get('/users/rivera.ana')).status);
      return out;
    } finally {
      await sim.close();
    }
  }

  it('repeat for the same seed and differ for another', async () => {
    const a = await statuses(7);
    expect(a).toContain(200);
    expect(a).toContain(500);
    expect(await statuses(7)).toEqual(a);
    expect(await statuses(8)).not.toEqual(a);
  });
});
