// Lost without a click (RELINK_LOST_MODE=overdue-job): the relink moves the loan's due date to the earliest Alma
// accepts, waits past the run of Alma's Overdue and Lost Loan job, and finds the loan Lost with no staff action; the
// job's letters reach the holding address. When the job does not act, it falls back to the staff click. A batch of
// 50 completes with one job run. On the real dev server and the simulator, whose job profile marks a loan Lost one
// second past due (a profile a library would scope to these loans).
import { HOLDING_EMAIL, email, fixturesWith, item, itemIds, patron, phone } from '../../src/alma-sim/builders';
import type { RelinkResult } from '../../src/contract';
import { overdueJobMode, relinkInput } from '../../src/dev/relink-input';
import {
  ownAddresses,
  recordHistory,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

const BATCH = Array.from({ length: 50 }, (_, i) => `job.batch${String(i).padStart(2, '0')}`);
const barcodeOf = (patronId: string, i: number) => `4800000${String(i).padStart(4, '0')}`;
const ONE = ['job.one', 'job.fallback', 'job.cancel', 'job.refused', 'job.click', 'job.late'];
const ids = [...ONE, ...BATCH];

const loanOf = (state: AnyRecord, patronId: string): AnyRecord | undefined =>
  state.loans.find((l: AnyRecord) => l.user_id === patronId);

describe('Lost without a click: the overdue-job mode', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: ids.map((id, i) =>
          patron(id, {
            emails: [email(`${id}@example.edu`)],
            phones: [phone(`+1 555 02${String(i).padStart(2, '0')}`)],
          }),
        ),
        items: ids.map((id, i) => item(barcodeOf(id, i))),
      }),
      { sim: { jobs: { lostAfterDays: 1 / 86_400, overdueAfterDays: 0 } } },
    );
  });
  afterAll(async () => h?.close());

  /** No letter reached one of the patron's own addresses, and the record is back as it was. */
  async function expectPatronUntouched(patronId: string, before: AnyRecord) {
    expect(userOf(h.sim.state(), patronId)).toEqual(before);
    const own = new Set(ownAddresses(before));
    const theirs = h.sim.notices().filter((n) => n.user_id === patronId);
    expect(theirs.filter((n) => n.address && own.has(n.address))).toEqual([]);
  }

  /** Waits until every one of the loans is past due by more than the job's threshold (1 s). */
  async function pastThreshold(patronIds: string[]) {
    const dueOf = (p: string) => Date.parse(loanOf(h.sim.state(), p)?.due_date ?? '');
    const latest = Math.max(...patronIds.map(dueOf));
    await new Promise((r) => setTimeout(r, Math.max(0, latest + 1_500 - Date.now())));
  }

  it('moves the due date, and the job run declares the loan Lost: no staff action, every letter to the holding address', async () => {
    const before = userOf(h.sim.state(), 'job.one');
    const started = await h.relinks.start(
      relinkInput('job.one', [barcodeOf('job.one', 0)], overdueJobMode('4 seconds')),
    );
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    expect(waiting.awaitingInstructions).toMatch(/^Nothing to do: Alma's Overdue and Lost Loan job is expected/);
    // Alma was told not to notify the patron, and the new due date is now (plus the lead), not in the past.
    const put = h.sim.calls().find((c) => c.method === 'PUT' && /\/users\/job\.one\/loans\/\d+/.test(c.path));
    expect(put?.path).toMatch(/notify_user=false/);
    expect(Date.parse(loanOf(h.sim.state(), 'job.one')!.due_date)).toBeGreaterThan(Date.now() - 10_000);

    await pastThreshold(['job.one']);
    const run = h.sim.runJob('overdue-and-lost');
    expect(run.markedLost).toEqual([waiting.items[0]!.loanId]);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(result.items[0]).toMatchObject({ lostConfirmed: true });
    expect(loanOf(h.sim.state(), 'job.one')).toMatchObject({ loan_status: 'ACTIVE', process_status: 'LOST' });
    // The job's Lost letter, like every letter of the relink, went to the holding address.
    const letters = h.sim.notices().filter((n) => n.user_id === 'job.one' && n.channel === 'email');
    expect(letters.map((n) => n.letter)).toContain('FulOverdueAndLostLoanLetter');
    expect(new Set(letters.map((n) => n.address))).toEqual(new Set([HOLDING_EMAIL]));
    await expectPatronUntouched('job.one', before);
    // The call budget (docs/performance.md), against the same relink with the staff click: the due-date change adds
    // its read and its PUT. The follow-up's re-read 10 minutes later is in neither.
    const clickStarted = await h.relinks.start(relinkInput('job.click', [barcodeOf('job.click', 4)]));
    const clickWaiting = await waitForProgress(h, clickStarted.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.declareLost(clickWaiting.items[0]!.loanId!);
    await h.relinks.confirmLost(clickStarted.workflowId);
    await h.temporal.client.workflow.getHandle(clickStarted.workflowId).result();
    const callsOf = (patronId: string, barcode: string) => {
      const { mmsId, itemPid } = itemIds(barcode);
      return h.sim
        .calls()
        .filter(
          (c) =>
            c.path.includes(`/users/${patronId}`) ||
            c.path.includes(itemPid) ||
            c.path.includes(`/bibs/${mmsId}/`) ||
            c.path.includes(`item_barcode=${barcode}`),
        );
    };
    const byJobCalls = callsOf('job.one', barcodeOf('job.one', 0));
    const byClickCalls = callsOf('job.click', barcodeOf('job.click', 4));
    if (process.env.SHOW_CALLS === '1')
      console.log(`overdue-job ${byJobCalls.length} calls, staff-click ${byClickCalls.length} calls`);
    expect(byJobCalls.length - byClickCalls.length).toBe(2);
    await recordHistory(h, started.workflowId, 'lost-by-overdue-job');
  });

  it('falls back to the staff click when the job does not act by its run', async () => {
    const before = userOf(h.sim.state(), 'job.fallback');
    const started = await h.relinks.start(
      relinkInput('job.fallback', [barcodeOf('job.fallback', 1)], overdueJobMode('2 seconds')),
    );
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    // Nobody runs the job: at its expected run the relink checks, and asks staff for the click.
    const asking = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    expect(asking.audit.map((a) => a.message).join('\n')).toMatch(
      /Overdue and Lost Loan job has not declared 48\d+ Lost by .*asking staff for the Lost click instead/,
    );
    expect(asking.awaitingInstructions).toMatch(/choose "Lost"/);
    await h.sim.declareLost(asking.items[0]!.loanId!);
    await h.relinks.confirmLost(started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    await expectPatronUntouched('job.fallback', before);
  });

  it('a cancel moves the due date back before the return, so the return charges no overdue fine', async () => {
    const before = userOf(h.sim.state(), 'job.cancel');
    const started = await h.relinks.start(
      relinkInput('job.cancel', [barcodeOf('job.cancel', 2)], overdueJobMode('1 hour')),
    );
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    const loanedDue = h.sim.calls().filter((c) => c.method === 'PUT' && /\/users\/job\.cancel\/loans\//.test(c.path));
    expect(loanedDue).toHaveLength(1);
    await h.relinks.cancel(started.workflowId);
    await h.temporal.client.workflow
      .getHandle(started.workflowId)
      .result()
      .catch(() => undefined);
    const progress = await h.relinks.progress(started.workflowId);
    expect(progress.audit.map((a) => a.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Due date of 48\d+ moved back to .* before the return\.$/)]),
    );
    const loan = loanOf(h.sim.state(), 'job.cancel')!;
    expect(loan).toMatchObject({ loan_status: 'COMPLETE' });
    // Returned before its own due date: not overdue.
    expect(Date.parse(loan.due_date)).toBeGreaterThan(Date.parse(loan.return_date));
    await expectPatronUntouched('job.cancel', before);
  });

  it('asks for the staff click at once when Alma refuses the due-date change', async () => {
    const before = userOf(h.sim.state(), 'job.refused');
    h.sim.setFaults({
      rules: [
        {
          method: 'PUT',
          path: '/users/job\\.refused/loans/',
          action: 'error',
          status: 400,
          errorCode: '401681',
          errorMessage: 'Due date cannot be in the past.',
          times: 2, // the activity tries once more with a date from that moment: refused twice, the staff click
        },
      ],
    });
    const started = await h.relinks.start(
      relinkInput('job.refused', [barcodeOf('job.refused', 3)], overdueJobMode('1 hour')),
    );
    const asking = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.setFaults({});
    expect(asking.audit.map((a) => a.message).join('\n')).toMatch(
      /Alma refused to change the due date of 48\d+ \(.*401681.*\): asking staff for the Lost click instead/,
    );
    await h.sim.declareLost(asking.items[0]!.loanId!);
    await h.relinks.confirmLost(started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'completed', emailVerified: true });
    await expectPatronUntouched('job.refused', before);
  });

  it('a due date that reached Alma already past (the call waited in line) is sent once more, from that moment', async () => {
    h.sim.setFaults({
      rules: [{ method: 'PUT', path: '/users/job\\.late/loans/', action: 'error', status: 400, errorCode: '401681' }],
    });
    const started = await h.relinks.start(
      relinkInput('job.late', [barcodeOf('job.late', 5)], overdueJobMode('1 hour')),
    );
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    h.sim.setFaults({});
    expect(waiting.audit.map((a) => a.message).join('\n')).toMatch(/Due date of 48\d+ set to .*notify_user=false/);
    const puts = h.sim.calls().filter((c) => c.method === 'PUT' && c.path.includes('/users/job.late/loans/'));
    expect(puts.map((c) => c.status)).toEqual([400, 200]);
    await h.relinks.cancel(started.workflowId);
    await h.temporal.client.workflow
      .getHandle(started.workflowId)
      .result()
      .catch(() => undefined);
  });

  it('a batch of 50 relinks completes with one run of the job and no click', async () => {
    // A lead of 5 s: fifty relinks' due-date PUTs wait in line behind the rate limiter.
    const input = (p: string) =>
      relinkInput(p, [barcodeOf(p, ids.indexOf(p))], { ...overdueJobMode('2 minutes'), dueDateLead: '5 seconds' });
    // Started as relink batch starts them, four at a time (batch-run.ts): fifty lookups at once would wait behind the
    // running relinks' calls at the default 10 calls a second, past the lookup's 30 s.
    const started: Awaited<ReturnType<RelinkHarness['relinks']['start']>>[] = [];
    for (let i = 0; i < BATCH.length; i += 4) {
      started.push(...(await Promise.all(BATCH.slice(i, i + 4).map((p) => h.relinks.start(input(p))))));
    }
    for (const s of started) await waitForProgress(h, s.workflowId, (p) => p.awaiting === 'lost-job', 120_000);
    await pastThreshold(BATCH);
    const run = h.sim.runJob('overdue-and-lost');
    expect(run.markedLost).toHaveLength(50);
    const results = (await Promise.all(
      started.map((s) => h.temporal.client.workflow.getHandle(s.workflowId).result()),
    )) as RelinkResult[];
    expect(results.map((r) => r.outcome)).toEqual(BATCH.map(() => 'completed'));
    expect(results.every((r) => r.emailVerified && r.items[0]!.lostConfirmed)).toBe(true);
    const patronLetters = h.sim
      .notices()
      .filter((n) => BATCH.includes(String(n.user_id)) && n.address && n.address !== HOLDING_EMAIL);
    expect(patronLetters).toEqual([]);
    // About 800 Alma calls at the default 10 a second: the job's run is expected 2 minutes after each due-date change,
    // time for all fifty to reach the wait for it.
  }, 360_000);
});
