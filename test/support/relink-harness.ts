// Everything a relink test needs: the real dev server (from jest's globalSetup), a real Alma simulator on
// loopback, a real Alma client and a relink worker. Each test builds its own Alma state and patron with the
// simulator's builders (src/alma-sim/builders.ts) and starts it with relinkInput (src/dev/relink-input.ts).
import path from 'node:path';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { AlmaClient, type AlmaClientOptions } from '../../src/alma';
import { itemIds } from '../../src/alma-sim/builders';
import { startAlmaSimulator, type AlmaSimulator, type AlmaSimulatorOptions, type Fixtures } from '../../src/alma-sim';
import { RelinkClient } from '../../src/client';
import { EncryptionCodec, devKeyRing, failureConverterPath, startCodecServer } from '../../src/codec';
import { createRelinkWorker, type RelinkWorkerOptions } from '../../src/worker';
import type { RelinkProgress } from '../../src/contract';
import { connectToTestServer, testServerAddress, uniqueTaskQueue, type TemporalTestContext } from './temporal';

type AnyRecord = Record<string, any>;

let bundlePromise: ReturnType<typeof bundleWorkflowCode> | undefined;
/** One workflow bundle per test file: bundling takes a couple of seconds. */
export function workflowBundle() {
  // The failure converter is bundled too: workflow-raised failure messages are encrypted like activity ones.
  bundlePromise ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    failureConverterPath,
    logger: quietLogger,
  });
  return bundlePromise;
}
const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

export interface RelinkHarness {
  temporal: TemporalTestContext;
  sim: AlmaSimulator;
  alma: AlmaClient;
  relinks: RelinkClient;
  taskQueue: string;
  worker: Worker;
  workerRun: Promise<void>;
  close(): Promise<void>;
}

/**
 * `address`: a dev server of the test's own (the Web UI test); default the one jest's globalSetup started. `sim`: the
 * simulator's institution settings (Lost letter, fee, process status). The simulator runs strict: a query parameter
 * the OpenAPI does not declare fails the test. `alma`: the client's settings where a test needs a worker's own (e.g. its
 * default rate); `worker`: the worker's institution settings (ALMA_LOST_PROCESS_STATUS).
 */
export async function startHarness(
  fixtures: Fixtures,
  {
    address,
    namespace,
    sim: simOptions = {},
    alma: almaOptions = {},
    worker: workerOptions = {},
  }: {
    address?: string;
    /** A namespace of the test's own (made if missing): for a test that lists relinks. Default: 'default'. */
    namespace?: string;
    sim?: Partial<AlmaSimulatorOptions>;
    alma?: Partial<AlmaClientOptions>;
    worker?: Pick<RelinkWorkerOptions, 'lostProcessStatus'>;
  } = {},
): Promise<RelinkHarness> {
  const temporal = await connectToTestServer(address, namespace);
  const sim = await startAlmaSimulator({ fixtures, port: 0, strictParams: true, ...simOptions });
  // The production quota floor (ALMA_MIN_DAILY_REMAINING's default): the simulator's budget (1,000,000) is far above it.
  const alma = new AlmaClient({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    requestsPerSecond: 200,
    timeoutMs: 5_000,
    minDailyRemaining: 5000,
    ...almaOptions,
  });
  const taskQueue = uniqueTaskQueue('relink');
  const worker = await createRelinkWorker({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    alma,
    dataConverter: temporal.dataConverter,
    workflowBundle: await workflowBundle(),
    ...workerOptions,
  });
  const workerRun = worker.run();
  const relinks = new RelinkClient(temporal.client, taskQueue);
  const harness: RelinkHarness = {
    temporal,
    sim,
    alma,
    relinks,
    taskQueue,
    worker,
    workerRun,
    // The worker in the harness at the end: a test may have replaced a stopped one (a worker restart).
    async close() {
      harness.worker.shutdown();
      await harness.workerRun;
      await sim.close();
      await temporal.close();
    },
  };
  return harness;
}

/** Polls the relink's progress until `predicate` holds. */
/** Faults under which Alma refuses every scan-in of the barcode (402502), so a give-up's return is refused. */
export const refusingReturnsOf = (barcode: string) => ({
  rules: [
    {
      method: 'POST',
      path: `/items/${itemIds(barcode).itemPid}\\?.*op=scan`,
      action: 'error' as const,
      status: 400,
      errorCode: '402502',
      errorMessage: 'Scan in of item failed.',
      times: 10_000,
    },
  ],
});

