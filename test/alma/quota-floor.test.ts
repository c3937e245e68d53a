// The daily-quota floor against the simulator: below it forward calls stop, the compensation goes on, and a low
// reading expires (after ALMA_QUOTA_RECHECK, or at the institution's midnight) so one call can learn of Alma's reset.
import { AlmaClient, isAlmaError, type AlmaClientOptions } from '../../src/alma';
import { useSimulator } from '../alma-sim/helpers';

const t = useSimulator();
const opened: AlmaClient[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

const MINUTE = 60_000;

/** A wall clock the test moves by hand. */
function clockAt(iso: string) {
  let now = Date.parse(iso);
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function flooredClient(
  clock: { now: () => number },
  timeZone?: string,
  options: Partial<AlmaClientOptions> = {},
): AlmaClient {
  const alma = new AlmaClient({
    baseUrl: t.sim.url,
    apiKey: t.sim.apiKey,
    minDailyRemaining: 5000,
    quotaRecheckMs: 5 * MINUTE,
    now: clock.now,
    ...(timeZone ? { timeZone } : {}),
    ...options,
  });
  opened.push(alma);
  return alma;
}

/** Reads a patron and says whether the call went out (true) or the floor refused it (false). */
async function sent(alma: AlmaClient): Promise<boolean> {
  try {
    await alma.getUser('rivera.ana');
    return true;
  } catch (err) {
    if (isAlmaError(err) && err.kind === 'quota-floor') return false;
    throw err;
  }
}

/** A client whose last reading is 99, below its floor of 5000, taken at the clock's time. */
async function belowTheFloor(clock: { now: () => number }, timeZone?: string): Promise<AlmaClient> {
  const alma = flooredClient(clock, timeZone);
  t.sim.setFaults({ dailyRemaining: 100 });
  expect(await sent(alma)).toBe(true);
  expect(alma.dailyRemaining).toBe(99);
  return alma;
}

describe('below the floor', () => {
  it('forward calls are refused without reaching Alma; compensation calls (read, write, verify) go through', async () => {
    const alma = await belowTheFloor(clockAt('2026-11-30T10:00:00Z'));
    await expect(alma.getUser('rivera.ana')).rejects.toMatchObject({
      kind: 'quota-floor',
      retryable: false,
      code: 'QUOTA_FLOOR',
    });
    const restore = alma.forCompensation();
    const user = await restore.getUser('rivera.ana');
    await restore.updateUser('rivera.ana', user);
    await restore.getUser('rivera.ana');
    expect(t.sim.calls().map((c) => c.method)).toEqual(['GET', 'GET', 'PUT', 'GET']);
    // One client: the compensation view shares the reading, the stats and the limiter.
    expect(alma.dailyRemaining).toBe(96);
    expect(alma.stats).toMatchObject({ calls: 4, refusedByQuotaFloor: 1, quotaProbes: 0 });
    expect(restore.stats).toEqual(alma.stats);
    // The floor still holds for forward calls after the compensation's.
    expect(await sent(alma)).toBe(false);
  });
});

describe('a reading below the floor expires', () => {
  it('after ALMA_QUOTA_RECHECK one call goes out; a refreshed reading above the floor lets calls through again', async () => {
    const clock = clockAt('2026-11-30T10:00:00Z');
    const alma = await belowTheFloor(clock);
    clock.advance(5 * MINUTE - 1);
    expect(await sent(alma)).toBe(false);
    t.sim.resetDailyQuota(); // Alma's count restarted meanwhile
    clock.advance(1);
    expect(await sent(alma)).toBe(true);
    expect(alma.dailyRemaining).toBe(999_999);
    expect(await sent(alma)).toBe(true);
    expect(await sent(alma)).toBe(true);
    expect(t.sim.calls()).toHaveLength(4);
    expect(alma.stats).toMatchObject({ quotaProbes: 1, refusedByQuotaFloor: 1 });
  });

  it('lets one probe out at a time, and a probe answered below the floor starts a new interval', async () => {
    const clock = clockAt('2026-11-30T10:00:00Z');
    const alma = await belowTheFloor(clock);
    clock.advance(5 * MINUTE);
    expect(await Promise.all([sent(alma), sent(alma), sent(alma)])).toEqual([true, false, false]);
    expect(alma.dailyRemaining).toBe(98);
    clock.advance(5 * MINUTE - 1);
    expect(await sent(alma)).toBe(false);
    clock.advance(1);
    expect(await sent(alma)).toBe(true);
    expect(t.sim.calls()).toHaveLength(3);
    expect(alma.stats.quotaProbes).toBe(2);
  });

  it('a probe that brings no reading (the connection dropped) waits a full interval before the next', async () => {
    const clock = clockAt('2026-11-30T10:00:00Z');
    const alma = await belowTheFloor(clock);
    t.sim.setFaults({ dailyRemaining: 99, rules: [{ method: 'GET', action: 'drop', times: 3 }] });
    clock.advance(5 * MINUTE);
    // The probe and its in-client retries: one question to Alma, answered by no one.
    await expect(alma.getUser('rivera.ana')).rejects.toMatchObject({ kind: 'network', retryable: true });
    expect(alma.stats).toMatchObject({ quotaProbes: 1, retries: 2 });
    expect(await sent(alma)).toBe(false);
    clock.advance(5 * MINUTE);
    expect(await sent(alma)).toBe(true);
  });

  it('a probe that never went out (its step was out of time) leaves the next call free to probe', async () => {
    const clock = clockAt('2026-11-30T10:00:00Z');
    const alma = flooredClient(clock, undefined, { requestsPerSecond: 0.5 }); // one call every 2 s
    t.sim.setFaults({ dailyRemaining: 100 });
    expect(await sent(alma)).toBe(true);
    clock.advance(5 * MINUTE);
    // Let through as the probe, then refused by the limiter: its slot would come after the step's deadline.
    const hurried = alma.within({ deadline: clock.now() + 2000 + 1500 });
    await expect(hurried.getUser('rivera.ana')).rejects.toMatchObject({ kind: 'deadline' });
    expect(await sent(alma)).toBe(true);
    expect(alma.stats).toMatchObject({ quotaProbes: 2, calls: 2 });
  });

  it("at the institution's midnight (ALMA_TIME_ZONE), before the interval is up", async () => {
    // 21:58 UTC is 23:58 in Helsinki (UTC+2 in winter); three minutes later it is the next day there, not in UTC.
    const helsinki = clockAt('2026-11-30T21:58:00Z');
    const atHelsinki = await belowTheFloor(helsinki, 'Europe/Helsinki');
    const utc = clockAt('2026-11-30T21:58:00Z');
    const atUtc = await belowTheFloor(utc);
    t.sim.resetDailyQuota();
    helsinki.advance(MINUTE);
    utc.advance(MINUTE);
    expect([await sent(atHelsinki), await sent(atUtc)]).toEqual([false, false]); // 23:59 local
    helsinki.advance(2 * MINUTE);
    utc.advance(2 * MINUTE);
    expect([await sent(atHelsinki), await sent(atUtc)]).toEqual([true, false]); // 00:01 in Helsinki, 22:01 UTC
    expect(atHelsinki.dailyRemaining).toBe(999_999);
    // Without ALMA_TIME_ZONE the day ends at UTC's midnight.
    const late = clockAt('2026-11-30T23:58:00Z');
    const atLate = await belowTheFloor(late);
    late.advance(3 * MINUTE);
    expect(await sent(atLate)).toBe(true);
  });

  it('an unknown time zone is refused when the client is made', () => {
    expect(() => new AlmaClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', timeZone: 'Nowhere/Else' })).toThrow(
      RangeError,
    );
  });
});
