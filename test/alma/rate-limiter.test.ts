// The per-second limiter, measured on real time: never more than N starts in any 1-second window.
import { LimiterGaveUp, RateLimiter, wallClock, type CallPriority } from '../../src/alma';
import { seededRandom } from '../../src/alma-sim/prng';
import { closeStubs, stubbedClient } from '../support/alma-stub';
import { sampleUser } from '../support/alma-fixtures';

afterEach(closeStubs);

/** The most starts found in any window [t, t + windowMs) that opens at a start. */
function busiestWindow(starts: number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('busiestWindow (the measuring stick)', () => {
  it('counts starts per window', () => {
    expect(busiestWindow([0, 10, 999, 1000, 1500], 1000)).toBe(3);
    expect(busiestWindow([0, 1000, 2000], 1000)).toBe(1);
  });
});

describe('RateLimiter', () => {
  it('lets at most N calls start in any 1-second window over ~3 s of bursts, and no fewer than it may', async () => {
    const limiter = new RateLimiter(20);
    const starts: number[] = [];
    const began = wallClock(); // the limiter's clock
    // Three waves of callers, arriving while earlier ones still wait.
    const waves = [0, 700, 1400].map(
      (delay) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            void Promise.all(Array.from({ length: 20 }, () => limiter.acquire().then((t) => starts.push(t)))).then(() =>
              resolve(),
            );
          }, delay),
        ),
    );
    await Promise.all(waves);
    expect(starts).toHaveLength(60);
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(20);
    // Smooth but not starved: some one-second window is used nearly in full. (Not the first wall-clock second: on a
    // loaded 2-core machine the timers themselves fire late, which says nothing about the limiter.)
    expect(busiestWindow(starts, 1000)).toBeGreaterThanOrEqual(16);
    expect(starts.filter((t) => t < began + 1000).length).toBeGreaterThan(0);
  });

  it('honours a custom rate', async () => {
    const limiter = new RateLimiter(5);
    const starts = await Promise.all(Array.from({ length: 12 }, () => limiter.acquire()));
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(5);
    expect(busiestWindow(starts, 1000)).toBeGreaterThanOrEqual(4);
    expect(limiter.totalWaitMs).toBeGreaterThan(0);
  });

  it('refuses at once, taking no slot, a caller whose wait would exceed its maxWaitMs', async () => {
    const limiter = new RateLimiter(2); // 500 ms apart
    await limiter.acquire();
    await limiter.acquire({ maxWaitMs: 1000 }); // ~500 ms: fits
    const began = wallClock();
    await expect(limiter.acquire({ maxWaitMs: 200 })).rejects.toEqual(new LimiterGaveUp('deadline'));
    expect(wallClock() - began).toBeLessThan(50);
    // The refused caller left no gap: the next slot is one spacing after the last start.
    const last = await limiter.acquire();
    expect(last - began).toBeLessThan(600);
  });

  it('a caller aborted or timed out while in line leaves it, and the caller behind is not delayed', async () => {
    const limiter = new RateLimiter(2);
    const first = await limiter.acquire();
    const step = new AbortController();
    const aborted = limiter.acquire({ signal: step.signal });
    const timedOut = limiter.acquire({ maxWaitMs: 1200, signal: new AbortController().signal });
    const behind = limiter.acquire();
    step.abort();
    await expect(aborted).rejects.toMatchObject({ reason: 'aborted' });
    // timedOut would have had the slot at +1000 ms (behind the aborted one) but takes the one at +500.
    expect((await timedOut) - first).toBeLessThan(700);
    expect((await behind) - first).toBeLessThan(1200);
    const already = new AbortController();
    already.abort();
    await expect(limiter.acquire({ signal: already.signal })).rejects.toMatchObject({ reason: 'aborted' });
  });

  it('serves the closing line before the opening line, each in arrival order, within the same rate', async () => {
    const limiter = new RateLimiter(10); // 100 ms apart
    const order: string[] = [];
    const starts: number[] = [];
    const take = (name: string, priority?: CallPriority) =>
      limiter.acquire({ priority }).then((t) => {
        order.push(name);
        starts.push(t);
      });
    const opening = [take('o1'), take('o2'), take('o3', 'opening'), take('o4')];
    // Closing callers arrive while the opening ones wait: they overtake all but the one already let through.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(limiter.inLine).toEqual({ staff: 0, closing: 0, opening: 3 });
    await Promise.all([...opening, take('c1', 'closing'), take('c2', 'closing')]);
    expect(order).toEqual(['o1', 'c1', 'c2', 'o2', 'o3', 'o4']);
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(10);
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(99);
  });

  it("serves a staff member's read before every relink's call, closing or opening", async () => {
    const limiter = new RateLimiter(10);
    const order: string[] = [];
    const take = (name: string, priority?: CallPriority) => limiter.acquire({ priority }).then(() => order.push(name));
    const waiting = [take('o1'), take('c1', 'closing'), take('c2', 'closing'), take('o2')];
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([...waiting, take('lookup', 'staff')]);
    expect(order).toEqual(['o1', 'lookup', 'c1', 'c2', 'o2']);
  });

  it('a closing caller is refused at once only by the closing line ahead of it', async () => {
    const limiter = new RateLimiter(10);
    await limiter.acquire();
    const opening = Array.from({ length: 5 }, () => limiter.acquire());
    // Five opening callers ahead (~500 ms): an opening caller with 300 ms is refused, a closing one is not.
    await expect(limiter.acquire({ maxWaitMs: 300 })).rejects.toEqual(new LimiterGaveUp('deadline'));
    await expect(limiter.acquire({ maxWaitMs: 300, priority: 'closing' })).resolves.toEqual(expect.any(Number));
    await Promise.all(opening);
  });

  it('rejects a nonsensical rate', () => {
    expect(() => new RateLimiter(0)).toThrow(RangeError);
    expect(() => new RateLimiter(Number.NaN)).toThrow(RangeError);
  });
});

