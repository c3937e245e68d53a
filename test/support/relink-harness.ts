// Everything a relink test needs: the real dev server (from jest's globalSetup), a real Alma simulator on
// loopback, a real Alma client and a relink worker. Each test builds its own Alma state and patron.
import path from 'node:path';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { AlmaClient } from '../../src/alma';
import { startAlmaSimulator, type AlmaSimulator, type Fixtures } from '../../src/alma-sim';
import { RelinkClient } from '../../src/client';
import { EncryptionCodec, devKeyRing, failureConverterPath, startCodecServer } from '../../src/codec';
import { createRelinkWorker } from '../../src/worker';
import type { RelinkInput, RelinkProgress } from '../../src/contract';
export { exampleFixtures, fixturesWith } from './fixtures';
import { connectToTestServer, testServerAddress, uniqueTaskQueue, type TemporalTestContext } from './temporal';

export const HOLDING_EMAIL = 'relink-holding@library.example.edu';
export const DESKS = { deskByLibrary: { MAIN: 'DEFAULT_CIRC_DESK', SCI: 'SCI_DESK' } };

type AnyRecord = Record<string, any>;

/** A patron of our own, with the given contact details, so parallel tests never share one. */
export function patron(
  id: string,
  contact: { emails?: AnyRecord[]; phones?: AnyRecord[] } = {},
  extra: AnyRecord = {},
) {
  return {
    record_type: { value: 'PUBLIC', desc: 'Public' },
    primary_id: id,
    first_name: 'Test',
    last_name: id,
    user_group: { value: 'UNDERGRAD', desc: 'Undergraduate' },
    account_type: { value: 'INTERNAL', desc: 'Internal' },
    status: { value: 'ACTIVE', desc: 'Active' },
    password: '',
    contact_info: {
      address: [],
      email: contact.emails ?? [
        {
          email_address: `${id}@example.edu`,
          description: null,
          preferred: true,
          segment_type: 'Internal',
          email_type: [{ value: 'personal', desc: 'Personal' }],
        },
      ],
      phone: contact.phones ?? [],
    },
    user_identifier: [],
    user_note: [
      { note_type: { value: 'CIRCULATION' }, note_text: 'kept as is', user_viewable: false, segment_type: 'Internal' },
    ],
    user_block: [],
    user_statistic: [],
    ...extra,
  };
}

/** The Alma ids the test fixtures derive from a barcode, so tests can name an item's paths. */
export function itemIds(barcode: string) {
  const n = barcode.replace(/\D/g, '').slice(-8).padStart(8, '0');
  return { mmsId: `99${n}0101`, holdingId: `22${n}0101`, itemPid: `23${n}0101` };
}

/** An item in the state a closed lost loan leaves (missing by default). */
export function item(barcode: string, opts: { library?: string; processType?: string; requested?: boolean } = {}) {
  const ids = itemIds(barcode);
  const library = opts.library ?? 'MAIN';
  const processType = opts.processType ?? 'MISSING';
  return {
    bib_data: { mms_id: ids.mmsId, title: `Title ${barcode}`, author: 'Author' },
    holding_data: { holding_id: ids.holdingId, call_number: `QA ${barcode}` },
    item_data: {
      pid: ids.itemPid,
      barcode,
      base_status: processType ? { value: '0', desc: 'Item not in place' } : { value: '1', desc: 'Item in place' },
      process_type: { value: processType, desc: processType || null },
      library: { value: library, desc: library },
      location: { value: 'STACKS', desc: 'Stacks' },
      policy: { value: 'REGULAR', desc: 'Regular loan' },
      requested: opts.requested ?? false,
    },
  };
}

/** Another patron's hold on an item, first in its queue. */
export function holdRequest(userId: string, barcode: string, requestId: string) {
  const ids = itemIds(barcode);
  return {
    request_id: requestId,
    user_primary_id: userId,
    request_type: 'HOLD',
    request_sub_type: { value: 'PATRON_PHYSICAL', desc: 'Patron physical item request' },
    request_status: 'NOT_STARTED',
    place_in_queue: 1,
    mms_id: ids.mmsId,
    item_id: ids.itemPid,
    barcode,
    pickup_location_type: 'LIBRARY',
    pickup_location_library: 'MAIN',
    request_date: '2026-11-20Z',
  };
}

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

/** `address`: a dev server of the test's own (the Web UI test); default the one jest's globalSetup started. */
export async function startHarness(fixtures: Fixtures, { address }: { address?: string } = {}): Promise<RelinkHarness> {
  const temporal = await connectToTestServer(address);
  const sim = await startAlmaSimulator({ fixtures, port: 0 });
  const alma = new AlmaClient({ baseUrl: sim.url, apiKey: sim.apiKey, requestsPerSecond: 200, timeoutMs: 5_000 });
  const taskQueue = uniqueTaskQueue('relink');
  const worker = await createRelinkWorker({
    connection: temporal.nativeConnection,
    taskQueue,
    alma,
    dataConverter: temporal.dataConverter,
    workflowBundle: await workflowBundle(),
  });
  const workerRun = worker.run();
  const relinks = new RelinkClient(temporal.client, taskQueue);
  return {
    temporal,
    sim,
    alma,
    relinks,
    taskQueue,
    worker,
    workerRun,
    async close() {
      worker.shutdown();
      await workerRun;
      await sim.close();
      await temporal.close();
    },
  };
}

export function relinkInput(patronId: string, barcodes: string[], extra: Partial<RelinkInput> = {}): RelinkInput {
  return {
    patronId,
    barcodes,
    holdingEmail: HOLDING_EMAIL,
    desks: DESKS,
    lostPollInitial: '200 ms',
    lostPollMax: '1 second',
    ...extra,
  };
}

/** Polls the relink's progress until `predicate` holds. */
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
  { decrypt = false, address = testServerAddress() }: { decrypt?: boolean; address?: string } = {},
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
  const history = JSON.parse(await showHistory(workflowId, { decrypt: true })) as unknown;
  writeFileSync(path.join(__dirname, '..', 'histories', `${name}.json`), JSON.stringify({ workflowId, history }));
}
