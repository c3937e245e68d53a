// The Alma API key never leaves the Alma client: a relink run by a real worker process (`npm run worker`, logging at
// its default INFO level, through Alma errors and retries) leaves no trace of the key in the worker's output, the
// workflow history (as stored, and decrypted), or what the staff CLI prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAlmaSimulator, type AlmaSimulator } from '../../src/alma-sim';
import { RelinkClient } from '../../src/client';
import type { RelinkResult } from '../../src/contract';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { searchable, showHistory, staffDeclaresLost, type RelinkHarness } from '../support/relink-harness';
import { connectToTestServer, testServerAddress, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
const SECRET = `almakey-${randomBytes(12).toString('hex')}`;
const PATRON = 'secret.one';
const BARCODE = '47300000001';

/** Settings for a child process, free of the developer's own TEMPORAL_, RELINK_ and ALMA_ settings. */
function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|RELINK_|ALMA_)/.test(k)));
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the Alma API key', () => {
  // An empty working directory: no .env of the developer's reaches the child processes.
  const cwd = mkdtempSync(path.join(tmpdir(), 'relink-secrets-'));
  const taskQueue = uniqueTaskQueue('secrets');
  let temporal: TemporalTestContext;
  let sim: AlmaSimulator;
  let relinks: RelinkClient;
  let worker: ChildProcess;
  let workerOutput = '';
  let workflowId: string;

  beforeAll(async () => {
    temporal = await connectToTestServer();
    sim = await startAlmaSimulator({
      fixtures: fixturesWith({ users: [patron(PATRON)], items: [item(BARCODE)] }),
      apiKey: SECRET,
      log: () => undefined,
    });
    // Alma has a bad moment reading the patron: enough 500s that the client's own retries run out and an activity
    // attempt fails, so the worker logs an Alma error and Temporal records a failed attempt.
    sim.setFaults({ rules: [{ method: 'GET', path: `/users/${PATRON}\\?`, action: 'error', status: 500, times: 4 }] });
    relinks = new RelinkClient(temporal.client, taskQueue);

    worker = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'src', 'worker.ts')], {
      cwd,
      env: childEnv({
        TEMPORAL_ADDRESS: testServerAddress(),
        RELINK_TASK_QUEUE: taskQueue,
        ALMA_BASE_URL: sim.url,
        ALMA_API_KEY: SECRET,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d: Buffer) => (workerOutput += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (workerOutput += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!workerOutput.includes('Relink worker polling')) {
      if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode}:\n${workerOutput}`);
      if (Date.now() > deadline) throw new Error(`the worker did not start within 90 s:\n${workerOutput}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    workflowId = (await relinks.start(relinkInput(PATRON, [BARCODE]))).workflowId;
    await staffDeclaresLost({ relinks, sim } as RelinkHarness, workflowId);
    const result = (await temporal.client.workflow.getHandle(workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
  }, 180_000);

  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    await sim?.close();
    await temporal?.close();
  });

  it('was really used, and really failed a call: the test would see a leak', () => {
    const calls = sim.calls();
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.filter((c) => c.status === 500).length).toBeGreaterThanOrEqual(3);
    expect(workerOutput).toMatch(/polling task queue/);
    expect(workerOutput).toMatch(/Activity failed|fail/i); // the failed attempt was logged
  });

  it('is in none of the worker output', () => {
    expect(workerOutput).not.toContain(SECRET);
  });

  it('is in no part of the workflow history, stored or decrypted', async () => {
    const stored = await showHistory(workflowId);
    const decrypted = await showHistory(workflowId, { decrypt: true });
    expect(decrypted).toContain(PATRON);
    // Payload data in the export is base64: searchable() decodes it, so a clear payload would be found too.
    for (const history of [stored, decrypted]) expect(searchable(history)).not.toContain(SECRET);
  });

  it('is in nothing the staff CLI prints', async () => {
    const env = childEnv({ TEMPORAL_ADDRESS: testServerAddress(), RELINK_TASK_QUEUE: taskQueue });
    const bin = path.join(ROOT, 'bin', 'relink.js');
    for (const args of [
      ['status', workflowId],
      ['status', workflowId, '--json'],
      ['list', '--all'],
    ]) {
      const { code, output } = await run([bin, ...args], env, cwd);
      expect({ args, code, output }).toEqual({ args, code: 0, output: expect.any(String) });
      expect(output).not.toContain(SECRET);
    }
    const { output } = await run([bin, 'status', workflowId], env, cwd);
    expect(output).toMatch(/completed/i); // the CLI decrypted the result it reports
  });
});
