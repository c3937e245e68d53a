import { Worker } from '@temporalio/worker';
import { connectToTestServer, TemporalTestContext, uniqueTaskQueue } from './support/temporal';
import { echoWorkflow, release } from './support/echo-workflow';

describe('the Temporal dev server started for the test run', () => {
  let temporal: TemporalTestContext;
  beforeAll(async () => {
    temporal = await connectToTestServer();
  });
  afterAll(async () => {
    await temporal?.close();
  });

  it('has the relink search attributes registered with their types', async () => {
    const { customAttributes: keys } = await temporal.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(keys?.RelinkPatronId).toBeDefined();
    expect(keys?.RelinkBarcodes).toBeDefined();
    expect(keys?.RelinkStep).toBeDefined();
    expect(keys?.RelinkAwaiting).toBeDefined();
  });

  it('runs a workflow that waits durably for a signal and is found by a search attribute', async () => {
    const taskQueue = uniqueTaskQueue('foundation');
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./support/echo-workflow'),
      // The test client encrypts payloads (the codec): the worker must decrypt them.
      dataConverter: temporal.dataConverter,
    });
    const patronId = `patron-${taskQueue}`;
    const result = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start(echoWorkflow, {
        taskQueue,
        workflowId: `echo-${taskQueue}`,
        args: [patronId],
      });
      // The visibility store is eventually consistent: poll until the search attribute is indexed.
      let found = 0;
      for (let i = 0; i < 50 && found === 0; i++) {
        for await (const _ of temporal.client.workflow.list({
          query: `RelinkPatronId = '${patronId}' AND RelinkAwaiting = 'release'`,
        })) {
          found++;
        }
        if (found === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(found).toBe(1);
      await handle.signal(release);
      return handle.result();
    });
    expect(result).toBe(`hello ${patronId}`);
  });
});
