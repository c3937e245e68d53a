// The quiet period before the restore (RELINK_RESTORE_AFTER): Alma's Fines/Fees Notification job announces the
// lost-item fee later, to the preferred email of the moment it runs. Restored at once, the patron gets that letter;
// with a quiet period it goes to the holding address, and so does any other letter of theirs meanwhile.
import { WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { fixturesWith, HOLDING_EMAIL, item, loan, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { createRelinkWorker } from '../../src/worker';
import type { RelinkResult } from '../../src/contract';
import {
  recordHistory,
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  workflowBundle,
  type RelinkHarness,
} from '../support/relink-harness';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const PATRONS = [
  'quiet.none',
  'quiet.early',
  'quiet.timer',
  'quiet.restart',
  'quiet.next',
  'quiet.cancel',
  'quiet.join',
];
// quiet.early's own loan of another book, due tomorrow: the courtesy job writes to them about it.
const OWN_BOOK = item('47000000099', { processType: 'LOAN' });

describe('the quiet period before the restore', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: PATRONS.map((id) => patron(id)),
        items: [...PATRONS.map((_, i) => item(`4700000000${i + 1}`)), item('47000000017'), OWN_BOOK],
        loans: [loan('7347000000099', 'quiet.early', OWN_BOOK, { due_date: iso(Date.now() + DAY) })],
      }),
    );
  });
  afterAll(async () => h?.close());

  const resultOf = (workflowId: string) =>
    h.temporal.client.workflow.getHandle(workflowId).result() as Promise<RelinkResult>;
  const lettersTo = (userId: string, letter: string) =>
    h.sim.notices().filter((n) => n.user_id === userId && n.letter === letter && n.channel === 'email');

  it('without one (the default), the fines/fees job run after the restore sends the lost-item fee letter to the patron', async () => {
    const started = await h.relinks.start(relinkInput('quiet.none', ['47000000001']));
    await staffDeclaresLost(h, started.workflowId);
    expect((await resultOf(started.workflowId)).outcome).toBe('completed');

    h.sim.runJob('fines-fees-notification');
    expect(lettersTo('quiet.none', 'FulFinesFeesNotificationLetter')).toEqual([
      expect.objectContaining({ address: 'quiet.none@example.edu' }),
    ]);
  });

  it("waits with the holding address until staff end it: the job's fee letter and the patron's own letters go to the holding address", async () => {
    const before = userOf(h.sim.state(), 'quiet.early');
    const started = await h.relinks.start(relinkInput('quiet.early', ['47000000002'], { restoreAfter: '12 hours' }));
    await staffDeclaresLost(h, started.workflowId);
    const quiet = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    expect(quiet.step).toBe('quiet-period');
    expect(quiet.contact).toMatchObject({ swapped: true, restored: false });
    expect(quiet.awaitingInstructions).toMatch(/relink restore-now relink-quiet\.early/);
    expect(quiet.audit.map((a) => a.message)).toContainEqual(
      expect.stringMatching(/^Quiet period before the restore until/),
    );
    // Admins find it in the Web UI by its own awaited state (the search attributes).
    await eventually(async () => {
      const listed = await h.relinks.list({ awaiting: 'quiet-period' });
      expect(listed.map((r) => [r.workflowId, r.step])).toContainEqual([started.workflowId, 'quiet-period']);
    });

    // The night's jobs run during the quiet period.
    h.sim.runJob('fines-fees-notification');
    h.sim.runJob('courtesy');
    expect(lettersTo('quiet.early', 'FulFinesFeesNotificationLetter')).toEqual([
      expect.objectContaining({ address: HOLDING_EMAIL }),
    ]);
    // The trade-off: the courtesy notice about the patron's own, unrelated loan went to the holding address too.
    expect(lettersTo('quiet.early', 'FulUserLoansCourtesyLetter')).toEqual([
      expect.objectContaining({ address: HOLDING_EMAIL, loan_id: '7347000000099' }),
    ]);

    const answer = await h.relinks.restoreNow(started.workflowId, 'desk.jo');
    expect(answer).toBe("Quiet period ended by desk.jo; restoring the patron's email now.");
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(result.audit.map((a) => a.message)).toContain('Quiet period ended early by staff (desk.jo): restoring now.');
    expect(userOf(h.sim.state(), 'quiet.early')).toEqual(before);

    // The fee was notified once, to the holding address: the next run sends the patron nothing about it.
    h.sim.runJob('fines-fees-notification');
    expect(lettersTo('quiet.early', 'FulFinesFeesNotificationLetter')).toHaveLength(1);
    await recordHistory(h, started.workflowId, 'quiet-period-ended-by-staff');
  });

  it('refuses restore-now outside the quiet period', async () => {
    const started = await h.relinks.start(relinkInput('quiet.timer', ['47000000003'], { restoreAfter: '6 seconds' }));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await expect(h.relinks.restoreNow(started.workflowId)).rejects.toThrow(
      /is not in its quiet period before the restore \(it is at step lost-declaration\)/,
    );

    // The timer ends the quiet period by itself.
    await staffDeclaresLost(h, started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(result.audit.map((a) => a.message)).toContain('Quiet period over: restoring the patron.');
    await recordHistory(h, started.workflowId, 'quiet-period-timer');
  });

  it('is a durable timer: the worker is gone when it ends, and a new worker restores the patron', async () => {
    const before = userOf(h.sim.state(), 'quiet.restart');
    const started = await h.relinks.start(relinkInput('quiet.restart', ['47000000004'], { restoreAfter: '8 seconds' }));
    await staffDeclaresLost(h, started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');

    h.worker.shutdown();
    await h.workerRun;
    await new Promise((r) => setTimeout(r, 9_000)); // the timer fires on the server while no worker runs
    expect(userOf(h.sim.state(), 'quiet.restart')).not.toEqual(before); // still the holding address
    await restartWorker(h);

    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(userOf(h.sim.state(), 'quiet.restart')).toEqual(before);
  });

  it('"next HH:MM" waits until that time in the worker\'s time zone', async () => {
    const at = new Date(Date.now() + 2 * 3_600_000);
    const hhmm = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
    const started = await h.relinks.start(relinkInput('quiet.next', ['47000000005'], { restoreAfter: `next ${hhmm}` }));
    await staffDeclaresLost(h, started.workflowId);
    const quiet = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    const line = quiet.audit.find((a) => a.message.startsWith('Quiet period before the restore until'))!.message;
    const expected = new Date(
      Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes()),
    );
    expect(line).toContain(`until ${expected.toISOString().replace('.000Z', 'Z')} (${hhmm} UTC`);
    await h.relinks.restoreNow(started.workflowId);
    expect((await resultOf(started.workflowId)).outcome).toBe('completed');
    await recordHistory(h, started.workflowId, 'quiet-period-next-time');
  });

  it('a cancel in the quiet period restores the patron at once', async () => {
    const before = userOf(h.sim.state(), 'quiet.cancel');
    const started = await h.relinks.start(relinkInput('quiet.cancel', ['47000000006'], { restoreAfter: '12 hours' }));
    await staffDeclaresLost(h, started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    await h.relinks.cancel(started.workflowId);
    await expect(resultOf(started.workflowId)).rejects.toThrow(WorkflowFailedError);
    const after = await h.relinks.progress(started.workflowId);
    expect(after.contact).toMatchObject({ restored: true, verified: true });
    expect(after.items).toEqual([expect.objectContaining({ phase: 'lost-confirmed', lostConfirmed: true })]);
    expect(userOf(h.sim.state(), 'quiet.cancel')).toEqual(before);
    await recordHistory(h, started.workflowId, 'quiet-period-cancelled');
  });

  it('a join during the quiet period is relinked and declared Lost first; the quiet period then begins again', async () => {
    const before = userOf(h.sim.state(), 'quiet.join');
    const input = (barcode: string) => relinkInput('quiet.join', [barcode], { restoreAfter: '12 hours' });
    const started = await h.relinks.start(input('47000000007'));
    await staffDeclaresLost(h, started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');

    const joined = await h.relinks.start(input('47000000017'));
    expect(joined).toMatchObject({ workflowId: started.workflowId, added: ['47000000017'] });
    await expect(h.relinks.restoreNow(started.workflowId)).rejects.toThrow(/not in its quiet period/);
    await staffDeclaresLost(h, started.workflowId);
    const again = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    expect(again.items.map((i) => [i.barcode, i.lostConfirmed])).toEqual([
      ['47000000007', true],
      ['47000000017', true],
    ]);
    expect(again.audit.filter((a) => a.message.startsWith('Quiet period before the restore until'))).toHaveLength(2);

    await h.relinks.restoreNow(started.workflowId);
    expect(await resultOf(started.workflowId)).toMatchObject({ outcome: 'completed', emailVerified: true });
    expect(userOf(h.sim.state(), 'quiet.join')).toEqual(before);
    // Both loans' letters, the Lost letters among them, went to the holding address.
    const toPatron = h.sim.notices().filter((n) => n.user_id === 'quiet.join' && n.address !== HOLDING_EMAIL);
    expect(toPatron).toEqual([]);
    await recordHistory(h, started.workflowId, 'quiet-period-joined');
  });
});

async function restartWorker(h: RelinkHarness): Promise<void> {
  const worker: Worker = await createRelinkWorker({
    connection: h.temporal.nativeConnection,
    taskQueue: h.taskQueue,
    alma: h.alma,
    dataConverter: h.temporal.dataConverter,
    workflowBundle: await workflowBundle(),
  });
  h.worker = worker;
  h.workerRun = worker.run();
}

async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
