// The staff answers through the CLI: review --proceed/--abort, confirm-lost and cancel, each checked against what
// the relink and the Alma simulator then do.
import { fixturesWith, holdRequest, item, itemIds, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { startHarness, userOf, waitForProgress, writesIn, type RelinkHarness } from '../support/relink-harness';
import { cliEnv, jsonOf, relinkCli } from './run-cli';

const pid = (barcode: string) => itemIds(barcode).itemPid;

describe('relink review, confirm-lost and cancel', () => {
  let h: RelinkHarness;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [
          'cli.rev.proceed',
          'cli.rev.abort',
          'cli.lost',
          'cli.lost.json',
          'cli.cancel',
          'cli.cancel.json',
          'cli.queue',
        ].map((id) => patron(id)),
        // Alma's "requested" flag on an item follows from the requests below: the simulator derives it.
        items: [
          item('52000000001'),
          item('52000000002'),
          item('52000000003'),
          item('52000000004'),
          item('52000000005'),
          item('52000000006'),
          item('52000000007'),
        ],
        requests: [
          holdRequest('8520000000001', 'cli.queue', '52000000001'),
          holdRequest('8520000000002', 'cli.queue', '52000000002'),
        ],
      }),
    );
    env = cliEnv(h);
  });
  afterAll(async () => h?.close());

  it('review --proceed says when the queue is still in the way (exit 1), and goes on once it is clear', async () => {
    const { workflowId } = await h.relinks.start(relinkInput('cli.rev.proceed', ['52000000001']));
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'request-review');
    const listed = await relinkCli(['list', '--awaiting', 'request-review', '--json'], env);
    expect(jsonOf(listed).relinks.map((r: { workflowId: string }) => r.workflowId)).toContain(workflowId);

    const blocked = await relinkCli(['review', workflowId, '--proceed'], env);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/^Decision "proceed" received/);
    expect(blocked.stdout).toMatch(/request 8520000000001/);
    expect(blocked.stdout).toMatch(/The request queue is still in the way/);
    expect((await h.relinks.progress(workflowId)).awaiting).toBe('request-review');

    await h.alma.cancelRequest('cli.queue', '8520000000001', { reason: 'CancelledAtPatronRequest', notifyUser: false });
    const clear = await relinkCli(['review', workflowId, '--proceed', '--by', 'circ.staff', '--json'], env);
    expect(clear.code).toBe(0);
    expect(jsonOf(clear)).toEqual({
      workflowId,
      decision: 'proceed',
      by: 'circ.staff',
      message: expect.stringMatching(/Decision "proceed" received/),
      result: 'proceeding',
    });
    const progress = await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
    expect(progress.audit.some((a) => a.message === 'Staff decided to proceed (circ.staff).')).toBe(true);

    // Not waiting for a review any more: refused, with where to look.
    const again = await relinkCli(['review', workflowId, '--abort'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not waiting for a request review or a desk loan: it is at step lost-declaration/);
    expect(again.stderr).toMatch(/See what it waits for with: relink status relink-cli\.rev\.proceed/);
    await h.relinks.cancel(workflowId);
    await expect(h.temporal.client.workflow.getHandle(workflowId).result()).rejects.toThrow();
  });

  it('review --abort ends the relink with nothing written to Alma', async () => {
    const callsBefore = h.sim.calls().length;
    const { workflowId } = await h.relinks.start(relinkInput('cli.rev.abort', ['52000000002']));
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'request-review');
    const aborted = await relinkCli(['review', workflowId, '--abort', '--json'], env);
    expect(aborted.code).toBe(0);
    expect(jsonOf(aborted)).toMatchObject({ workflowId, decision: 'abort', result: 'aborted' });
    const result = await h.temporal.client.workflow.getHandle(workflowId).result();
    expect(result.outcome).toBe('aborted');
    const ours = (c: { path: string }) => c.path.includes('cli.rev.abort') || c.path.includes(pid('52000000002'));
    expect(h.sim.calls().slice(callsBefore).filter(ours).length).toBeGreaterThan(0); // it did read Alma
    expect(writesIn(h.sim.calls().slice(callsBefore)).filter(ours)).toEqual([]);
  });

  it('confirm-lost says when Alma does not show the Lost click yet (exit 1), then confirms it after the click', async () => {
    // A long poll: only confirm-lost makes the relink look at Alma again within this test.
    const { workflowId } = await h.relinks.start(
      relinkInput('cli.lost', ['52000000003'], { lostPollInitial: '10 minutes', lostPollMax: '10 minutes' }),
    );
    const waiting = await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
    const loanId = waiting.items[0]!.loanId!;

    const early = await relinkCli(['confirm-lost', workflowId], env);
    expect(early.code).toBe(1);
    expect(early.stdout).toMatch(
      new RegExp(`Alma does not show the Lost click yet for 52000000003 \\(loan ${loanId}\\)`),
    );
    expect(early.stdout).toMatch(/relink confirm-lost relink-cli\.lost\n/);

    const other = await relinkCli(['confirm-lost', workflowId, '--barcode', '52000000009'], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      /Barcode 52000000009 is not part of relink relink-cli\.lost \(its items: 52000000003\)/,
    );

    h.sim.declareLost(loanId);
    const confirmed = await relinkCli(['confirm-lost', workflowId, '--barcode', '52000000003'], env);
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toMatch(/Alma shows the Lost click for 52000000003\./);
    const result = await h.temporal.client.workflow.getHandle(workflowId).result();
    expect(result.outcome).toBe('completed');
  });

  it('confirm-lost --json reports what Alma showed', async () => {
    const { workflowId } = await h.relinks.start(
      relinkInput('cli.lost.json', ['52000000004'], { lostPollInitial: '10 minutes', lostPollMax: '10 minutes' }),
    );
    const waiting = await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.declareLost(waiting.items[0]!.loanId!);
    const confirmed = await relinkCli(['confirm-lost', workflowId, '--json'], env);
    expect(confirmed.code).toBe(0);
    expect(jsonOf(confirmed)).toMatchObject({
      workflowId,
      checked: true,
      lostConfirmed: ['52000000004'],
      notYetLost: [],
    });
    // Closed now: there is nothing left to confirm.
    await h.temporal.client.workflow.getHandle(workflowId).result();
    const late = await relinkCli(['confirm-lost', workflowId, '--json'], env);
    expect(late.code).toBe(1);
    expect(jsonOf(late).error).toMatchObject({
      code: 'refused',
      message: `Relink ${workflowId} has already ended (completed).`,
    });
  });

  it('cancel stops the relink and says the patron email was restored', async () => {
    const before = userOf(h.sim.state(), 'cli.cancel');
    const { workflowId } = await h.relinks.start(relinkInput('cli.cancel', ['52000000005']));
    const waiting = await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
    expect(userOf(h.sim.state(), 'cli.cancel')).not.toEqual(before); // the holding address is in place

    const cancelled = await relinkCli(['cancel', workflowId], env);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(
      /^Relink relink-cli\.cancel was cancelled\. The patron's email was restored and verified\./,
    );
    expect(cancelled.stdout).toContain(`52000000005 (loan ${waiting.items[0]!.loanId})`);
    expect(userOf(h.sim.state(), 'cli.cancel')).toEqual(before);

    const again = await relinkCli(['cancel', workflowId], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/has already ended \(cancelled\)/);
  });

  it('cancel --json reports the closed relink and the restored email', async () => {
    const before = userOf(h.sim.state(), 'cli.cancel.json');
    const { workflowId } = await h.relinks.start(relinkInput('cli.cancel.json', ['52000000006']));
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
    const cancelled = await relinkCli(['cancel', workflowId, '--json'], env);
    expect(cancelled.code).toBe(0);
    expect(jsonOf(cancelled)).toEqual({
      workflowId,
      cancelRequested: true,
      keepLoans: false,
      closed: true,
      status: 'CANCELLED',
      outcome: 'cancelled',
      email: { state: 'restored', verified: true },
      // The loan was returned before the restore; its state now, for staff.
      items: [
        { barcode: '52000000006', loanId: expect.any(String), stateNow: expect.stringMatching(/^returned; now/) },
      ],
    });
    expect(userOf(h.sim.state(), 'cli.cancel.json')).toEqual(before);
  });
});
