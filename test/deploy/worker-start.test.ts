// What the worker does at start on a fresh cluster (register its search attributes), and the container health check
// that tells Compose the worker really polls.
import { msToTs } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { loadSettings } from '../../src/config';
import { workerHealth } from '../../src/health';
import { RELINK_SEARCH_ATTRIBUTES, ensureSearchAttributes } from '../../src/namespace-setup';
import { fixturesWith } from '../../src/alma-sim/builders';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { testServerAddress } from '../support/temporal';

const settings = (taskQueue: string) =>
  loadSettings(['temporal'], { TEMPORAL_ADDRESS: testServerAddress(), RELINK_TASK_QUEUE: taskQueue }, { dotenv: false })
    .temporal;

describe('registering the search attributes at worker start', () => {
  let connection: NativeConnection;
  const namespace = `relink-sa-${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: testServerAddress() });
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  });
  afterAll(async () => connection?.close());

  it('adds the missing ones to a fresh namespace, once', async () => {
    // A new namespace reaches the server's namespace cache within seconds.
    let added: string[] | undefined;
    const deadline = Date.now() + 60_000;
    while (!added) {
      try {
        added = await ensureSearchAttributes(connection, namespace);
      } catch (err) {
        if (Date.now() > deadline || !/not found|does not exist/i.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(added.sort()).toEqual(Object.keys(RELINK_SEARCH_ATTRIBUTES).sort());
    expect(await ensureSearchAttributes(connection, namespace)).toEqual([]);
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    expect(listed.customAttributes).toMatchObject(RELINK_SEARCH_ATTRIBUTES);
  });

  it('leaves the dev server namespace as it is (the attributes are there already)', async () => {
    expect(await ensureSearchAttributes(connection, 'default')).toEqual([]);
  });

  it('refuses an attribute of the same name but another type, saying what to do', async () => {
    const other = `${namespace}-clash`;
    await connection.workflowService.registerNamespace({
      namespace: other,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await connection.operatorService.addSearchAttributes({
          namespace: other,
          searchAttributes: { RelinkStep: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT },
        });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await expect(ensureSearchAttributes(connection, other)).rejects.toThrow(
      /RelinkStep is registered in namespace .* as TEXT, but the relink needs KEYWORD\. Remove it/,
    );
  });
});

describe('the worker container health check', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({}));
  });
  afterAll(async () => h?.close());

  it('is healthy while a worker on this host polls the task queue', async () => {
    // The harness worker has polled once it is running; give Temporal a moment to list it.
    let result = await workerHealth(settings(h.taskQueue));
    for (let i = 0; i < 20 && !result.healthy; i++) {
      await new Promise((r) => setTimeout(r, 250));
      result = await workerHealth(settings(h.taskQueue));
    }
    expect(result).toEqual({ healthy: true, reason: expect.stringContaining(h.taskQueue) });
  });

  it('is unhealthy when no worker of this host polls, and says so', async () => {
    expect(await workerHealth(settings('nobody-polls-this'))).toEqual({
      healthy: false,
      reason: expect.stringMatching(/no worker on .* polls task queue nobody-polls-this/),
    });
    expect((await workerHealth(settings(h.taskQueue), 'another-host')).healthy).toBe(false);
  });
});