export async function waitForProgress(
  h: RelinkHarness,
  workflowId: string,
  predicate: (p: RelinkProgress) => boolean,
  timeoutMs = 30_000,
): Promise<RelinkProgress> {
  const deadline = Date.now() + timeoutMs;
  let last: RelinkProgress | undefined;
  while (Date.now() < deadline) {
    try {
      last = await h.relinks.progress(workflowId);
      if (predicate(last)) return last;
    } catch {
      // not started yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `Timed out waiting for ${workflowId}; last progress: ${JSON.stringify(last?.step)} ${JSON.stringify(last?.awaiting)} ${JSON.stringify(last?.audit.slice(-3))}`,
  );
}

/** The staff member's "Lost" click in Manage Patron Services, on every loan the relink awaits. */
export async function staffDeclaresLost(h: RelinkHarness, workflowId: string): Promise<void> {
  const progress = await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration');
  for (const i of progress.items) {
    if (i.loanId && !i.lostConfirmed) await h.sim.declareLost(i.loanId);
  }
  await h.relinks.confirmLost(workflowId);
}

// --- invariants checked after every run ------------------------------------------------------------------------

/** The patron's own addresses: every email and phone they had before the relink. */
/** No letter reached any of the patron's own addresses (read from the record `before` the relink). */
export function expectNothingReachedThePatron(h: RelinkHarness, patronId: string, before: AnyRecord): void {
  const own = new Set(ownAddresses(before));
  const theirs = h.sim.notices().filter((n) => n.user_id === patronId && n.address && own.has(n.address));
  expect(theirs).toEqual([]);
}

export function ownAddresses(user: AnyRecord): string[] {
  return [
    ...(user.contact_info?.email ?? []).map((e: AnyRecord) => e.email_address),
    ...(user.contact_info?.phone ?? []).map((p: AnyRecord) => p.phone_number),
  ].filter(Boolean);
}

export function userOf(state: AnyRecord, patronId: string): AnyRecord {
  const user = state.users.find((u: AnyRecord) => u.primary_id === patronId);
  if (!user) throw new Error(`patron ${patronId} is not in the simulator`);
  return user;
}

/** Alma writes (anything but GET) the simulator received. */
export function writesIn(calls: Array<{ method: string; path: string }>): Array<{ method: string; path: string }> {
  return calls.filter((c) => c.method !== 'GET');
}

/** The export's text plus every base64 string in it decoded, so a clear payload in base64 is found too. */
export function searchable(exported: string): string {
  const parts = [exported];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && v.length >= 8 && /^[A-Za-z0-9+/]+={0,2}$/.test(v)) {
      parts.push(Buffer.from(v, 'base64').toString('latin1'));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(exported));
  return parts.join('\n');
}

/**
 * The run's event history as `temporal workflow show --output json` prints it: what the Temporal server stores (the
 * payloads encrypted), or with `decrypt` as an admin with the codec server sees it.
 */
export async function showHistory(
  workflowId: string,
  {
    decrypt = false,
    address = testServerAddress(),
    namespace,
  }: { decrypt?: boolean; address?: string; namespace?: string } = {},
): Promise<string> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { findTemporalCli } = await import('../../src/dev/temporal-cli');
  const cli = await findTemporalCli();
  if (cli.kind !== 'path') throw new Error('exporting a history needs a temporal binary');
  const codec = decrypt
    ? await startCodecServer({ codec: new EncryptionCodec(devKeyRing()), allowedOrigins: [] })
    : undefined;
  try {
    // Asynchronously: the codec server answering the CLI lives in this very process.
    const args = ['workflow', 'show', '-w', workflowId, '--output', 'json', '--address', address];
    if (codec) args.push('--codec-endpoint', codec.url);
    if (namespace) args.push('--namespace', namespace);
    const { stdout } = await promisify(execFile)(cli.path, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } finally {
    await codec?.close();
  }
}

/**
 * With RECORD_HISTORIES=1, saves the run's event history under test/histories/ for the replay test, which proves
 * that later changes to the workflow code still replay the runs that exist in production. Decrypted, so a committed
 * history replays without this checkout's development key; in the proto3 JSON form Worker.runReplayHistory reads.
 */
export async function recordHistory(h: RelinkHarness, workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const { writeFileSync } = await import('node:fs');
  const { namespace } = h.temporal;
  const history = JSON.parse(await showHistory(workflowId, { decrypt: true, namespace })) as unknown;
  writeFileSync(path.join(__dirname, '..', 'histories', `${name}.json`), JSON.stringify({ workflowId, history }));
}
