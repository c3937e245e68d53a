// Each activity attempt's Alma client is bound to the attempt (createActivities): a cancel aborts the call in
// flight, no write goes out after the attempt's deadline, the attempt heartbeats, and the compensation is never
// refused by the daily-quota floor. Run in @temporalio/testing's MockActivityEnvironment against the simulator.
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { isRestored, isSwapped, planFrom } from '../../src/activities/contact';
import { AlmaClient, type AlmaUser } from '../../src/alma';
import { markerFor, type SwapContactInput } from '../../src/contract';
import { useSimulator } from '../alma-sim/helpers';

const t = useSimulator();
const opened: AlmaClient[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const PATRON = 'rivera.ana';
const WORKFLOW = `relink-${PATRON}`;

function setup() {
  const alma = new AlmaClient({ baseUrl: t.sim.url, apiKey: t.sim.apiKey, minDailyRemaining: 5000 });
  opened.push(alma);
  return { alma, activities: createActivities({ alma, heartbeatEveryMs: 100 }) };
}

/**
 * One attempt with a one-minute step timeout. The mock's own defaults (scheduled at epoch 1 ms with a 1 s
 * schedule-to-close timeout) would put the deadline in 1970.
 */
const attempt = (info: Partial<Info> = {}) =>
  new MockActivityEnvironment({ startToCloseTimeoutMs: 60_000, scheduleToCloseTimeoutMs: 0, ...info });

const patron = () => t.sim.state().users.find((u) => u.primary_id === PATRON) as unknown as AlmaUser;

function swapInput(): SwapContactInput {
  return {
    patronId: PATRON,
    workflowId: WORKFLOW,
    plan: planFrom(patron(), 'holding@library.example.edu', markerFor(WORKFLOW)),
  };
}

/** Calls the simulator received from `from` on, as "METHOD path". */
const callsSince = (from: number) =>
  t.sim
    .calls()
    .slice(from)
    .map((c) => `${c.method} ${c.path.split('?')[0]}`);

describe('a cancelled attempt', () => {
  it('aborts the Alma call in flight, ends as cancelled, and sends nothing after', async () => {
    const { activities } = setup();
    const input = swapInput();
    t.sim.setFaults({ rules: [{ method: 'GET', action: 'delay', delayMs: 3000 }] });
    const env = attempt();
    const began = Date.now();
    setTimeout(() => env.cancel(), 300);
    await expect(env.run(activities.swapContact, input)).rejects.toMatchObject({ name: 'CancelledFailure' });
    expect(Date.now() - began).toBeLessThan(1500);
    await sleep(3200); // past the moment the delayed read is answered
    expect(callsSince(0)).toEqual([`GET /almaws/v1/users/${PATRON}`]);
    expect(isSwapped(patron(), input.plan)).toBe(false);
  });
});

describe("an attempt's deadline", () => {
  it('a swap whose time runs out during its read never sends the PUT, and fails retryable', async () => {
    const { activities } = setup();
    const input = swapInput();
    // 4.5 s for the attempt, 2 s of them spent reading: less than the 2 s margin and a 1 s call are left.
    t.sim.setFaults({ rules: [{ method: 'GET', action: 'delay', delayMs: 2000 }] });
    const failure = attempt({ startToCloseTimeoutMs: 4500 }).run(activities.swapContact, input);
    await expect(failure).rejects.toMatchObject({ type: 'StepOutOfTime', nonRetryable: false });
    // The words are the client's, not Alma's: said plainly (the log keeps them), not quoted as Alma's answer.
    const { message } = (await failure.catch((err: unknown) => err)) as Error;
    expect(message).toMatch(
      /^Stopped before switching .*: the step's time was up \(will retry\): not sent, .* \[DEADLINE\]$/,
    );
    expect(message).not.toMatch(/“|Alma error/);
    await sleep(200);
    expect(callsSince(0)).toEqual([`GET /almaws/v1/users/${PATRON}`]);
    expect(isSwapped(patron(), input.plan)).toBe(false);
  });
});

describe('heartbeats', () => {
  it('an attempt heartbeats while it waits on Alma', async () => {
    const { activities } = setup();
    t.sim.setFaults({ rules: [{ method: 'GET', action: 'delay', delayMs: 700 }] });
    const env = attempt();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    await env.run(activities.checkLostDeclared, { patronId: PATRON, loans: [] });
    expect(beats).toBeGreaterThanOrEqual(5);
  });
});

describe('the daily-quota floor', () => {
  it('refuses forward steps, makes the Lost check wait, and never refuses the restore or the loan report', async () => {
    const { alma, activities } = setup();
    const input = swapInput();
    await expect(attempt().run(activities.swapContact, input)).resolves.toMatchObject({ written: true });
    // Few calls left today: a forward read brings the reading below the floor of 5000.
    t.sim.resetDailyQuota(100);
    await attempt().run(activities.checkLostDeclared, { patronId: PATRON, loans: [] });
    expect(alma.dailyRemaining).toBe(99);
    // A forward step is refused for good; the Lost check (work staff have done) is refused until the quota allows it.
    await expect(attempt().run(activities.swapContact, swapInput())).rejects.toMatchObject({
      type: 'AlmaDailyLimit',
      nonRetryable: true,
    });
    await expect(attempt().run(activities.checkLostDeclared, { patronId: PATRON, loans: [] })).rejects.toMatchObject({
      type: 'AlmaDailyLimit',
      nonRetryable: false,
    });
    await expect(attempt().run(activities.restoreContact, { patronId: PATRON, plan: input.plan })).resolves.toEqual({
      written: true,
      verified: true,
    });
    await expect(attempt().run(activities.findLoans, { patronId: PATRON, items: [] })).resolves.toEqual([]);
    expect(isRestored(patron(), input.plan)).toBe(true);
  });
});

describe('outside an activity', () => {
  it('a script calling the functions directly gets the client without bounds', async () => {
    const { activities } = setup();
    await expect(activities.findLoans({ patronId: PATRON, items: [] })).resolves.toEqual([]);
    await expect(activities.checkLostDeclared({ patronId: PATRON, loans: [] })).resolves.toEqual([]);
  });
});
