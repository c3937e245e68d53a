// The production layout: `npm run build`, then the worker as the Docker image runs it (`node <WORKER_NODE_FLAGS>
// dist/src/worker.js` with WORKER_ENV), started by the benchmark's own launcher: compiled JavaScript, the prebuilt
// workflow bundle, the heap limits. It must relink a patron end to end, as the TypeScript worker of the other tests.
import path from 'node:path';
import { Client } from '@temporalio/client';
import { startAlmaSimulator, type AlmaSimulator } from '../../src/alma-sim';
import { RelinkClient } from '../../src/client';
import { clientDataConverter, generateKeyEntry } from '../../src/codec';
import { buildWorker, startWorkerProcess, type WorkerProcess } from '../../bench/worker-process';
import { PROJECT_ROOT } from '../../src/project-root';
import type { RelinkResult } from '../../src/contract';
import { fixturesWith, HOLDING_EMAIL, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { ownAddresses, staffDeclaresLost, userOf, type RelinkHarness } from '../support/relink-harness';
import { connectToTestServer, testServerAddress, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal';

describe('the compiled worker with its prebuilt workflow bundle (npm run build, as the image runs it)', () => {
  let temporal: TemporalTestContext;
  let sim: AlmaSimulator;
  let relinks: RelinkClient;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    buildWorker(() => undefined);

    temporal = await connectToTestServer();
    sim = await startAlmaSimulator({
      fixtures: fixturesWith({ users: [patron('built.one')], items: [item('42000000001')] }),
      port: 0,
    });
    const taskQueue = uniqueTaskQueue('compiled');
    // Its own payload key, given as an operator gives it: the client below must read what the worker writes.
    const codecKeys = generateKeyEntry('built');
    relinks = new RelinkClient(
      new Client({
        connection: temporal.connection,
        dataConverter: clientDataConverter(testServerAddress(), { RELINK_CODEC_KEYS: codecKeys }),
      }),
      taskQueue,
    );
    // Started exactly as the benchmark starts it: the image's node flags and environment (bench/worker-process.ts).
    worker = await startWorkerProcess({
      mode: 'compiled',
      temporalAddress: testServerAddress(),
      taskQueue,
      almaBaseUrl: sim.url,
      almaApiKey: sim.apiKey,
      rateLimit: 100,
      codecKeys,
      log: () => undefined,
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await sim?.close();
    await temporal?.close();
  });

  it('loads the bundle the build wrote instead of bundling at start, under the heap limit it was given', () => {
    expect(worker!.startLine).toContain(
      `workflows from ${path.join(PROJECT_ROOT, 'dist', 'src', 'workflows.bundle.js')}`,
    );
    const heapMb = Number(/heap limit (\d+) MB/.exec(worker!.startLine)?.[1]);
    // --max-old-space-size plus the young generation: far below the few GB V8 picks on its own.
    expect(heapMb).toBeGreaterThanOrEqual(128);
    expect(heapMb).toBeLessThan(200);
  });

  it('relinks a patron end to end: loaned, declared lost, email restored, no letter to the patron', async () => {
    const before = userOf(await sim.state(), 'built.one');
    const started = await relinks.start(relinkInput('built.one', ['42000000001']));
    await staffDeclaresLost({ relinks, sim } as unknown as RelinkHarness, started.workflowId);
    const result = (await relinks.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    const state = await sim.state();
    expect(userOf(state, 'built.one')).toEqual(before);
    const notices = await sim.notices();
    expect(notices.length).toBeGreaterThan(0);
    for (const n of notices) expect(ownAddresses(before)).not.toContain(n.address);
    expect(notices.every((n) => n.address === HOLDING_EMAIL)).toBe(true);
  }, 60_000);
});
