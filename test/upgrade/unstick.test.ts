// relink unstick, live on the dev server: a run started on one release (test/support/upgrade/before.ts: a timer)
// gets stuck on the next (after.ts: an activity in its place, no patch), as a relink of the release before 134653d is
// on today's worker. Without --yes the command says what it would do and changes nothing; with --yes it resets the
// run to the task the two releases part at, and the "after" worker runs it to its end.
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { connectClosable } from '../../src/temporal-client-connection';
import { temporal as proto } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { unstickCommand } from '../../src/cli/commands/unstick';
import { Output } from '../../src/cli/output';
import { runDoctorChecks } from '../../src/doctor/checks';
import { findStuckRelinks } from '../../src/stuck-relinks';
import { ensureTestNamespace, installQuietRuntime, testServerAddress, uniqueTaskQueue } from '../support/temporal';
import { releaseBundle, withRelease, type Release } from '../support/upgrade/releases';

/** The "after" release's activity, answered so the reset run can reach its end. */
const RELEASE_ACTIVITIES = { returnLoan: async () => 'returned' };
const { EventType, WorkflowTaskFailedCause } = proto.api.enums.v1;

/** Runs the command as `relink unstick <id> [--yes] --json` does, with the given release's code to replay. */
async function unstick(workflowId: string, yes: boolean, code: Awaited<ReturnType<typeof releaseBundle>>) {
  const { exit, stdout } = await unstickRun(workflowId, yes, code, true);
  return { exit, doc: JSON.parse(stdout) };
}

async function unstickRun(
  workflowId: string,
  yes: boolean,
  code: Awaited<ReturnType<typeof releaseBundle>>,
  json: boolean,
) {
  let stdout = '';
  const sink = new Writable({ write: (chunk, _enc, cb) => ((stdout += String(chunk)), cb()) });
  const out = new Output(json, { stdout: sink, stderr: sink });
  let exit: number;
  try {
    exit = await unstickCommand(workflowId, { yes }, out, { replayCode: { workflowBundle: code } });
  } catch (err) {
    out.error(err as never);
    exit = 1;
  }
  return { exit, stdout };
}

/** A namespace of this test's own (ensureTestNamespace): its relink is stuck on purpose. */
const NAMESPACE = 'relink-unstick-test';

describe('relink unstick', () => {
  const taskQueue = uniqueTaskQueue('unstick');
  const workflowId = `relink-unstick.${taskQueue}`;
  const savedEnv = { ...process.env };
  let connection: Connection;
  let native: NativeConnection;
  let client: Client;

  beforeAll(async () => {
    installQuietRuntime();
    connection = await connectClosable({ address: testServerAddress() });
    native = await NativeConnection.connect({ address: testServerAddress() });
    await ensureTestNamespace(connection, native, NAMESPACE);
    client = new Client({ connection, namespace: NAMESPACE });
    // The command's settings, as staff give them (a dev server on loopback: the development codec key).
    process.env.TEMPORAL_ADDRESS = testServerAddress();
    process.env.TEMPORAL_NAMESPACE = NAMESPACE;
  });
  afterAll(async () => {
    process.env = savedEnv;
    await client?.workflow
      .getHandle(workflowId)
      .terminate('test over')
      .catch(() => undefined);
    await native?.close();
    await connection?.close();
  });

  const withWorker = (release: Release, done: () => Promise<boolean>) =>
    withRelease(release, { connection: native, namespace: NAMESPACE, taskQueue, activities: RELEASE_ACTIVITIES }, done);
  const stuckNow = () => findStuckRelinks(connection.workflowService, NAMESPACE, [workflowId]);

  it('refuses a relink that is not stuck, then resets a stuck one and the current worker completes it', async () => {
    const after = await releaseBundle('after');
    const handle = await client.workflow.start('relinkLostLoans', { taskQueue, workflowId });
    const events = async () => (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    await withWorker('before', async () => (await events()).some((e) => e.timerStartedEventAttributes));
    // Running on its own release: not stuck, nothing to reset.
    const early = await unstick(workflowId, true, after);
    expect(early.exit).toBe(1);
    expect(early.doc.error).toMatchObject({ code: 'refused', message: expect.stringMatching(/is not stuck/) });

    await withWorker('after', async () => (await stuckNow()).length > 0);
    expect(await stuckNow()).toMatchObject([{ workflowId, cause: 'nondeterminism' }]);
    const rows = await runDoctorChecks({ TEMPORAL_ADDRESS: testServerAddress(), TEMPORAL_NAMESPACE: NAMESPACE });
    expect(rows.find((r) => r.check === 'stuck relinks' && r.detail.startsWith(workflowId))?.detail).toContain(
      `relink unstick ${workflowId}`,
    );
    const firstTask = Number(
      (await events()).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)!.eventId,
    );

    // Without --yes: what it found, and nothing changed.
    const dry = await unstick(workflowId, false, after);
    expect(dry.exit).toBe(0);
    expect(dry.doc).toMatchObject({
      workflowId,
      reset: false,
      resetTo: { eventId: firstTask, releaseDid: [{ text: 'started a timer' }] },
    });
    expect(dry.doc.resetTo.currentCode).toMatch(/timer|activity/i);
    const text = await unstickRun(workflowId, false, after, false);
    expect(text.stdout).toContain(`until the workflow task that completed at event ${firstTask}: in that task the`);
    expect(text.stdout).toContain(`Nothing was changed. To reset it: relink unstick ${workflowId} --yes`);
    expect(await stuckNow()).toHaveLength(1);

    // With --yes: reset to that task; the "after" worker runs it again and completes the run.
    const reset = await unstick(workflowId, true, after);
    expect(reset.exit).toBe(0);
    expect(reset.doc).toMatchObject({ reset: true, newRunId: expect.any(String), resetTo: { eventId: firstTask } });
    await withWorker('after', async () => (await handle.describe()).status.name !== 'RUNNING');
    expect(await client.workflow.getHandle(workflowId).result()).toBe('returned');
    expect(await stuckNow()).toEqual([]);
    // The new run says why: the reset's workflow task failure names the tool and the event.
    const failed = (await events()).find(
      (e) =>
        e.workflowTaskFailedEventAttributes?.cause ===
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
    );
    expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toMatch(
      new RegExp(`relink unstick: reset to workflow task ${firstTask}\\b`),
    );

    // Ended: refused.
    const late = await unstick(workflowId, true, after);
    expect(late.doc.error).toMatchObject({ code: 'refused', message: expect.stringMatching(/is not running/) });
  }, 120_000);
});
