// A relink whose loan Alma refused, through the CLI (issue 26): relink status says which patron and barcode to loan at
// the desk and what to run; relink confirm-lost looks for the desk loan at once and says whether Alma shows it; relink
// review --abort gives up on the item. The simulator's science library lends only at its desks (an API-restricted
// loan policy), as a real tenant's may.
import { fixturesWith, item, patron, withLoanPolicy } from '../../src/alma-sim/builders';
import type { RelinkResult } from '../../src/contract';
import { startHarness, waitForProgress, type RelinkHarness } from '../support/relink-harness';
import { cliEnv, jsonOf, relinkCli } from './run-cli';

const show = (label: string, out: string) => {
  // For the staff guide: SHOW_CLI_OUTPUT=1 prints what staff see.
  if (process.env.SHOW_CLI_OUTPUT === '1') console.log(`${label}\n${out}`);
};

describe('relink and a loan Alma refuses to the API', () => {
  let h: RelinkHarness;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    const fixtures = fixturesWith({
      users: ['cli.desk', 'cli.giveup', 'cli.cancel'].map((id) => patron(id)),
      items: ['54000000001', '54000000002', '54000000003'].map((b) => item(b, { library: 'SCI' })),
    });
    const restricted = withLoanPolicy(fixtures, 'SCI', { api_restricted: true });
    h = await startHarness(restricted);
    // The production poll (a minute, growing): staff tell the relink rather than wait for its next look.
    env = cliEnv(h, { RELINK_LOST_POLL_INITIAL: '1 minute', RELINK_LOST_POLL_MAX: '15 minutes' });
  });
  afterAll(async () => h?.close());

  it('status names the desk loan to make; confirm-lost finds it once it is made', async () => {
    const { workflowId } = jsonOf(
      await relinkCli(['start', '--patron', 'cli.desk', '--barcode', '54000000001', '--json'], env),
    );
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'staff-loan');

    const status = await relinkCli(['status', workflowId], env);
    show('$ relink status', status.stdout);
    expect(status.stdout).toMatch(/Awaiting: {2}staff-loan \(Alma refused the relink's loan/);
    expect(status.stdout).toMatch(/patron cli\.desk, scan barcode 54000000001 to loan it/);
    expect(status.stdout).toMatch(/relink confirm-lost relink-cli\.desk\n/);
    expect(status.stdout).toMatch(/To give up on this item instead .*\n {4}relink review relink-cli\.desk --abort/);
    const listed = await relinkCli(['list', '--awaiting', 'staff-loan'], env);
    expect(listed.stdout).toContain(workflowId);

    const early = await relinkCli(['confirm-lost', workflowId], env);
    show('$ relink confirm-lost (before the desk loan)', early.stdout);
    expect(early.code).toBe(1);
    expect(early.stdout).toMatch(/Alma shows no loan of the item to the patron yet: loan it in Manage Patron Services/);

    h.sim.loanAtDesk('cli.desk', '54000000001');
    const found = await relinkCli(['confirm-lost', workflowId], env);
    show('$ relink confirm-lost (after the desk loan)', found.stdout);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/Alma shows the loan: the relink goes on/);
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
    await relinkCli(['cancel', workflowId], env);
  });

  it('review --abort gives up on the item, and the relink restores and ends', async () => {
    const { workflowId } = jsonOf(
      await relinkCli(['start', '--patron', 'cli.giveup', '--barcode', '54000000002', '--json'], env),
    );
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'staff-loan');
    const aborted = await relinkCli(['review', workflowId, '--abort', '--by', 'circ.lee'], env);
    show('$ relink review --abort', aborted.stdout);
    expect(aborted.code).toBe(0);
    expect(aborted.stdout).toMatch(/^Decision "abort" received; giving up on the desk loan\./);
    const result = (await h.temporal.client.workflow.getHandle(workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'aborted', emailRestored: true, emailVerified: true });
    expect(result.audit.map((a) => a.message)).toContainEqual(
      'Staff chose to give up on the desk loan of 54000000002 (circ.lee).',
    );
  });

  it('cancel while staff are asked for the desk loan says the item stays scanned in and not to loan it now', async () => {
    const { workflowId } = jsonOf(
      await relinkCli(['start', '--patron', 'cli.cancel', '--barcode', '54000000003', '--json'], env),
    );
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'staff-loan');
    const cancelled = await relinkCli(['cancel', workflowId], env);
    show('$ relink cancel (waiting for the desk loan)', cancelled.stdout);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/was cancelled\. The patron's email was restored and verified\./);
    expect(cancelled.stdout).toMatch(
      /\n {2}54000000003: scanned in and not loaned: do not loan it to the patron at the desk now/,
    );
  });
});
