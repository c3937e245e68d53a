// relink restore-now and the quiet period setting (RELINK_RESTORE_AFTER) through the CLI, against the relink on the
// dev server and the simulator.
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';
import { cliEnv, jsonOf, relinkCli } from './run-cli';

describe('relink restore-now', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: ['cli.quiet', 'cli.quiet.json', 'cli.loud', 'cli.badsetting'].map((id) => patron(id)),
        items: [item('53000000001'), item('53000000002'), item('53000000003'), item('53000000004')],
      }),
    );
  });
  afterAll(async () => h?.close());

  it('starts with RELINK_RESTORE_AFTER, shows the quiet period, and restore-now ends it (by patron id)', async () => {
    const env = cliEnv(h, { RELINK_RESTORE_AFTER: '12 hours' });
    const before = userOf(h.sim.state(), 'cli.quiet');
    const start = await relinkCli(['start', '--patron', 'cli.quiet', '--barcode', '53000000001'], env);
    expect(start.code).toBe(0);
    await staffDeclaresLost(h, 'relink-cli.quiet');
    await waitForProgress(h, 'relink-cli.quiet', (p) => p.awaiting === 'quiet-period');

    const status = await relinkCli(['status', 'relink-cli.quiet'], env);
    expect(status.stdout).toContain('Status:    RUNNING at step quiet-period');
    expect(status.stdout).toMatch(/Awaiting: {2}quiet-period \(nothing: Alma's jobs run before the restore/);
    expect(status.stdout).toContain('To end it early, run:\n    relink restore-now relink-cli.quiet');
    const listed = await relinkCli(['list', '--awaiting', 'quiet-period'], env);
    expect(listed.stdout).toContain('relink-cli.quiet');

    const done = await relinkCli(['restore-now', 'cli.quiet', '--by', 'desk.jo'], env);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^Quiet period ended by desk\.jo; restoring the patron's email now\./);
    expect(done.stdout).toContain('Quiet period ended early by staff (desk.jo): restoring now.');
    expect(done.stdout).toContain('The relink ended: completed.');
    expect(userOf(h.sim.state(), 'cli.quiet')).toEqual(before);
  });

  it('--json reports the outcome', async () => {
    const { workflowId } = await h.relinks.start(
      relinkInput('cli.quiet.json', ['53000000002'], { restoreAfter: '1 day' }),
    );
    await staffDeclaresLost(h, workflowId);
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'quiet-period');
    const done = await relinkCli(['restore-now', workflowId, '--json'], cliEnv(h));
    expect(done.code).toBe(0);
    expect(jsonOf(done)).toMatchObject({ workflowId, result: 'completed' });
  });

  it('is refused (exit 1) when the relink is not in a quiet period, and a malformed id is exit 2', async () => {
    const { workflowId } = await h.relinks.start(relinkInput('cli.loud', ['53000000003']));
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
    const refused = await relinkCli(['restore-now', workflowId], cliEnv(h));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /Relink relink-cli\.loud is not waiting for the end of a quiet period: it is at step lost-declaration/,
    );
    const bad = await relinkCli(['restore-now', 'not a patron!'], cliEnv(h));
    expect(bad.code).toBe(2);
    await h.relinks.cancel(workflowId);
  });

  it('a malformed RELINK_RESTORE_AFTER is a settings error (exit 2) before anything starts', async () => {
    const run = await relinkCli(
      ['start', '--patron', 'cli.badsetting', '--barcode', '53000000004'],
      cliEnv(h, { RELINK_RESTORE_AFTER: 'tomorrow' }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'RELINK_RESTORE_AFTER: must be 0, a duration like "12 hours", "next 02:30" or "after-fines-job"',
    );
    expect(h.sim.calls().filter((c) => c.path.includes('cli.badsetting'))).toEqual([]);
    await expect(h.relinks.progress('relink-cli.badsetting')).rejects.toThrow();
  });
});
