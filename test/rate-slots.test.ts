// Workers sharing one Alma limit find their slots of the shared grid from the task queue's pollers (issue 17).
import { NativeConnection, Worker } from '@temporalio/worker';
import type { RateSlot } from '../src/alma';
import { pollingWorkers, RateSlots, slotAmong } from '../src/rate-slots';
import { connectToTestServer, testServerAddress, uniqueTaskQueue, type TemporalTestContext } from './support/temporal';

describe('slots from the pollers', () => {
  const now = 1_764_500_000_000;
  const seen = (identity: string, agoMs: number) => ({
    identity,
    lastAccessTime: { seconds: String(Math.floor((now - agoMs) / 1000)) },
  });

  it('ranks the workers polling now by identity; a poller gone for over two minutes is not counted', () => {
    const polling = pollingWorkers([seen('9@b', 1000), seen('7@a', 50_000), seen('8@c', 3 * 60_000)], now);
    expect(polling).toEqual(['7@a', '9@b']);
    expect(slotAmong('9@b', polling, 2)).toEqual({ slot: 1, slots: 2 });
    expect(slotAmong('8@c', polling, 2)).toBeUndefined();
    // More workers than ALMA_RATE_LIMIT_WORKERS: they wrap around (and the worker warns).
    expect(slotAmong('9@b', ['1@x', '7@a', '9@b'], 2)).toEqual({ slot: 0, slots: 2 });
  });
});

describe('RateSlots when Temporal does not answer', () => {
  it('keeps the slot it had and says so once while it lasts, then once that it reads the list again', async () => {
    let fail = true;
    const said: string[] = [];
    const aligned: (RateSlot | undefined)[] = [];
    const slots = new RateSlots({
      connection: {
        workflowService: {
          describeTaskQueue: async () => {
            if (fail) throw new Error('7 PERMISSION_DENIED: Request unauthorized.');
            return {
              pollers: [{ identity: '1@a', lastAccessTime: { seconds: String(Math.floor(Date.now() / 1000)) } }],
            };
          },
        },
      } as never,
      namespace: 'default',
      taskQueue: 'q',
      identity: '1@a',
      slots: 2,
      align: (slot) => aligned.push(slot),
      info: (m) => said.push(m),
      warn: (m) => said.push(`WARN ${m}`),
    });
    expect(await slots.look()).toBeUndefined();
    expect(await slots.look()).toBeUndefined();
    fail = false;
    expect(await slots.look()).toEqual({ slot: 0, slots: 2 });
    expect(said).toEqual([
      'WARN Could not list the workers of task queue q (keeping the slot it had): 7 PERMISSION_DENIED: Request unauthorized.',
      'Listing the workers of task queue q again.',
      'Alma calls in slot 1 of 2 (1 worker polling q).',
    ]);
    expect(aligned).toEqual([{ slot: 0, slots: 2 }]);
  });
});

describe('RateSlots against a Temporal server', () => {
  let t: TemporalTestContext;
  const workers: Worker[] = [];
  const runs: Promise<void>[] = [];
  const connections: NativeConnection[] = [];
  beforeAll(async () => {
    t = await connectToTestServer();
  });
  afterAll(async () => {
    for (const w of workers) w.shutdown();
    await Promise.all(runs);
    await Promise.all(connections.map((c) => c.close()));
    await t.close();
  });

  /** A worker process of its own: one connection each, as the SDK allows one worker per queue and connection. */
  async function pollAs(taskQueue: string, identity: string): Promise<void> {
    const connection = await NativeConnection.connect({ address: testServerAddress() });
    connections.push(connection);
    const worker = await Worker.create({
      connection,
      taskQueue,
      identity,
      activities: { nothing: async () => undefined },
    });
    workers.push(worker);
    runs.push(worker.run());
  }

  function slotsFor(taskQueue: string, identity: string, slots: number) {
    const said: string[] = [];
    const aligned: (RateSlot | undefined)[] = [];
    const rateSlots = new RateSlots({
      connection: t.nativeConnection,
      namespace: 'default',
      taskQueue,
      identity,
      slots,
      align: (slot) => aligned.push(slot),
      info: (m) => said.push(m),
      warn: (m) => said.push(`WARN ${m}`),
    });
    return { rateSlots, said, aligned };
  }

  async function until<T>(look: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    for (let i = 0; i < 100; i++) {
      const value = await look();
      if (ok(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the task queue never listed the workers');
  }

  it('two workers on one task queue take slots 1 and 2; a third, with ALMA_RATE_LIMIT_WORKERS 2, is warned of', async () => {
    const taskQueue = uniqueTaskQueue('rate-slots');
    const a = slotsFor(taskQueue, 'relink-a@host', 2);
    const b = slotsFor(taskQueue, 'relink-b@host', 2);
    // Before the worker polls, Temporal does not list it: no slot, calls spaced as before.
    expect(await a.rateSlots.look()).toBeUndefined();
    expect(a.said[0]).toMatch(/in no slot yet/);
    await pollAs(taskQueue, 'relink-a@host');
    await pollAs(taskQueue, 'relink-b@host');
    const ofB = await until(
      () => b.rateSlots.look(),
      (slot) => slot?.slot === 1,
    );
    expect(ofB).toEqual({ slot: 1, slots: 2 });
    const ofA = await until(
      () => a.rateSlots.look(),
      (slot) => slot !== undefined,
    );
    expect(ofA).toEqual({ slot: 0, slots: 2 });
    expect(a.aligned).toEqual([undefined, { slot: 0, slots: 2 }]);
    expect(a.said.at(-1)).toBe(`Alma calls in slot 1 of 2 (2 workers polling ${taskQueue}).`);
    // A third worker, with ALMA_RATE_LIMIT_WORKERS still 2: said plainly, once.
    await pollAs(taskQueue, 'relink-0@host');
    await until(
      () => a.rateSlots.look(),
      () => a.said.some((m) => m.startsWith('WARN 3 workers')),
    );
    await a.rateSlots.look();
    expect(a.said.filter((m) => m.startsWith('WARN')).length).toBe(1);
    expect(a.said.find((m) => m.startsWith('WARN'))).toBe(
      `WARN 3 workers poll task queue ${taskQueue} but ALMA_RATE_LIMIT_WORKERS is 2: together they may exceed ` +
        `ALMA_RATE_LIMIT. Set ALMA_RATE_LIMIT_WORKERS to the number of workers.`,
    );
    // relink-0 sorts first: a moved to slot 2 (1 of 2 wraps to 0 for the third).
    expect(a.aligned.at(-1)).toEqual({ slot: 1, slots: 2 });
  });
});
