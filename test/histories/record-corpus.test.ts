// The replay corpus of this release (r22-*): relinks held RUNNING in each wait, with joins arriving during each, and
// the same relinks run on to their end. A new release's worker must replay them (test/replay.test.ts): they are the
// relinks that are running when it is deployed. Each case drives the real harness and simulator to the wait, at
// production defaults (only the relink's own durations are short), and checks from the recorded history itself
// that the relink is held in that wait, or took the join during it. With RECORD_HISTORIES=1 the histories are
// written to test/histories/ (see its README.md); without, the same cases run as a test of the waits.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { fixturesWith, holdRequest, item, patron } from '../../src/alma-sim/builders';
import { addBarcodesUpdate, type RelinkInput, type RelinkProgress, type RelinkResult } from '../../src/contract';
import { overdueJobMode, relinkInput } from '../../src/dev/relink-input';
import { describeHistory, HISTORIES_DIR } from '../support/history-corpus';
import {
  refusingReturnsOf,
  showHistory,
  staffDeclaresLost,
  startHarness,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

/** This release's prefix: the code of the session that closed with stop 22. */
const PREFIX = 'r22-';

const PATRONS = [
  'corpus.review',
  'corpus.lost',
  'corpus.keep',
  'corpus.overdue',
  'corpus.quiet',
  'corpus.qnext',
  'corpus.job',
  'corpus.jobnext',
  'corpus.refused',
  'corpus.jobref',
  'corpus.jobover',
  'corpus.jobquiet',
];
/** Two items for each patron: the first starts the relink, the second joins it. */
const first = (patronId: string) => `4900000${String(PATRONS.indexOf(patronId)).padStart(2, '0')}01`;
const second = (patronId: string) => `4900000${String(PATRONS.indexOf(patronId)).padStart(2, '0')}02`;


/** `next HH:MM` two hours from now (UTC, the worker's time zone in tests). */
function nextHhMm(): string {
  const at = new Date(Date.now() + 2 * 3_600_000);
  return `next ${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
}

describe('the replay corpus of this release: every wait, held and run through, with joins', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [...PATRONS, 'corpus.other'].map((id) => patron(id)),
        items: PATRONS.flatMap((p) => [item(first(p)), item(second(p))]),
        requests: [holdRequest('8490000000001', 'corpus.other', first('corpus.review'))],
      }),
      // Alma's Overdue and Lost Loan job marks a loan Lost 1 s past due, as in test/relink/lost-by-job.test.ts.
      { sim: { jobs: { lostAfterDays: 1 / 86_400, overdueAfterDays: 0 } } },
    );
  });
  afterAll(async () => h?.close());

  const result = (workflowId: string) =>
    h.temporal.client.workflow.getHandle(workflowId).result() as Promise<RelinkResult>;

  /**
   * Reads the run's history as the server holds it and checks what the corpus needs from it: held in `heldIn` (still
   * running), joined during `joinedIn`, or closed. Saved under `r22-<name>` with RECORD_HISTORIES=1.
   */
  async function record(
    workflowId: string,
    name: string,
    expected: { heldIn?: string; joinedIn?: string; closed?: boolean },
  ): Promise<void> {
    let described: ReturnType<typeof describeHistory> | undefined;
    let history: unknown;
    // The wait's search attributes reach the history with the workflow task that begins the wait.
    for (let i = 0; i < 50; i++) {
      history = JSON.parse(await showHistory(workflowId, { decrypt: true }));
      described = describeHistory(`${PREFIX}${name}.json`, workflowId, history as Record<string, unknown>);
      const held = expected.heldIn === undefined || described.heldIn === expected.heldIn;
      const closed = expected.closed === undefined || described.closed === expected.closed;
      if (held && closed) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (expected.heldIn) expect(described).toMatchObject({ closed: false, heldIn: expected.heldIn });
    if (expected.joinedIn) expect(described!.joinsDuring).toContain(expected.joinedIn);
    if (expected.closed !== undefined) expect(described!.closed).toBe(expected.closed);
    if (process.env.RECORD_HISTORIES !== '1') return;
    writeFileSync(path.join(HISTORIES_DIR, `${PREFIX}${name}.json`), JSON.stringify({ workflowId, history }));
  }

  /** A join by a second start for the same patron, while the relink waits; it must be accepted. */
  async function join(workflowId: string, patronId: string, extra: Partial<RelinkInput> = {}): Promise<void> {
    const joined = await h.relinks.start(relinkInput(patronId, [second(patronId)], extra));
    expect(joined).toMatchObject({ workflowId, joined: true, added: [second(patronId)] });
  }

  /** Waits until both items are loaned and the relink waits in `awaiting` again. */
  const bothLoanedIn = (workflowId: string, awaiting: string) =>
    waitForProgress(
      h,
      workflowId,
      (p) => p.awaiting === awaiting && p.items.length === 2 && p.items.every((i) => i.loanId !== undefined),
    );

  /** Staff click Lost in Alma on every open loan and say so (in any wait a Lost click answers). */
  async function clickLost(workflowId: string, progress: RelinkProgress): Promise<void> {
    for (const i of progress.items) if (i.loanId && !i.lostConfirmed) h.sim.declareLost(i.loanId);
    await h.relinks.confirmLost(workflowId, undefined, 'corpus.staff');
  }

  it('request-review: held, a join during it, then proceed and Lost', async () => {
    const started = await h.relinks.start(relinkInput('corpus.review', [first('corpus.review')]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    await record(started.workflowId, 'held-request-review', { heldIn: 'request-review' });

    await join(started.workflowId, 'corpus.review');
    await record(started.workflowId, 'held-request-review-joined', {
      heldIn: 'request-review',
      joinedIn: 'request-review',
    });

    await h.alma.cancelRequest('corpus.other', '8490000000001', {
      reason: 'CancelledAtPatronRequest',
      notifyUser: false,
    });
    await h.relinks.review(started.workflowId, { decision: 'proceed', by: 'corpus.staff' });
    await clickLost(started.workflowId, await bothLoanedIn(started.workflowId, 'lost-declaration'));
    expect(await result(started.workflowId)).toMatchObject({ outcome: 'completed', emailVerified: true });
    await record(started.workflowId, 'request-review-joined-completed', { closed: true });
  });

  it('lost-declaration: held, a join during it, then the return-loans decision', async () => {
    const started = await h.relinks.start(relinkInput('corpus.lost', [first('corpus.lost')]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await record(started.workflowId, 'held-lost-declaration', { heldIn: 'lost-declaration' });

    await join(started.workflowId, 'corpus.lost');
    await bothLoanedIn(started.workflowId, 'lost-declaration');
    await record(started.workflowId, 'held-lost-declaration-joined', {
      heldIn: 'lost-declaration',
      joinedIn: 'lost-declaration',
    });

    await h.relinks.returnLoans(started.workflowId, 'corpus.staff');
    const done = await result(started.workflowId);
    expect(done).toMatchObject({ outcome: 'aborted', emailVerified: true });
    expect(done.items.map((i) => i.phase)).toEqual(['returned', 'returned']);
    await record(started.workflowId, 'lost-declaration-joined-return-loans', { closed: true });
  });

  it('lost-declaration: keep-loans', async () => {
    const started = await h.relinks.start(relinkInput('corpus.keep', [first('corpus.keep')]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await h.relinks.keepLoans(started.workflowId, 'corpus.staff');
    expect(await result(started.workflowId)).toMatchObject({ outcome: 'aborted', emailVerified: true });
    await record(started.workflowId, 'keep-loans-at-lost-declaration', { closed: true });
  });

  it('overdue: held, a join during it, then the Lost click', async () => {
    const settings = { lostDeadline: '2 seconds', holdingAddressLimit: '1 hour' };
    const started = await h.relinks.start(relinkInput('corpus.overdue', [first('corpus.overdue')], settings));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'overdue');
    await record(started.workflowId, 'held-overdue', { heldIn: 'overdue' });

    await join(started.workflowId, 'corpus.overdue', settings);
    const both = await bothLoanedIn(started.workflowId, 'overdue');
    await record(started.workflowId, 'held-overdue-joined', { heldIn: 'overdue', joinedIn: 'overdue' });

    await clickLost(started.workflowId, both);
    expect(await result(started.workflowId)).toMatchObject({ outcome: 'completed', emailVerified: true });
    await record(started.workflowId, 'overdue-joined-completed', { closed: true });
  });

  /** The quiet period, held; a join during it (back to the Lost wait); held again; ended by restore-now. */
  async function quietPeriodCase(patronId: string, restoreAfter: string, name: string): Promise<void> {
    const started = await h.relinks.start(relinkInput(patronId, [first(patronId)], { restoreAfter }));
    await staffDeclaresLost(h, started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    await record(started.workflowId, `held-${name}`, { heldIn: 'quiet-period' });

    await join(started.workflowId, patronId, { restoreAfter });
    const both = await bothLoanedIn(started.workflowId, 'lost-declaration');
    await record(started.workflowId, `held-${name}-joined`, { heldIn: 'lost-declaration', joinedIn: 'quiet-period' });
    await clickLost(started.workflowId, both);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    await record(started.workflowId, `held-${name}-joined-quiet-again`, { heldIn: 'quiet-period' });

    await h.relinks.restoreNow(started.workflowId, 'corpus.staff');
    expect(await result(started.workflowId)).toMatchObject({ outcome: 'completed', emailVerified: true });
    await record(started.workflowId, `${name}-joined-restore-now`, { closed: true });
  }

  it('quiet-period for a duration: held, a join during it, held again, restore-now', async () => {
    await quietPeriodCase('corpus.quiet', '12 hours', 'quiet-period');
  });

  it('quiet-period until the next HH:MM: held, a join during it, held again, restore-now', async () => {
    await quietPeriodCase('corpus.qnext', nextHhMm(), 'quiet-period-next');
  });

  it("lost-job (Alma's job in an hour): held, a join during it, then staff click Lost anyway", async () => {
    const settings = overdueJobMode('1 hour');
    const started = await h.relinks.start(relinkInput('corpus.job', [first('corpus.job')], settings));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    await record(started.workflowId, 'held-lost-job', { heldIn: 'lost-job' });

    await join(started.workflowId, 'corpus.job', settings);
    const both = await bothLoanedIn(started.workflowId, 'lost-job');
    await record(started.workflowId, 'held-lost-job-joined', { heldIn: 'lost-job', joinedIn: 'lost-job' });

    await clickLost(started.workflowId, both);
    expect(await result(started.workflowId)).toMatchObject({ outcome: 'completed', emailVerified: true });
    await record(started.workflowId, 'lost-job-joined-completed', { closed: true });
  });

  it("lost-job (Alma's job at the next HH:MM): held, a join during it, then keep-loans", async () => {
    const settings = overdueJobMode(nextHhMm());
    const started = await h.relinks.start(relinkInput('corpus.jobnext', [first('corpus.jobnext')], settings));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    await record(started.workflowId, 'held-lost-job-next', { heldIn: 'lost-job' });

    await join(started.workflowId, 'corpus.jobnext', settings);
    await bothLoanedIn(started.workflowId, 'lost-job');
    await record(started.workflowId, 'held-lost-job-next-joined', { heldIn: 'lost-job', joinedIn: 'lost-job' });

    await h.relinks.keepLoans(started.workflowId, 'corpus.staff');
    expect(await result(started.workflowId)).toMatchObject({ outcome: 'aborted', emailVerified: true });
    await record(started.workflowId, 'keep-loans-at-lost-job-next', { closed: true });
  });

  it('return-refused: held after a cancel, a join refused during it, then keep-loans', async () => {
    const started = await h.relinks.start(
      relinkInput('corpus.refused', [first('corpus.refused')], { lostPollInitial: '1 second' }),
    );
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.setFaults(refusingReturnsOf(first('corpus.refused')));
    try {
      await h.relinks.cancel(started.workflowId);
      await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'return-refused');
      await record(started.workflowId, 'held-return-refused', { heldIn: 'return-refused' });

      // The relink is closing: at this release its validator refuses a join (RelinkClosing), which leaves no event.
      // The update itself, not RelinkClient.start, which would wait for the relink to end and start a fresh one.
      const handle = h.temporal.client.workflow.getHandle(started.workflowId);
      await expect(handle.executeUpdate(addBarcodesUpdate, { args: [[second('corpus.refused')]] })).rejects.toThrow(
        WorkflowUpdateFailedError,
      );
      await record(started.workflowId, 'held-return-refused-join-refused', { heldIn: 'return-refused' });

      await h.relinks.keepLoans(started.workflowId, 'corpus.staff');
      await expect(result(started.workflowId)).rejects.toBeInstanceOf(WorkflowFailedError);
      await record(started.workflowId, 'keep-loans-at-return-refused', { closed: true });
    } finally {
      h.sim.setFaults({});
    }
  });

  it('return-refused in the overdue-job mode (the due date moved back first): held, then returned in Alma', async () => {
    const started = await h.relinks.start(relinkInput('corpus.jobref', [first('corpus.jobref')], overdueJobMode('1 hour')));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    h.sim.setFaults(refusingReturnsOf(first('corpus.jobref')));
    try {
      await h.relinks.cancel(started.workflowId);
      await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'return-refused');
      await record(started.workflowId, 'held-return-refused-lost-job', { heldIn: 'return-refused' });
    } finally {
      h.sim.setFaults({});
    }
    await h.relinks.confirmLost(started.workflowId, undefined, 'corpus.staff');
    await expect(result(started.workflowId)).rejects.toBeInstanceOf(WorkflowFailedError);
    const progress = await h.relinks.progress(started.workflowId);
    expect(progress.items[0]).toMatchObject({ phase: 'returned' });
    expect(progress.contact).toMatchObject({ restored: true, verified: true });
    await record(started.workflowId, 'lost-job-return-refused-returned', { closed: true });
  });

  it('overdue in the overdue-job mode (the job did not act): held, a join during it, then keep-loans', async () => {
    const settings = { ...overdueJobMode('2 seconds'), lostDeadline: '4 seconds', holdingAddressLimit: '1 hour' };
    const started = await h.relinks.start(relinkInput('corpus.jobover', [first('corpus.jobover')], settings));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'overdue');
    await record(started.workflowId, 'held-overdue-lost-job', { heldIn: 'overdue' });

    await join(started.workflowId, 'corpus.jobover', settings);
    await bothLoanedIn(started.workflowId, 'overdue');
    await record(started.workflowId, 'held-overdue-lost-job-joined', { heldIn: 'overdue', joinedIn: 'overdue' });

    await h.relinks.keepLoans(started.workflowId, 'corpus.staff');
    expect(await result(started.workflowId)).toMatchObject({ outcome: 'aborted', emailVerified: true });
    await record(started.workflowId, 'keep-loans-at-overdue-lost-job', { closed: true });
  });

  /** Runs Alma's Overdue and Lost Loan job once the patron's open loans are past due by more than its threshold. */
  async function runLostJobFor(patronId: string): Promise<void> {
    const open = h.sim.state().loans.filter((l) => l.user_id === patronId && l.process_status !== 'LOST');
    const latest = Math.max(...open.map((l) => Date.parse(l.due_date ?? '')));
    await new Promise((r) => setTimeout(r, Math.max(0, latest + 1_500 - Date.now())));
    expect(h.sim.runJob('overdue-and-lost').markedLost.length).toBeGreaterThan(0);
  }

  it("quiet-period after Lost by Alma's job: held, a join during it (back to the job's wait), restore-now", async () => {
    const settings = { ...overdueJobMode('2 seconds'), restoreAfter: '12 hours' };
    const started = await h.relinks.start(relinkInput('corpus.jobquiet', [first('corpus.jobquiet')], settings));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    await runLostJobFor('corpus.jobquiet');
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    await record(started.workflowId, 'held-quiet-period-lost-job', { heldIn: 'quiet-period' });

    await join(started.workflowId, 'corpus.jobquiet', settings);
    await bothLoanedIn(started.workflowId, 'lost-job');
    await record(started.workflowId, 'held-quiet-period-lost-job-joined', {
      heldIn: 'lost-job',
      joinedIn: 'quiet-period',
    });

    await runLostJobFor('corpus.jobquiet');
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    await h.relinks.restoreNow(started.workflowId, 'corpus.staff');
    const done = await result(started.workflowId);
    expect(done).toMatchObject({ outcome: 'completed', emailVerified: true });
    expect(done.items.every((i) => i.lostConfirmed)).toBe(true);
    await record(started.workflowId, 'quiet-period-lost-job-joined-restore-now', { closed: true });
  });
});
