// A record the relink could not put back exactly, and a swap that never reached the record. Two preferred emails (a
// SIS load or a migration can leave them) are refused before any write, at the start or when the swap re-reads the
// record; a swap Alma refuses leaves the record as it was. In each case the end writes nothing to the patron's record
// and the audit, the failure and the CLI say the record was never changed, not "restored and verified".
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { email, fixturesWith, holdRequest, item, patron } from '../../src/alma-sim/builders';
import { statusText } from '../../src/cli/format';
import { statusView } from '../../src/cli/view';
import { relinkInput } from '../../src/dev/relink-input';
import type { RelinkProgress } from '../../src/contract';
import {
  recordHistory,
  startHarness,
  userOf,
  waitForProgress,
  writesIn,
  type RelinkHarness,
} from '../support/relink-harness';

type Contact = { email: any[]; phone: any[] };

describe('a record the plan cannot honour, and a swap never applied', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [
          patron('plan.two', {
            emails: [email('plan.two@example.edu'), email('plan.two.old@example.edu', { type: 'work' })],
          }),
          patron('plan.later', {
            emails: [email('plan.later@example.edu'), email('plan.later.old@example.edu', { preferred: false })],
          }),
          patron('plan.refused'),
          patron('plan.queue'),
        ],
        items: [item('49000000001'), item('49000000002'), item('49000000003')],
        requests: [holdRequest('8490000000002', 'plan.queue', '49000000002')],
      }),
    );
  });
  afterAll(async () => h?.close());

  /** The relink's end: its failure (each case here fails) and its audit, from the progress a worker still answers. */
  async function failedWith(workflowId: string): Promise<{ failure: ApplicationFailure; progress: RelinkProgress }> {
    const err = await h.temporal.client.workflow
      .getHandle(workflowId)
      .result()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
    return { failure, progress: await h.relinks.progress(workflowId) };
  }
  const userPuts = (calls: Array<{ method: string; path: string }>, patronId: string) =>
    writesIn(calls).filter((c) => c.path.startsWith(`/almaws/v1/users/${patronId}`));
  const emailLine = async (workflowId: string) =>
    /Email: +(.*)/.exec(statusText(await statusView(h.relinks, workflowId)))?.[1];

  it('refuses two preferred emails before any write, naming no address', async () => {
    const before = userOf(h.sim.state(), 'plan.two');
    const from = h.sim.calls().length;
    const started = await h.relinks.start(relinkInput('plan.two', ['49000000001']));
    const { failure, progress } = await failedWith(started.workflowId);

    expect(writesIn(h.sim.calls().slice(from))).toEqual([]);
    expect(userOf(h.sim.state(), 'plan.two')).toEqual(before);
    expect(failure.type).toBe('SeveralPreferredEmails');
    expect(failure.message).toMatch(/^Patron plan\.two's record has 2 preferred emails \(types personal, work\); /);
    expect(failure.message).not.toMatch(/@/);
    expect(progress.audit.map((a) => a.message).join('\n')).not.toMatch(/restored|verified/);
    expect(await emailLine(started.workflowId)).toBe('never changed');
  });

  it('a second preferred email made during the request review: refused when the swap reads the record again', async () => {
    const started = await h.relinks.start(relinkInput('plan.later', ['49000000002']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    // A SIS load while the relink waits: the patron's old address is preferred again, beside their own.
    const user = await h.alma.getUser('plan.later');
    for (const e of (user.contact_info as Contact).email) e.preferred = true;
    await h.alma.updateUser('plan.later', user);
    const edited = userOf(h.sim.state(), 'plan.later');
    const from = h.sim.calls().length;
    await h.alma.cancelRequest('plan.queue', '8490000000002', {
      reason: 'CancelledAtPatronRequest',
      notifyUser: false,
    });
    await h.relinks.review(started.workflowId, { decision: 'proceed' });
    const { failure, progress } = await failedWith(started.workflowId);

    expect(userPuts(h.sim.calls().slice(from), 'plan.later')).toEqual([]);
    expect(userOf(h.sim.state(), 'plan.later')).toEqual(edited);
    expect(failure.type).toBe('SeveralPreferredEmails');
    expect(failure.message).toMatch(/^Patron plan\.later's record has 2 preferred emails/);
    expect(progress.audit.map((a) => a.message).join('\n')).not.toMatch(/restored|verified/);
    expect(await emailLine(started.workflowId)).toBe('never changed');
  });

  it('a swap Alma refuses: the end writes nothing and says the record was never changed', async () => {
    const before = userOf(h.sim.state(), 'plan.refused');
    const from = h.sim.calls().length;
    h.sim.setFaults({
      rules: [
        {
          method: 'PUT',
          path: '/users/plan\\.refused',
          action: 'error',
          status: 400,
          errorCode: '401864',
          errorMessage: 'Given email type (work) is invalid.',
        },
      ],
    });
    const started = await h.relinks.start(relinkInput('plan.refused', ['49000000003']));
    const { failure, progress } = await failedWith(started.workflowId);
    h.sim.setFaults({});

    expect(failure.type).toBe('AlmaRejected');
    expect(failure.message).toMatch(/The patron's email and SMS settings were never changed\.$/);
    expect(userPuts(h.sim.calls().slice(from), 'plan.refused')).toHaveLength(1); // the refused swap, nothing after
    expect(userOf(h.sim.state(), 'plan.refused')).toEqual(before);
    expect(progress.contact).toMatchObject({ swapped: false, restored: false });
    expect(progress.audit.map((a) => a.message)).toContain(
      "The patron's email and SMS settings were never changed (the swap was not applied): nothing written.",
    );
    expect(await emailLine(started.workflowId)).toBe('never changed');
    await recordHistory(h, started.workflowId, 'failed-swap-refused-never-changed');
  });
});
