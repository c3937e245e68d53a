// The give-up through the CLI: an overdue relink in relink status and relink list, relink start's
// --holding-address-limit, relink cancel returning the loans, and relink cancel --keep-loans with its warning.
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import {
  refusingReturnsOf,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';
import { cliEnv, jsonOf, relinkCli } from './run-cli';

const show = (label: string, out: string) => {
  // For the staff guide: SHOW_CLI_OUTPUT=1 prints what staff see.
  if (process.env.SHOW_CLI_OUTPUT === '1') console.log(`${label}\n${out}`);
};

describe('relink and a relink past its Lost deadline', () => {
  let h: RelinkHarness;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: ['cli.overdue', 'cli.keep', 'cli.limit', 'cli.refused'].map((id) => patron(id)),
        items: [item('53000000001'), item('53000000002'), item('53000000003'), item('53000000004')],
      }),
    );
    // A short Lost deadline, as a library could set it; the holding-address limit stays at its default (7 days).
    env = cliEnv(h, { RELINK_LOST_DEADLINE: '3 seconds' });
  });
  afterAll(async () => h?.close());

  it('shows an overdue relink in status and list, and cancel returns its loan before the restore', async () => {
    const before = userOf(h.sim.state(), 'cli.overdue');
    const started = await relinkCli(['start', '--patron', 'cli.overdue', '--barcode', '53000000001', '--json'], env);
    expect(started.code).toBe(0);
    const { workflowId } = jsonOf(started);
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'overdue', 60_000);

    const status = await relinkCli(['status', workflowId], env);
    show('$ relink status', status.stdout);
    expect(status.stdout).toMatch(/Awaiting: {2}overdue \(past the Lost deadline/);
    expect(status.stdout).toMatch(/Overdue: no Lost click was confirmed within 3 seconds/);
    expect(status.stdout).toMatch(/relink cancel relink-cli\.overdue --keep-loans --by <your name>/);
    const listed = await relinkCli(['list', '--awaiting', 'overdue'], env);
    show('$ relink list --awaiting overdue', listed.stdout);
    expect(listed.stdout).toContain(workflowId);

    const cancelled = await relinkCli(['cancel', workflowId], env);
    show('$ relink cancel', cancelled.stdout);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/was cancelled\. The patron's email was restored and verified\./);
    expect(cancelled.stdout).toMatch(/53000000001 \(loan \d+\): returned; now in place/);
    expect(cancelled.stdout).toMatch(/mark it Missing again/);
    expect(cancelled.stdout).not.toMatch(/choose "Lost"|declare them Lost/);
    expect(userOf(h.sim.state(), 'cli.overdue')).toEqual(before);
    const loan = h.sim.state().loans.find((l: any) => l.user_id === 'cli.overdue');
    expect(loan).toMatchObject({ loan_status: 'COMPLETE' });
  });

  it('cancel --keep-loans records who chose it and prints the warning; refused before there is a loan', async () => {
    const { workflowId } = jsonOf(
      await relinkCli(['start', '--patron', 'cli.keep', '--barcode', '53000000002', '--json'], env),
    );
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'overdue', 60_000);
    const kept = await relinkCli(['cancel', workflowId, '--keep-loans', '--by', 'circ.lee'], env);
    show('$ relink cancel --keep-loans', kept.stdout);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/^Staff member circ\.lee chose to keep the loans of 53000000002 \(loan \d+\) active/);
    expect(kept.stdout).toMatch(/Warning: once the patron's email is restored, Alma sends the patron its letters/);
    expect(kept.stdout).toMatch(/ended with its loans kept\. The patron's email was restored and verified\./);
    const audit = (await h.relinks.progress(workflowId)).audit.map((a) => a.message);
    expect(audit).toEqual(expect.arrayContaining([expect.stringMatching(/^Staff member circ\.lee chose to keep/)]));
    const loan = h.sim.state().loans.find((l: any) => l.user_id === 'cli.keep');
    expect(loan).toMatchObject({ loan_status: 'ACTIVE' });

    const ended = await relinkCli(['cancel', workflowId, '--keep-loans'], env);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/has already ended/);
  });

  it('start --holding-address-limit must be at least the Lost deadline, checked before anything starts', async () => {
    const bad = await relinkCli(
      ['start', '--patron', 'cli.limit', '--barcode', '53000000003', '--holding-address-limit', '1 second'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/holding-address limit \(1 second\) is shorter than the Lost deadline \(3 seconds\)/);
    const malformed = await relinkCli(
      ['start', '--patron', 'cli.limit', '--barcode', '53000000003', '--holding-address-limit', 'soon'],
      env,
    );
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/must be a duration like "24 hours"/);
    expect(h.sim.state().users.find((u: any) => u.primary_id === 'cli.limit')).toBeDefined();
    expect(h.sim.state().loans.filter((l: any) => l.user_id === 'cli.limit')).toEqual([]);
  });

  it('cancel says when Alma refuses a return, and confirm-lost lets the relink try again once it is cleared', async () => {
    const before = userOf(h.sim.state(), 'cli.refused');
    // The relink's own retries an hour apart: here only the staff's confirm-lost makes it try the return again.
    const hourly = { ...env, RELINK_LOST_POLL_INITIAL: '1 hour', RELINK_LOST_POLL_MAX: '1 hour' };
    const { workflowId } = jsonOf(
      await relinkCli(['start', '--patron', 'cli.refused', '--barcode', '53000000004', '--json'], hourly),
    );
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'overdue', 60_000);
    h.sim.setFaults(refusingReturnsOf('53000000004'));
    const cancelled = await relinkCli(['cancel', workflowId], env);
    show('$ relink cancel (Alma refuses the return)', cancelled.stdout);
    expect(cancelled.code).toBe(1);
    expect(cancelled.stdout).toMatch(/Alma refused to return a loan: the holding address stays/);
    expect(cancelled.stdout).toMatch(/relink confirm-lost relink-cli\.refused/);
    expect(cancelled.stdout).toMatch(/--keep-loans --by <your name>/);
    const listed = await relinkCli(['list', '--awaiting', 'return-refused'], env);
    expect(listed.stdout).toContain(workflowId);
    // A second plain cancel is refused with what to do: the stop cannot be cancelled.
    const again = await relinkCli(['cancel', workflowId], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already stopping: Alma refused to return a loan/);
    // Still refused: confirm-lost says so, and the holding address stays.
    const stillRefused = await relinkCli(['confirm-lost', workflowId], env);
    show('$ relink confirm-lost (still refused)', stillRefused.stdout);
    expect(stillRefused.code).toBe(1);
    expect(stillRefused.stdout).toMatch(/Alma still refuses the return/);
    h.sim.setFaults({});
    const cleared = await relinkCli(['confirm-lost', workflowId], env);
    show('$ relink confirm-lost (cleared)', cleared.stdout + cleared.stderr);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toMatch(/no active loan left to return/);
    await h.temporal.client.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);
    expect(userOf(h.sim.state(), 'cli.refused')).toEqual(before);
    const loan = h.sim.state().loans.find((l: any) => l.user_id === 'cli.refused');
    expect(loan).toMatchObject({ loan_status: 'COMPLETE' });
  });
});
