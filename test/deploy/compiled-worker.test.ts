// The production layout: `npm run build`, then the worker as the Docker image runs it (`node <WORKER_NODE_FLAGS>
// dist/src/worker.js` with WORKER_ENV): compiled JavaScript, the prebuilt workflow bundle, the heap limits. It must
// relink a patron end to end, exactly as the TypeScript worker of the other tests does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { Client } from '@temporalio/client';
import { startAlmaSimulator, type AlmaSimulator } from '../../src/alma-sim';
import { RelinkClient } from '../../src/client';
import { clientDataConverter, generateKeyEntry } from '../../src/codec';
import { PROJECT_ROOT } from '../../src/project-root';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../src/worker';
import type { RelinkResult } from '../../src/workflows/types';
import {
  fixturesWith,
  HOLDING_EMAIL,
  item,
  ownAddresses,
  patron,
  relinkInput,
  staffDeclaresLost,
  userOf,
  type RelinkHarness,
} from '../support/relink-harness';
import { connectToTestServer, testServerAddress, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal';

describe('the compiled worker with its prebuilt workflow bundle (npm run build, as the image runs it)', () => {
  let temporal: TemporalTestContext;
  let sim: AlmaSimulator;
  let relinks: RelinkClient;
  let child: ChildProcess | undefined;
  let startLine = '';
  const output: string[] = [];

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);

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
    child = spawn(process.execPath, [...WORKER_NODE_FLAGS, path.join('dist', 'src', 'worker.js')], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ...WORKER_ENV,
        TEMPORAL_ADDRESS: testServerAddress(),
        RELINK_TASK_QUEUE: taskQueue,
        RELINK_REGISTER_SEARCH_ATTRIBUTES: 'false',
        ALMA_BASE_URL: sim.url,
        ALMA_API_KEY: sim.apiKey,
        ALMA_RATE_LIMIT: '100',
        ALMA_MIN_DAILY_REMAINING: '0',
        RELINK_CODEC_KEYS: codecKeys,
      },
    });
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    await new Promise<void>((resolve, reject) => {
      readline.createInterface({ input: child!.stderr! }).on('line', (line) => {
        output.push(line);
        if (line.startsWith('Relink worker polling')) {
          startLine = line;
          resolve();
        }
      });
      child!.once('exit', (code) => reject(new Error(`the worker exited (${code}):\n${output.join('\n')}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await sim?.close();
    await temporal?.close();
  });

  it('loads the bundle the build wrote instead of bundling at start, under the heap limit it was given', () => {
    expect(startLine).toContain(`workflows from ${path.join(PROJECT_ROOT, 'dist', 'src', 'workflows.bundle.js')}`);
    const heapMb = Number(/heap limit (\d+) MB/.exec(startLine)?.[1]);
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
