// A relink stuck on a nondeterminism error is visible (issue 24): a worker upgraded to workflow code that cannot
// replay a running relink fails its workflow task on every attempt, and the relink stays RUNNING. The gauges count it
// (relink_stuck{cause="nondeterminism"}), `relink list` and the desk mark it, `relink doctor` names it; rolling the worker back
// (a worker with the release's code) moves it again, and all three let go of it. Test-only workflow modules stand in
// for the two releases (test/support/upgrade/): a timer, then an activity in its place.
import { Client, Connection } from '@temporalio/client';
import { connectClosable } from '../../src/temporal-client-connection';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { startAlmaSimulator, type AlmaSimulator } from '../../src/alma-sim';
import { DESK_MAP, fixturesWith, HOLDING_EMAIL } from '../../src/alma-sim/builders';
import { RelinkClient } from '../../src/client';
import { RelinkPatronId } from '../../src/contract';
import { memorySeenMarks } from '../../src/desk/seen-marks';
import { WaitingList } from '../../src/desk/pages/waiting';
import { runDoctorChecks } from '../../src/doctor/checks';
import { RelinkGauges } from '../../src/observability';
import { findStuckRelinks } from '../../src/stuck-relinks';
import { cleanEnv, relinkCli } from '../cli/run-cli';
import { ensureTestNamespace, installQuietRuntime, testServerAddress, uniqueTaskQueue } from '../support/temporal';
import { withRelease, type Release } from '../support/upgrade/releases';

/** A namespace of this test's own (ensureTestNamespace): its relink is stuck on purpose. */
const NAMESPACE = 'relink-stuck-test';

describe('a relink the worker cannot replay', () => {
  const taskQueue = uniqueTaskQueue('stuck');
  const workflowId = `relink-stuck.${taskQueue}`;
  let connection: Connection;
  let native: NativeConnection;
  let client: Client;
  let sim: AlmaSimulator;

  beforeAll(async () => {
    installQuietRuntime();
    connection = await connectClosable({ address: testServerAddress() });
    native = await NativeConnection.connect({ address: testServerAddress() });
    await ensureTestNamespace(connection, native, NAMESPACE);
    client = new Client({ connection, namespace: NAMESPACE });
    sim = await startAlmaSimulator({ fixtures: fixturesWith({}), port: 0 });
  });
  afterAll(async () => {
    await client?.workflow
      .getHandle(workflowId)
      .terminate('test over')
      .catch(() => undefined);
    await sim?.close();
    await native?.close();
    await connection?.close();
  });

  const withWorker = (release: Release, done: () => Promise<boolean>) =>
    withRelease(release, { connection: native, namespace: NAMESPACE, taskQueue }, done);

  const stuckNow = () => findStuckRelinks(connection.workflowService, NAMESPACE, [workflowId]);
  const doctorEnv = () =>
    cleanEnv({
      ALMA_BASE_URL: sim.url,
      ALMA_API_KEY: sim.apiKey,
      ALMA_DESK_MAP: DESK_MAP,
      RELINK_HOLDING_EMAIL: HOLDING_EMAIL,
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_NAMESPACE: NAMESPACE,
    });

  it('is counted, listed and named while it fails, and let go of once the worker is rolled back', async () => {
    const gauges = new RelinkGauges({
      connection,
      namespace: NAMESPACE,
      meter: Runtime.instance().metricMeter,
      intervalMs: 60_000,
    });
    const handle = await client.workflow.start('relinkLostLoans', {
      taskQueue,
      workflowId,
      typedSearchAttributes: [{ key: RelinkPatronId, value: 'stuck.patron' }],
    });
    const history = async () => (await handle.fetchHistory()).events ?? [];
    // The release before: its first task starts the timer.
    await withWorker('before', async () => (await history()).some((e) => e.timerStartedEventAttributes));
    expect(await stuckNow()).toEqual([]);
    // The upgrade: the timer fires, and the new code cannot replay the run.
    await withWorker('after', async () => (await stuckNow()).length > 0);
    const [stuck] = await stuckNow();
    expect(stuck).toMatchObject({ workflowId, cause: 'nondeterminism', attempts: expect.any(Number) });
    expect(stuck!.attempts).toBeGreaterThanOrEqual(2);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // The gauge, relink list (the command staff run) and relink doctor all see it.
    const figures = await gauges.refresh();
    expect(figures['stuck:nondeterminism']).toBe(1);
    const listed = await new RelinkClient(client, taskQueue).list();
    expect(listed.find((r) => r.workflowId === workflowId)?.stuck).toMatchObject({ cause: 'nondeterminism' });
    const list = await relinkCli(
      ['list'],
      cleanEnv({ TEMPORAL_ADDRESS: testServerAddress(), TEMPORAL_NAMESPACE: NAMESPACE }),
    );
    expect(list.code).toBe(0);
    const text = list.stdout.replace(/\s+/g, ' ');
    expect(text).toMatch(/RUNNING, STUCK/);
    expect(text).toContain(
      `${workflowId}: stuck: the worker cannot replay it (nondeterminism, after a worker upgrade); roll the worker back`,
    );
    // The desk's waiting list: a card marked stuck, first, with the same words and no action.
    const card = (await new WaitingList(new RelinkClient(client, taskQueue), memorySeenMarks()).cards()).find(
      (c) => c.workflowId === workflowId,
    );
    expect(card).toMatchObject({
      mark: 'stuck',
      actions: [],
      instructions: expect.stringMatching(/roll the worker back/),
    });
    const rows = await runDoctorChecks(doctorEnv());
    const row = rows.find((r) => r.check === 'stuck relinks' && r.detail.startsWith(workflowId));
    expect(row).toMatchObject({ area: 'temporal', status: 'problem' });
    expect(row!.detail).toMatch(/cannot replay it \(nondeterminism.*roll the worker back/);

    // Rolled back: a worker with the release's code replays the run, which moves again.
    await withWorker('before', async () => (await stuckNow()).length === 0);
    expect((await gauges.refresh())['stuck:nondeterminism']).toBe(0);
    const after = await runDoctorChecks(doctorEnv());
    expect(after.filter((r) => r.check === 'stuck relinks' && r.status === 'problem')).toEqual([]);
  });
});
