// The overdue-job Lost mode through the CLI: relink status and list while the relink waits for Alma's Overdue and Lost
// Loan job, and relink cancel moving the due date back before the return.
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { startHarness, userOf, waitForProgress, type RelinkHarness } from '../support/relink-harness';
import { cliEnv, jsonOf, relinkCli } from './run-cli';

const show = (label: string, out: string) => {
  // For the staff guide: SHOW_CLI_OUTPUT=1 prints what staff see.
  if (process.env.SHOW_CLI_OUTPUT === '1') console.log(`${label}\n${out}`);
};

describe('relink in the overdue-job Lost mode', () => {
  let h: RelinkHarness;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('cli.job')], items: [item('53000000031')] }));
    env = cliEnv(h, {
      RELINK_LOST_MODE: 'overdue-job',
      RELINK_LOST_AFTER_OVERDUE: '1 day',
      RELINK_LOST_JOB_AT: 'next 02:00',
    });
  });
  afterAll(async () => h?.close());

  it('shows the wait for the job in status and list, and cancel moves the due date back before the return', async () => {
    const before = userOf(h.sim.state(), 'cli.job');
    const started = await relinkCli(['start', '--patron', 'cli.job', '--barcode', '53000000031', '--json'], env);
    expect(started.code).toBe(0);
    const { workflowId } = jsonOf(started);
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-job');

    const status = await relinkCli(['status', workflowId], env);
    show('$ relink status', status.stdout);
    expect(status.stdout).toMatch(/Awaiting: {2}lost-job \(nothing: Alma's Overdue and Lost Loan job/);
    expect(status.stdout).toMatch(/To finish sooner, click Lost in Alma, then run:\n {4}relink confirm-lost/);
    expect(status.stdout).toMatch(/Due date of 53000000031 set to .* \(notify_user=false\)/);
    const listed = await relinkCli(['list', '--awaiting', 'lost-job'], env);
    show('$ relink list --awaiting lost-job', listed.stdout);
    expect(listed.stdout).toContain(workflowId);

    const cancelled = await relinkCli(['cancel', workflowId], env);
    show('$ relink cancel', cancelled.stdout);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/53000000031 \(loan \d+\): returned; now in place/);
    const audit = (await h.relinks.progress(workflowId)).audit.map((a) => a.message);
    expect(audit).toEqual(expect.arrayContaining([expect.stringMatching(/^Due date of 53000000031 moved back to/)]));
    expect(userOf(h.sim.state(), 'cli.job')).toEqual(before);
  });
});