describe('workers sharing one limit (issue 17)', () => {
  afterEach(() => jest.useRealTimers());

  /**
   * Four workers, each with its share (6 of 24 calls/s, Alma's limit 25) and more work than it may send: every start
   * reaches Alma 0–30 ms later (the trip, a busy event loop), on a fake clock so the timers fire when they should.
   */
  async function fourWorkers(align: boolean) {
    jest.useFakeTimers({ now: 1_764_500_000_000 });
    const jitter = seededRandom(17);
    const arrivals: number[] = [];
    const perWorker = [0, 0, 0, 0];
    const limiters = [0, 1, 2, 3].map((slot) => {
      const limiter = new RateLimiter(6, () => Date.now());
      if (align) limiter.align({ slot, slots: 4 });
      return limiter;
    });
    // They start at the same instant, as workers do that restart together (the worst case for unaligned shares).
    limiters.forEach((limiter, w) => {
      for (let i = 0; i < 60; i++)
        void limiter.acquire().then((start) => {
          arrivals.push(start + jitter() * 30);
          perWorker[w]!++;
        });
    });
    await jest.advanceTimersByTimeAsync(10_000);
    return { arrivals, perWorker };
  }

  it('aligned in their slots, the calls of four workers reach Alma at most 25 in any second, and each keeps its share', async () => {
    const { arrivals, perWorker } = await fourWorkers(true);
    expect(busiestWindow(arrivals, 1000)).toBeLessThanOrEqual(25);
    // Each worker still starts its 6 a second: 60 in 10 s, give or take the first slot.
    for (const n of perWorker) expect(n).toBeGreaterThanOrEqual(59);
  });

  it('unaligned, the same four workers put more than 25 calls into some second', async () => {
    // What the alignment is for (the 4-worker bench run of 2026-11-30 counted 26 before it).
    const { arrivals } = await fourWorkers(false);
    expect(busiestWindow(arrivals, 1000)).toBeGreaterThan(25);
  });

  it('a slot moves the starts of a worker onto its point of the grid, and a start comes within a quarter of the shared spacing', async () => {
    jest.useFakeTimers({ now: 1_764_500_000_003 });
    const limiter = new RateLimiter(10, () => Date.now()); // 100 ms apart; 4 workers: points 25 ms apart
    limiter.align({ slot: 2, slots: 4 });
    const starts = await Promise.all(
      Array.from({ length: 5 }, () => limiter.acquire()).map(async (p) => {
        await jest.advanceTimersByTimeAsync(1000);
        return p;
      }),
    );
    // Slot 2 of 4: 50 ms past each 100-ms point of the wall clock.
    for (const start of starts) expect((((start - 50) % 100) + 100) % 100).toBeLessThan(25 / 4);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(100 - 25 / 4);
    expect(limiter.slot).toEqual({ slot: 2, slots: 4 });
    limiter.align({ slot: 0, slots: 1 });
    expect(limiter.slot).toBeUndefined();
    expect(() => limiter.align({ slot: 4, slots: 4 })).toThrow(RangeError);
  });
});

describe('the client shares one limiter across all its calls', () => {
  it('requests arriving at the server never exceed the rate, whatever the method', async () => {
    const { stub, client } = await stubbedClient(() => ({ body: sampleUser() }), { requestsPerSecond: 10 });
    const user = sampleUser();
    await Promise.all([
      ...Array.from({ length: 12 }, () => client.getUser(user.primary_id)),
      ...Array.from({ length: 12 }, () => client.updateUser(user.primary_id, user)),
    ]);
    expect(stub.requests).toHaveLength(24);
    // Measured where they arrive, so the trip from the client to the stub adds jitter: on a loaded machine (a CI run
    // beside other work) requests 100 ms apart have arrived 150 ms closer together. In any 700 ms the shared limiter
    // lets 7 or 8 start; a limiter per method would let 14 through. Ten leaves 250 ms of slack and still tells them apart.
    expect(
      busiestWindow(
        stub.requests.map((r) => r.at),
        700,
      ),
    ).toBeLessThanOrEqual(10);
    expect(client.stats.limiterWaitMs).toBeGreaterThan(1000);
  });
});
