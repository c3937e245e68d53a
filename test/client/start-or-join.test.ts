// RelinkClient.start: start or join in one update-with-start call, against the real dev server, a relink worker and
// the Alma simulator; and a relink in its closing phase (the restore held back by a simulator delay).
import { WorkflowFailedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { RelinkClient, RelinkClientError } from '../../src/client';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { startHarness, userOf, waitForProgress, type RelinkHarness } from '../support/relink-harness';

describe('RelinkClient.start: start or join', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: ['cl.join', 'cl.after', 'cl.closing', 'cl.slow'].map((id) => patron(id)),
        items: [1, 2, 3, 4, 5, 6, 7, 8].map((n) => item(`6200000000${n}`)),
      }),
    );
  });
  afterAll(async () => h?.close());

  /** Cancels the run and waits until it has ended (restore included). */
  async function cancelled(workflowId: string, runId?: string): Promise<void> {
    await h.relinks.cancel(workflowId);
    await expect(h.temporal.client.workflow.getHandle(workflowId, runId).result()).rejects.toThrow(WorkflowFailedError);
  }

  /** The relink is cancelled and its restore of the patron's email is held in Alma for `delayMs`: it is closing. */
  async function closingWithRestoreHeld(patronId: string, barcode: string, delayMs: number) {
    const first = await h.relinks.start(relinkInput(patronId, [barcode]));
    await waitForProgress(h, first.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.setFaults({
      rules: [{ method: 'PUT', path: `users/${patronId.replace(/\./g, '\\.')}$`, action: 'delay', delayMs }],
    });
    await h.relinks.cancel(first.workflowId);
    await waitForProgress(h, first.workflowId, (p) => p.step === 'restore');
    return first;
  }

  it('a second start for the same patron joins the running relink with the new barcode', async () => {
    const first = await h.relinks.start(relinkInput('cl.join', ['62000000001']));
    expect(first).toMatchObject({ workflowId: 'relink-cl.join', joined: false, added: ['62000000001'] });
    expect(first.runId).toEqual(expect.any(String));

    const second = await h.relinks.start(relinkInput('cl.join', ['62000000001', '62000000002']));
    expect(second).toEqual({
      workflowId: 'relink-cl.join',
      patronId: 'cl.join',
      runId: first.runId,
      joined: true,
      added: ['62000000002'],
      alreadyPresent: ['62000000001'],
    });
    const progress = await waitForProgress(
      h,
      first.workflowId,
      (p) => p.items.length === 2 && p.awaiting === 'lost-declaration',
    );
    expect(progress.items.map((i) => i.barcode)).toEqual(['62000000001', '62000000002']);
    await cancelled(first.workflowId);
  });

  it('a start right after the previous relink of the patron closed starts a fresh run', async () => {
    const first = await h.relinks.start(relinkInput('cl.after', ['62000000003']));
    await waitForProgress(h, first.workflowId, (p) => p.awaiting === 'lost-declaration');
    await cancelled(first.workflowId, first.runId);

    const second = await h.relinks.start(relinkInput('cl.after', ['62000000004']));
    expect(second).toMatchObject({ joined: false, added: ['62000000004'], alreadyPresent: [] });
    expect(second.runId).not.toBe(first.runId);
    const progress = await waitForProgress(h, second.workflowId, (p) => p.awaiting === 'lost-declaration');
    expect(progress.items.map((i) => i.barcode)).toEqual(['62000000004']);
    await cancelled(second.workflowId);
  });

  it('a start that meets the relink restoring the email waits for it to end, then starts a fresh run', async () => {
    const before = userOf(h.sim.state(), 'cl.closing');
    const first = await closingWithRestoreHeld('cl.closing', '62000000005', 3_000);

    const sent = Date.now();
    const second = await h.relinks.start(relinkInput('cl.closing', ['62000000006']));
    expect(second).toMatchObject({ joined: false, added: ['62000000006'], alreadyPresent: [] });
    expect(second.runId).not.toBe(first.runId);
    // The first run was still open when the start was sent: it refused the join, and the start waited for its end.
    const ended = await h.temporal.client.workflow.getHandle(first.workflowId, first.runId).describe();
    expect(ended.status.name).toBe('CANCELLED');
    expect(ended.closeTime!.getTime()).toBeGreaterThan(sent);
    const progress = await waitForProgress(h, second.workflowId, (p) => p.awaiting === 'lost-declaration');
    expect(progress.items.map((i) => i.barcode)).toEqual(['62000000006']);
    await cancelled(second.workflowId);
    expect(userOf(h.sim.state(), 'cl.closing')).toEqual(before);
  });

  it('refuses, saying so, when the closing relink does not end within the wait', async () => {
    const first = await closingWithRestoreHeld('cl.slow', '62000000007', 3_500);
    const impatient = new RelinkClient(h.temporal.client, h.taskQueue, undefined, { closingWaitMs: 1_000 });
    const refused = await impatient.start(relinkInput('cl.slow', ['62000000008'])).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(RelinkClientError);
    expect(refused).toMatchObject({
      kind: 'refused',
      message:
        "Patron cl.slow's relink, relink-cl.slow, did not take these barcodes: it is finishing, and still was after " +
        '1 second. Start them again once it has ended.',
    });
    await expect(h.temporal.client.workflow.getHandle(first.workflowId).result()).rejects.toThrow(WorkflowFailedError);
  });

  it('reports a run that fails on its input as started, as any start (the run ends before answering)', async () => {
    const started = await h.relinks.start(relinkInput('cl.nobody', ['62000000001'], { holdingEmail: 'not-an-email' }));
    expect(started).toMatchObject({ workflowId: 'relink-cl.nobody', joined: false, added: ['62000000001'] });
    const status = await h.relinks.status(started.workflowId);
    expect(status).toMatchObject({ status: 'FAILED', failure: { type: 'InvalidInput' } });
  });
});

describe('RelinkClient.start against a relink that keeps closing (stubbed Temporal client)', () => {
  it('waits once, tries once more, then refuses and says so', async () => {
    const closing = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.nonRetryable(
        'relink-p.1 is finishing (step restore); start a new relink afterwards.',
        'RelinkClosing',
      ),
    );
    const attempts: string[] = [];
    const waitedFor: Array<string | undefined> = [];
    const client = {
      options: { namespace: 'default' },
      connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
      workflow: {
        // The lookup of the patron's primary_id (resolvePatron) answers the id as given.
        execute: async () => ({ primaryId: 'p.1' }),
        startUpdateWithStart: async () => {
          attempts.push(`run-${attempts.length + 1}`);
          const workflowRunId = attempts.at(-1);
          return { workflowRunId, result: () => Promise.reject(closing) };
        },
        getHandle: (_workflowId: string, runId?: string) => ({
          result: async () => void waitedFor.push(runId),
        }),
      },
    } as unknown as Client;

    const refused = await new RelinkClient(client, 'q')
      .start(relinkInput('p.1', ['62000000001']))
      .catch((err: unknown) => err);
    expect(refused).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(
        /relink-p\.1, did not take these barcodes: it is finishing, and still was after one wait/,
      ),
    });
    expect(attempts).toEqual(['run-1', 'run-2']);
    expect(waitedFor).toEqual(['run-1']);
  });
});
