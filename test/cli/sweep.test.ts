// relink sweep: the safety net for a relink that cannot restore (terminated from the Web UI, or its history lost).
// Against the real dev server, a relink worker and the Alma simulator: what sweep reports, what --fix restores, and
// that a running relink is reported and left alone.
import { applySwap, planFrom } from '../../src/activities/contact';
import { AlmaClient } from '../../src/alma';
import { email, fixturesWith, HOLDING_EMAIL, item, itemIds, patron, phone } from '../../src/alma-sim/builders';
import { markerFor } from '../../src/contract';
import { relinkInput } from '../../src/dev/relink-input';
import { createRelinkWorker } from '../../src/worker';
import {
  refusingReturnsOf,
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  workflowBundle,
  writesIn,
  type RelinkHarness,
} from '../support/relink-harness';
import { uniqueTaskQueue } from '../support/temporal';
import { cliEnv, jsonOf, relinkCli } from './run-cli';

const holdingEntries = (user: any) =>
  (user.contact_info.email as any[]).filter((e) => e.email_address === HOLDING_EMAIL);

describe('relink sweep', () => {
  let h: RelinkHarness;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [
          patron('sw.term', {
            emails: [
              email('sw.term@example.edu'),
              email('sw.term.work@example.org', { preferred: false, type: 'work' }),
            ],
            phones: [phone('+1 555 0100')],
          }),
          patron('sw.run'),
          patron('sw.refused'),
          patron('sw.byjob'),
          patron('sw.race', { phones: [phone('+1 555 0102')] }),
          patron('sw.gone', {
            emails: [
              email('sw.gone@example.edu'),
              email('sw.gone.work@example.org', { preferred: false, type: 'work' }),
            ],
            phones: [phone('+1 555 0101')],
          }),
        ],
        items: [
          item('64000000001'),
          item('64000000002'),
          item('64000000003'),
          item('64000000004'),
          item('64000000005'),
          item('64000000006'),
        ],
      }),
    );
    env = cliEnv(h);
  });
  afterAll(async () => h?.close());

  it('says why when the quota floor refuses its search, and writes nothing', async () => {
    h.sim.setFaults({ dailyRemaining: 4000 });
    await h.alma.getUser('sw.run'); // the worker's client learns Alma's count from this answer
    const from = h.sim.calls().length;
    try {
      const run = await relinkCli(['sweep', '--fix'], env);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/The search for holding addresses failed: .*below the floor of 5000/);
      expect(run.stderr).not.toMatch(/Workflow execution failed/);
      expect(writesIn(h.sim.calls(from))).toEqual([]);
    } finally {
      h.sim.setFaults({});
      await h.alma.forCompensation().getUser('sw.run');
    }
  });

  it('reports a terminated relink and a lost history, restores them with --fix, and leaves a running one alone', async () => {
    // A relink terminated while it waits for the Lost click: no compensation runs, the patron stays swapped.
    const before = userOf(h.sim.state(), 'sw.term');
    await h.relinks.start(relinkInput('sw.term', ['64000000001']));
    await waitForProgress(h, 'relink-sw.term', (p) => p.awaiting === 'lost-declaration');
    await h.temporal.client.workflow.getHandle('relink-sw.term').terminate('terminated from the Web UI');
    expect(holdingEntries(userOf(h.sim.state(), 'sw.term'))).toHaveLength(1);

    // A relink that runs: swapped, and its own business.
    await h.relinks.start(relinkInput('sw.run', ['64000000002'], { lostPollInitial: '10 minutes' }));
    await waitForProgress(h, 'relink-sw.run', (p) => p.awaiting === 'lost-declaration');

    // A history lost with a cluster: a holding entry whose marker names a relink Temporal never saw.
    const gone = await h.alma.getUser('sw.gone');
    const gonePlan = planFrom(gone, HOLDING_EMAIL, markerFor('relink-sw.gone'));
    await h.alma.updateUser('sw.gone', applySwap(gone, gonePlan, 'relink-sw.gone'));

    const report = await relinkCli(['sweep'], env);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/│ sw\.term +│ relink-sw\.term +│ not running +│ the relink's plan +│/);
    expect(report.stdout).toMatch(/│ sw\.run +│ relink-sw\.run +│ running +│ +│/);
    expect(report.stdout).toMatch(/│ sw\.gone +│ relink-sw\.gone +│ not running +│ the marker alone +│/);
    expect(report.stdout).toMatch(
      /3 patrons with the holding address: 1 running \(left alone\), 2 not running, 0 needing/,
    );
    expect(report.stdout).toMatch(/Restore those not running with: relink sweep --fix\n$/);
    expect(holdingEntries(userOf(h.sim.state(), 'sw.term'))).toHaveLength(1); // a report writes nothing

    const callsBefore = h.sim.calls().length;
    const fixed = await relinkCli(['sweep', '--fix', '--json'], env);
    expect(fixed.code).toBe(1); // the marker-only restore needs a look
    const doc = jsonOf(fixed);
    expect(doc).toMatchObject({ fixed: true, summary: { running: 1, notRunning: 0, restored: 1, needsAttention: 1 } });
    const row = (patronId: string) => doc.patrons.find((r: any) => r.patronId === patronId);
    // Its loan, from its history, was returned first, while the holding address was in place.
    expect(row('sw.term')).toEqual({
      patronId: 'sw.term',
      workflowId: 'relink-sw.term',
      run: expect.stringMatching(/^[0-9a-f]{8}$/), // the run its marker names
      state: 'restored',
      restoreBy: 'plan',
      returns: [
        { barcode: '64000000001', loanId: expect.any(String), stateNow: expect.stringMatching(/^returned; now/) },
      ],
    });
    const termLoan = h.sim.state().loans.find((l: any) => l.user_id === 'sw.term');
    expect(termLoan).toMatchObject({ loan_status: 'COMPLETE' });
    const receipts = h.sim.notices().filter((n) => n.user_id === 'sw.term' && n.letter === 'FulReturnReceiptLetter');
    // By email to the holding address; no SMS, which the swap had switched off.
    expect(receipts.map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    expect(row('sw.run')).toEqual({
      patronId: 'sw.run',
      workflowId: 'relink-sw.run',
      run: expect.stringMatching(/^[0-9a-f]{8}$/),
      state: 'running',
    });
    expect(row('sw.gone')).toMatchObject({
      workflowId: 'relink-sw.gone',
      state: 'needs attention',
      restoreBy: 'marker',
    });
    expect(row('sw.gone').note).toMatch(/2 emails remain \(types personal, work\) and none is preferred: choose/);
    expect(row('sw.gone').note).toMatch(/SMS is unknown: .* 1 phone now, SMS on none; check the SMS preference/);

    // The terminated relink's patron is back exactly as before, from the plan in its history.
    expect(userOf(h.sim.state(), 'sw.term')).toEqual(before);
    // The lost history's: the holding entry gone, nothing guessed (no email made preferred, SMS left off).
    const goneAfter = userOf(h.sim.state(), 'sw.gone');
    expect(holdingEntries(goneAfter)).toEqual([]);
    expect(goneAfter.contact_info.email.map((e: any) => e.preferred)).toEqual([false, false]);
    expect(goneAfter.contact_info.phone[0].preferred_sms).toBe(false);
    // The running relink's patron was not written to.
    const writes = writesIn(h.sim.calls().slice(callsBefore)).map((c) => c.path.split('?')[0]);
    const { mmsId, holdingId, itemPid } = itemIds('64000000001');
    expect(writes.sort()).toEqual([
      `/almaws/v1/bibs/${mmsId}/holdings/${holdingId}/items/${itemPid}`,
      '/almaws/v1/users/sw.gone',
      '/almaws/v1/users/sw.term',
    ]);

    const after = await relinkCli(['sweep'], env);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(
      /1 patron with the holding address: 1 running \(left alone\), 0 not running, 0 needing/,
    );
    await h.relinks.cancel('relink-sw.run');
    await expect(h.temporal.client.workflow.getHandle('relink-sw.run').result()).rejects.toThrow();
    const none = await relinkCli(['sweep', '--json'], env);
    expect(none.code).toBe(0);
    expect(jsonOf(none)).toMatchObject({ patrons: [], summary: { running: 0, notRunning: 0 } });
  });

  it('with --fix, a terminated relink whose return Alma refuses stays swapped, and says what to do', async () => {
    const before = userOf(h.sim.state(), 'sw.refused');
    await h.relinks.start(relinkInput('sw.refused', ['64000000003']));
    await waitForProgress(h, 'relink-sw.refused', (p) => p.awaiting === 'lost-declaration');
    await h.temporal.client.workflow.getHandle('relink-sw.refused').terminate('terminated from the Web UI');
    h.sim.setFaults(refusingReturnsOf('64000000003'));
    const refused = await relinkCli(['sweep', '--fix'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Not restored: Alma refused to return 64000000003/);
    expect(refused.stdout).toMatch(/then\s+run\s+relink\s+sweep\s+--fix\s+again/);
    expect(refused.stdout).toMatch(/64000000003 \(loan \d+\): still on loan: Alma refused/);
    expect(holdingEntries(userOf(h.sim.state(), 'sw.refused'))).toHaveLength(1);
    expect(h.sim.state().loans.find((l: any) => l.user_id === 'sw.refused')).toMatchObject({ loan_status: 'ACTIVE' });

    h.sim.setFaults({});
    const fixed = await relinkCli(['sweep', '--fix'], env);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/relink-sw\.refused: 64000000003 \(loan \d+\): returned; now in place/);
    expect(userOf(h.sim.state(), 'sw.refused')).toEqual(before);
    expect(h.sim.state().loans.find((l: any) => l.user_id === 'sw.refused')).toMatchObject({ loan_status: 'COMPLETE' });
  });

  it('with --fix, a terminated overdue-job relink gets its loan’s own due date back before the return (no overdue fine)', async () => {
    const before = userOf(h.sim.state(), 'sw.byjob');
    await h.relinks.start(
      relinkInput('sw.byjob', ['64000000004'], {
        lostMode: 'overdue-job',
        lostAfterOverdue: '1 day',
        lostJobAt: 'next 02:00',
      }),
    );
    await waitForProgress(h, 'relink-sw.byjob', (p) => p.awaiting === 'lost-job');
    const own = (await h.relinks.progress('relink-sw.byjob')).audit.find((a) =>
      /^Due date of 64000000004 set to/.test(a.message),
    );
    expect(own).toBeDefined();
    await h.temporal.client.workflow.getHandle('relink-sw.byjob').terminate('terminated from the Web UI');
    const fixed = await relinkCli(['sweep', '--fix', '--json'], env);
    expect(fixed.code).toBe(0);
    const row = jsonOf(fixed).patrons.find((r: any) => r.patronId === 'sw.byjob');
    expect(row.returns[0].stateNow).toMatch(/^returned; now in place.*Due date of 64000000004 moved back to/);
    const loan = h.sim.state().loans.find((l: any) => l.user_id === 'sw.byjob')!;
    expect(loan).toMatchObject({ loan_status: 'COMPLETE' });
    // Returned before its own due date: not overdue.
    expect(Date.parse(String(loan.due_date))).toBeGreaterThan(Date.parse(String(loan.return_date)));
    expect(userOf(h.sim.state(), 'sw.byjob')).toEqual(before);
  });

  it("a sweep whose restore Alma applied but answered 500 never touches a new relink's swap of the patron", async () => {
    // The terminated relink: swapped, loaned, waiting for the Lost click.
    const before = userOf(h.sim.state(), 'sw.race');
    await h.relinks.start(relinkInput('sw.race', ['64000000005']));
    await waitForProgress(h, 'relink-sw.race', (p) => p.awaiting === 'lost-declaration');
    await h.temporal.client.workflow.getHandle('relink-sw.race').terminate('terminated from the Web UI');

    // The sweep runs on a worker of its own, stopped right after Alma applies its restore and answers 500: its
    // retry then waits for a worker, as a retry waits out its backoff, while staff start a new relink.
    const sweepQueue = uniqueTaskQueue('sweep');
    const sweepWorker = async () => {
      const alma = new AlmaClient({
        baseUrl: h.sim.url,
        apiKey: h.sim.apiKey,
        requestsPerSecond: 200,
        timeoutMs: 5_000,
      });
      const worker = await createRelinkWorker({
        connection: h.temporal.nativeConnection,
        taskQueue: sweepQueue,
        alma,
        dataConverter: h.temporal.dataConverter,
        workflowBundle: await workflowBundle(),
      });
      return { worker, run: worker.run() };
    };
    await h.sim.setFaults({
      rules: [{ method: 'PUT', path: '/users/sw\\.race(\\?|$)', action: 'apply-then-error', status: 500, times: 1 }],
    });
    const from = h.sim.calls().length;
    const first = await sweepWorker();
    const sweep = relinkCli(['sweep', '--fix', '--json'], cliEnv(h, { RELINK_TASK_QUEUE: sweepQueue }), {
      timeoutMs: 120_000,
    });
    const restorePut = () =>
      h.sim.calls(from).some((c) => c.method === 'PUT' && /\/users\/sw\.race(\?|$)/.test(c.path));
    while (!restorePut()) await new Promise((r) => setTimeout(r, 20));
    first.worker.shutdown();
    await first.run;
    expect(holdingEntries(userOf(h.sim.state(), 'sw.race'))).toEqual([]); // the restore was applied

    // Staff start a new relink for the patron meanwhile: it swaps (or waits for the sweep to end first).
    await h.relinks.start(relinkInput('sw.race', ['64000000006'], { lostPollInitial: '10 minutes' }));
    await waitForProgress(
      h,
      'relink-sw.race',
      (p) => p.awaiting === 'lost-declaration' || p.audit.some((a) => /relink sweep --fix/.test(a.message)),
    );
    const second = await sweepWorker();
    const fixed = await sweep;
    second.worker.shutdown();
    await second.run;
    const row = jsonOf(fixed).patrons.find((r: any) => r.patronId === 'sw.race');
    expect(row).toMatchObject({ workflowId: 'relink-sw.race', state: 'restored', restoreBy: 'plan' });

    // The new relink's holding entry is in place (its own marker), and its Lost letter reaches the library.
    await waitForProgress(h, 'relink-sw.race', (p) => p.awaiting === 'lost-declaration');
    const swapped = holdingEntries(userOf(h.sim.state(), 'sw.race'));
    expect(swapped).toHaveLength(1);
    expect(swapped[0].preferred).toBe(true);
    // Its own run's marker, written after the sweep ended: the swap waited for it.
    expect(swapped[0].description).toMatch(/^\[alma-relink:relink-sw\.race:[0-9a-f]{8}\] /);
    const audit = (await h.relinks.progress('relink-sw.race')).audit.map((a) => a.message);
    expect(audit).toEqual(expect.arrayContaining([expect.stringMatching(/the swap waits until it ends/)]));
    await staffDeclaresLost(h, 'relink-sw.race');
    const result = await h.temporal.client.workflow.getHandle('relink-sw.race').result();
    expect(result).toMatchObject({ outcome: 'completed' });
    const letters = h.sim.notices().filter((n) => n.user_id === 'sw.race');
    expect(letters.map((n) => n.letter)).toEqual(expect.arrayContaining(['FulLostLoanLetter']));
    expect(letters.filter((n) => n.address !== HOLDING_EMAIL)).toEqual([]);
    expect(userOf(h.sim.state(), 'sw.race')).toEqual(before);
  });
});
