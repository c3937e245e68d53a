// A call inside a Temporal step, against the simulator: a write goes out at most once, nothing is sent after the
// step's deadline (or within its margin), a call in flight stops with the step's cancel, and the limiter's wait counts
// against the deadline. The simulator's call log says what reached "Alma".
import { AlmaClient, type AlmaClientOptions } from '../../src/alma';
import { useSimulator } from '../alma-sim/helpers';

const t = useSimulator();
const opened: AlmaClient[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function client(options: Partial<AlmaClientOptions> = {}): AlmaClient {
  const alma = new AlmaClient({ baseUrl: t.sim.url, apiKey: t.sim.apiKey, retryDelayMs: 5, ...options });
  opened.push(alma);
  return alma;
}

const methods = () => t.sim.calls().map((c) => c.method);
const MARGIN = 2000; // the client's default deadlineMarginMs

describe('writes are not retried inside the client, but for the per-second threshold', () => {
  it.each([503, 500])(
    'a PUT answered %i reaches Alma once and fails retryable (the step retries it)',
    async (status) => {
      const alma = client();
      t.sim.setFaults({ rules: [{ method: 'PUT', action: 'error', status, times: 5 }] });
      const user = await alma.getUser('rivera.ana');
      await expect(alma.updateUser('rivera.ana', user)).rejects.toMatchObject({ retryable: true, method: 'PUT' });
      expect(methods()).toEqual(['GET', 'PUT']);
      expect(alma.stats.retries).toBe(0);
    },
  );

  it('a PUT refused by the per-second threshold (before processing) is sent again within the step', async () => {
    const alma = client();
    t.sim.setFaults({ rules: [{ method: 'PUT', action: 'error', status: 429, times: 2 }] });
    const user = await alma.getUser('rivera.ana');
    await expect(alma.updateUser('rivera.ana', user)).resolves.toMatchObject({ primary_id: 'rivera.ana' });
    expect(methods()).toEqual(['GET', 'PUT', 'PUT', 'PUT']);
    expect(alma.stats).toMatchObject({ rateLimited: 2, retries: 2 });
  });

  it('a GET answered 503 is still retried', async () => {
    const alma = client();
    t.sim.setFaults({ rules: [{ method: 'GET', action: 'error', status: 503, times: 2 }] });
    await alma.getUser('rivera.ana');
    expect(methods()).toEqual(['GET', 'GET', 'GET']);
  });
});

describe('the deadline', () => {
  it('a write whose deadline has passed is never sent', async () => {
    const alma = client();
    const user = await alma.getUser('rivera.ana');
    const late = alma.within({ deadline: Date.now() - 1 });
    await expect(late.updateUser('rivera.ana', user)).rejects.toMatchObject({
      kind: 'deadline',
      retryable: true,
      code: 'DEADLINE',
      method: 'PUT',
    });
    // Nor one whose deadline is nearer than the margin.
    const nearly = alma.within({ deadline: Date.now() + MARGIN - 100 });
    await expect(nearly.updateUser('rivera.ana', user)).rejects.toMatchObject({ kind: 'deadline' });
    expect(methods()).toEqual(['GET']);
  });

  it('a call gets only the time left before the deadline, less the margin, not the full client timeout', async () => {
    const alma = client({ timeoutMs: 30_000 });
    t.sim.setFaults({ rules: [{ method: 'GET', action: 'delay', delayMs: 5000 }] });
    const began = Date.now();
    await expect(alma.within({ deadline: began + MARGIN + 1500 }).getUser('rivera.ana')).rejects.toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(2500);
    expect(methods()).toEqual(['GET']);
  });

  it('a GET is not retried when the pause and another try would pass the deadline', async () => {
    const alma = client({ retryDelayMs: 1000 });
    t.sim.setFaults({ rules: [{ method: 'GET', action: 'error', status: 503, times: 5 }] });
    await expect(alma.within({ deadline: Date.now() + MARGIN + 1500 }).getUser('rivera.ana')).rejects.toMatchObject({
      kind: 'server',
      retryable: true,
    });
    expect(methods()).toEqual(['GET']);
  });

  it('a limiter wait that would pass the deadline fails at once, retryable, and sends nothing', async () => {
    const alma = client({ requestsPerSecond: 0.5 }); // one call every 2 s
    const user = await alma.getUser('rivera.ana');
    const began = Date.now();
    await expect(alma.within({ deadline: began + MARGIN + 1500 }).updateUser('rivera.ana', user)).rejects.toMatchObject(
      { kind: 'deadline', retryable: true, almaMessage: expect.stringMatching(/limiter/) },
    );
    expect(Date.now() - began).toBeLessThan(300);
    // With time enough it waits its turn and goes out.
    await alma.within({ deadline: Date.now() + MARGIN + 5000 }).updateUser('rivera.ana', user);
    expect(methods()).toEqual(['GET', 'PUT']);
  });
});

describe('the signal', () => {
  it('an abort stops the call in flight at once, and nothing is sent after it', async () => {
    const alma = client();
    t.sim.setFaults({ rules: [{ method: 'GET', action: 'delay', delayMs: 3000 }] });
    const step = new AbortController();
    const bound = alma.within({ signal: step.signal, deadline: Date.now() + 60_000 });
    const began = Date.now();
    setTimeout(() => step.abort(), 300);
    await expect(bound.getUser('rivera.ana')).rejects.toMatchObject({
      kind: 'cancelled',
      retryable: true,
      code: 'CANCELLED',
    });
    expect(Date.now() - began).toBeLessThan(1000);
    await expect(bound.getUser('rivera.ana')).rejects.toMatchObject({ kind: 'cancelled' });
    await sleep(500);
    expect(methods()).toEqual(['GET']);
    expect(alma.stats.retries).toBe(0);
  });

  it('an abort while waiting for the limiter sends nothing and lets the next caller through', async () => {
    const alma = client({ requestsPerSecond: 1 });
    await alma.getUser('rivera.ana');
    const step = new AbortController();
    const waiting = alma.within({ signal: step.signal }).getUser('okafor.chidi');
    setTimeout(() => step.abort(), 100);
    await expect(waiting).rejects.toMatchObject({ kind: 'cancelled' });
    await alma.getUser('rivera.ana');
    // The caller who gave up took no slot: the next call went out one spacing after the first, not two.
    const [first, next] = t.sim.calls().map((c) => Date.parse(c.at));
    expect(next! - first!).toBeLessThan(1600);
    expect(t.sim.calls().map((c) => c.path)).not.toContain('/almaws/v1/users/okafor.chidi?view=full');
  });

  it('views share one limiter, one reading and one set of stats, and the base client keeps no bounds', async () => {
    const alma = client();
    const step = new AbortController();
    step.abort();
    await expect(alma.within({ signal: step.signal }).getUser('rivera.ana')).rejects.toMatchObject({
      kind: 'cancelled',
    });
    await alma.getUser('rivera.ana');
    expect(alma.within({ deadline: 0 }).forCompensation().stats).toEqual(alma.stats);
    expect(alma.stats.calls).toBe(1);
    expect(methods()).toEqual(['GET']);
  });
});
