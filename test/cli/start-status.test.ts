// relink start (with and without --wait), status (running and closed), list --awaiting: against the real dev
// server, a relink worker and the Alma simulator, with the staff "Lost" click done in the simulator.
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { startHarness, userOf, waitForProgress, type RelinkHarness } from '../support/relink-harness';
import { cliInstructions } from '../../src/cli/view';
import { cliEnv, jsonOf, relinkCli, sleep } from './run-cli';

describe('relink start, status and list', () => {
  let h: RelinkHarness;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: ['cli.start', 'cli.startjson', 'cli.wait', 'cli.list', 'cli.fails'].map((id) => patron(id)),
        items: ['51000000001', '51000000002', '51000000003', '51000000004', '51000000005', '51000000006'].map((b) =>
          item(b),
        ),
      }),
    );
    env = cliEnv(h);
  });
  afterAll(async () => h?.close());

  /** The staff member's Lost click on every loan the relink waits for. */
  async function clickLost(workflowId: string): Promise<void> {
    const progress = await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
    for (const i of progress.items) if (i.loanId && !i.lostConfirmed) h.sim.declareLost(i.loanId);
  }

  it('starts a relink, shows it running with what to do in Alma, then closed with its outcome', async () => {
    const before = userOf(h.sim.state(), 'cli.start');
    const started = await relinkCli(['start', '--patron', 'cli.start', '--barcode', '51000000001'], env);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^Started relink relink-cli\.start for patron cli\.start: 51000000001\./);
    expect(started.stdout).toContain('Web UI: http://127.0.0.1:8233/namespaces/default/workflows/relink-cli.start');

    const waiting = await waitForProgress(h, 'relink-cli.start', (p) => p.awaiting === 'lost-declaration');
    const loanId = waiting.items[0]!.loanId!;
    const [running, runningJson] = await Promise.all([
      relinkCli(['status', 'relink-cli.start'], env),
      relinkCli(['status', 'relink-cli.start', '--json'], env),
    ]);
    expect(running.code).toBe(0);
    expect(running.stdout).toMatch(/Status: +RUNNING at step lost-declaration/);
    expect(running.stdout).toMatch(/Awaiting: +lost-declaration/);
    expect(running.stdout).toMatch(new RegExp(`│ 51000000001 │ Title 51000000001 +│ loaned +│ ${loanId} │ no `));
    expect(running.stdout).toContain(waiting.awaitingInstructions!.split(' ').slice(0, 6).join(' '));
    expect(running.stdout).toContain('    relink confirm-lost relink-cli.start');
    expect(running.stdout).toMatch(/Audit trail:\n.*preflight +Relink of 51000000001 to patron cli\.start started\./);
    expect(runningJson.code).toBe(0);
    expect(jsonOf(runningJson)).toMatchObject({
      workflowId: 'relink-cli.start',
      patronId: 'cli.start',
      status: 'RUNNING',
      step: 'lost-declaration',
      awaiting: 'lost-declaration',
      // The CLI's words: the command to run, not the desk's button.
      awaitingInstructions: cliInstructions(waiting),
      nextCommands: ['relink confirm-lost relink-cli.start'],
      items: [{ barcode: '51000000001', phase: 'loaned', loanId, lostConfirmed: false }],
      email: { state: 'holding-address', verified: false },
    });
    expect(jsonOf(runningJson).audit.length).toBeGreaterThanOrEqual(4);

    h.sim.declareLost(loanId);
    await h.temporal.client.workflow.getHandle('relink-cli.start').result();
    const [closed, closedJson] = await Promise.all([
      relinkCli(['status', 'relink-cli.start'], env),
      relinkCli(['status', 'relink-cli.start', '--json'], env),
    ]);
    expect(closed.stdout).toMatch(/Status: +COMPLETED/);
    expect(closed.stdout).toMatch(/Outcome: +completed/);
    expect(closed.stdout).toMatch(/Email: +restored and verified/);
    expect(closed.stdout).not.toMatch(/What to do now/);
    expect(closed.stdout).toMatch(/Original email and SMS settings restored and verified\./);
    expect(jsonOf(closedJson)).toMatchObject({
      status: 'COMPLETED',
      outcome: 'completed',
      awaiting: 'none',
      items: [{ barcode: '51000000001', phase: 'lost-confirmed', lostConfirmed: true }],
      email: { state: 'restored', verified: true },
    });
    expect(userOf(h.sim.state(), 'cli.start')).toEqual(before);
  });

  it('prints the started relink as JSON, and joins the running relink with a second start', async () => {
    const first = await relinkCli(['start', '--patron', 'cli.startjson', '--barcode', '51000000002', '--json'], env);
    expect(first.code).toBe(0);
    expect(jsonOf(first)).toEqual({
      workflowId: 'relink-cli.startjson',
      patronId: 'cli.startjson',
      runId: expect.any(String),
      joined: false,
      added: ['51000000002'],
      alreadyPresent: [],
      uiUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/relink-cli.startjson',
    });
    await waitForProgress(h, 'relink-cli.startjson', (p) => p.awaiting === 'lost-declaration');
    const [joined, joinedJson] = await Promise.all([
      relinkCli(['start', '--patron', 'cli.startjson', '--barcode', '51000000003'], env),
      relinkCli(['start', '--patron', 'cli.startjson', '--barcode', '51000000002', '--json'], env),
    ]);
    expect(joined.code).toBe(0);
    expect(joined.stdout).toMatch(
      /Patron cli\.startjson already had a running relink, relink-cli\.startjson: added 51000000003\./,
    );
    expect(jsonOf(joinedJson)).toMatchObject({
      workflowId: 'relink-cli.startjson',
      joined: true,
      added: [],
      alreadyPresent: ['51000000002'],
    });
    const progress = await waitForProgress(
      h,
      'relink-cli.startjson',
      (p) => p.items.length === 2 && p.awaiting === 'lost-declaration',
    );
    expect(progress.items.map((i) => i.barcode)).toEqual(['51000000002', '51000000003']);
    await h.relinks.cancel('relink-cli.startjson');
  });

  it('with --wait follows the relink, says what to do in Alma, and ends with the outcome (exit 0)', async () => {
    const before = userOf(h.sim.state(), 'cli.wait');
    // The staff member does the click when the CLI tells them to.
    let clicked: Promise<void> | undefined;
    const waited = await relinkCli(['start', '--patron', 'cli.wait', '--barcode', '51000000004', '--wait'], env, {
      onStdout: (soFar) => {
        if (!clicked && soFar.includes('When that is done, run:')) clicked = clickLost('relink-cli.wait');
      },
    });
    await clicked;
    expect(waited.code).toBe(0);
    const out = waited.stdout;
    const todo = out.indexOf('What to do now (the relink waits for a Lost click):');
    expect(todo).toBeGreaterThan(0);
    expect(out.slice(todo)).toMatch(/Manage Patron Services, patron cli\.wait, Loans tab/);
    expect(out.slice(todo)).toMatch(/When that is done, run:\n +relink confirm-lost relink-cli\.wait\n/);
    expect(out.slice(todo)).toMatch(/relink cancel relink-cli\.wait/);
    const end = out.indexOf('Relink relink-cli.wait ended: completed');
    expect(end).toBeGreaterThan(todo);
    expect(out.slice(end)).toMatch(/│ 51000000004 │ .* │ lost-confirmed │ \d+ +│ yes/);
    expect(out.slice(end)).toMatch(/Patron's email: restored and verified/);
    expect(userOf(h.sim.state(), 'cli.wait')).toEqual(before);
  });

  it('with --wait exits 1 when the relink fails, and status shows the failure with its type', async () => {
    const waited = await relinkCli(
      ['start', '--patron', 'cli.fails', '--barcode', '51000000099', '--wait', '--json'],
      env,
    );
    expect(waited.code).toBe(1);
    expect(jsonOf(waited)).toMatchObject({
      workflowId: 'relink-cli.fails',
      final: {
        status: 'FAILED',
        outcome: 'failed',
        failure: { type: 'ItemNotFound', message: expect.stringMatching(/51000000099/) },
      },
    });
    expect(waited.stderr).toMatch(/Started relink relink-cli\.fails/); // live lines go to stderr in --json mode
    const status = await relinkCli(['status', 'relink-cli.fails'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Status: +FAILED/);
    expect(status.stdout).toMatch(/Outcome: +failed \(ItemNotFound\): .*51000000099/);
    expect(status.stdout).toMatch(/Email: +never changed/);
  });

  it('refuses a patron Alma does not know before anything starts (exit 1)', async () => {
    const [human, json] = await Promise.all([
      relinkCli(['start', '--patron', 'cli.nobody', '--barcode', '51000000005'], env),
      relinkCli(['start', '--patron', 'cli.nobody', '--barcode', '51000000005', '--json'], env),
    ]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(
      /^relink: Alma refused reading patron cli\.nobody: “User with identifier cli\.nobody was not found\.” \(Alma error 401861\) Nothing was started\./,
    );
    expect(jsonOf(json).error).toMatchObject({ code: 'refused', exitCode: 1 });
    await expect(h.relinks.summary('relink-cli.nobody')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('lists running relinks awaiting one staff action, as a table and as JSON', async () => {
    await relinkCli(['start', '--patron', 'cli.list', '--barcode', '51000000006'], env);
    await waitForProgress(h, 'relink-cli.list', (p) => p.awaiting === 'lost-declaration');
    // The list reads Temporal's visibility store, which follows the workflow a moment later.
    let listed: string[] = [];
    for (let i = 0; i < 50 && !listed.includes('relink-cli.list'); i++) {
      listed = (await h.relinks.list({ awaiting: 'lost-declaration' })).map((r) => r.workflowId);
      await sleep(100);
    }
    const [table, json, review] = await Promise.all([
      relinkCli(['list', '--awaiting', 'lost-declaration'], env),
      relinkCli(['list', '--awaiting', 'lost-declaration', '--json'], env),
      relinkCli(['list', '--awaiting', 'request-review', '--json'], env),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /│ relink-cli\.list +│ cli\.list +│ 51000000006 +│ RUNNING +│ lost-declaration +│ lost-declaration +│/,
    );
    expect(jsonOf(json).relinks).toContainEqual(
      expect.objectContaining({
        workflowId: 'relink-cli.list',
        patronId: 'cli.list',
        barcodes: ['51000000006'],
        awaiting: 'lost-declaration',
      }),
    );
    expect(jsonOf(review).relinks.map((r: { workflowId: string }) => r.workflowId)).not.toContain('relink-cli.list');
    await h.relinks.cancel('relink-cli.list');
  });

  it('names an unknown relink id and how to find the right one (exit 1)', async () => {
    const [human, json] = await Promise.all([
      relinkCli(['status', 'relink-cli.nobody-at-all'], env),
      relinkCli(['cancel', 'relink-cli.nobody-at-all', '--json'], env),
    ]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(
      /No relink with id relink-cli\.nobody-at-all exists\.\nList running relinks with: relink list/,
    );
    expect(json.code).toBe(1);
    expect(jsonOf(json).error).toMatchObject({ code: 'not-found', exitCode: 1 });
  });
});
