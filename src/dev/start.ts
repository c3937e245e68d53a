// `npm start`: the main job on embedded defaults. It starts the Temporal dev server (persistent, Web UI on 8233),
// the Alma simulator loaded with fixtures/alma-example.json, and a relink worker; runs a demo relink end to end
// with a clearly labelled simulated staff member for the Lost click; prints what happened and the letters Alma
// would have sent; then keeps everything running for exploration until Ctrl-C. The relink desk runs beside them on
// loopback, and the simulated staff member starts the relink and presses "I clicked Lost" through its forms. The demo
// relink has a short quiet period before the restore (RELINK_RESTORE_AFTER), in which Alma's nightly Fines/Fees
// Notification job runs: its letter about the new lost-item fee goes to the holding address, not to the patron.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { connectClosable } from '../temporal-client-connection';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { AlmaClient } from '../alma';
import { loadFixtures, startAlmaSimulator } from '../alma-sim';
import { RelinkClient } from '../client';
import { relinkDataConverter } from '../codec';
import { loadSettings } from '../config';
import { createDeskApp } from '../desk/app';
import { DESK_MAP, HOLDING_EMAIL } from '../alma-sim/builders';
import { DeskStaff } from './desk-staff';
import { closeOnSignals, runMain } from '../entry-point';
import { createRelinkWorker } from '../worker';
import { relinkWorkflowId } from '../contract';
import type { RelinkProgress } from '../contract';
import { startDevCodecServer } from './codec-server';
import { portOpen } from './free-port';
import { simulatedRelink } from './relink-input';
import { startDevServer, type DevServer } from './temporal-server';
import { PROJECT_ROOT } from '../project-root';

const root = PROJECT_ROOT;
const DEMO = simulatedRelink('rivera.ana', ['39000000001']);
const TEMPORAL_PORT = Number(process.env.TEMPORAL_PORT ?? 7233);
const UI_PORT = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
const SIM_PORT = Number(process.env.ALMA_SIM_PORT ?? 8480);
const TASK_QUEUE = process.env.RELINK_TASK_QUEUE ?? 'alma-relink';
const DESK_PORT = Number(process.env.DESK_PORT ?? 8090);

const say = (line = '') => console.log(line);
const staff = (line: string) => console.log(`  [simulated staff member] ${line}`);

async function run(): Promise<void> {
  // The demo's own output tells the story; the worker speaks up only for warnings.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // Step 1: the codec server (payloads are encrypted; the Web UI decrypts through it) and the Temporal dev server,
  // unless one already answers (say, `npm run dev-server` in another terminal).
  const codec = await startDevCodecServer(UI_PORT);
  const dataConverter = relinkDataConverter(codec.keys);
  let server: DevServer | undefined;
  const address = `127.0.0.1:${TEMPORAL_PORT}`;
  if (await portOpen(TEMPORAL_PORT)) {
    say(`Using the Temporal server already running on ${address}.`);
  } else {
    say('Starting the Temporal dev server (state in .data/temporal.db) ...');
    server = await startDevServer({
      dbFilename: path.join(root, '.data', 'temporal.db'),
      port: TEMPORAL_PORT,
      uiPort: UI_PORT,
      uiCodecEndpoint: codec.endpoint,
      stdio: 'ignore',
    });
  }
  const uiBase = `http://127.0.0.1:${UI_PORT}`;

  // Step 2: the Alma simulator, with Alma's own example objects.
  const fixtures = loadFixtures(path.join(root, 'fixtures', 'alma-example.json'));
  const sim = await startAlmaSimulator({ fixtures, port: SIM_PORT });
  say(`Alma simulator:   ${sim.url}/almaws/v1   (admin view: ${sim.url}/_sim/state)`);

  // Step 3: a relink worker on the simulator.
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await connectClosable({ address });
  const alma = new AlmaClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  const worker = await createRelinkWorker({ connection: nativeConnection, taskQueue: TASK_QUEUE, alma, dataConverter });
  const workerRun = worker.run();
  const client = new Client({ connection, dataConverter });
  const relinks = new RelinkClient(client, TASK_QUEUE, uiBase);
  // Step 3b: the relink desk on loopback, with the demo's relink settings (a quick Lost poll, a short quiet period
  // before the restore) and a typed-in name.
  const { relink } = loadSettings(
    ['relink'],
    {
      RELINK_HOLDING_EMAIL: HOLDING_EMAIL,
      ALMA_DESK_MAP: DESK_MAP,
      RELINK_LOST_POLL_INITIAL: '2 seconds',
      RELINK_LOST_POLL_MAX: '10 seconds',
      RELINK_RESTORE_AFTER: process.env.RELINK_RESTORE_AFTER ?? '15 seconds',
    },
    { dotenv: false },
  );
  const deskApp = createDeskApp({
    relinks,
    relink,
    auth: { kind: 'dev' },
    sessionKeys: [randomBytes(32).toString('base64url')],
  });
  const deskServer = deskApp.listen(DESK_PORT, '127.0.0.1');
  await new Promise<void>((resolve, reject) => deskServer.once('listening', resolve).once('error', reject));
  const deskUrl = `http://127.0.0.1:${(deskServer.address() as AddressInfo).port}`;
  say(`Relink desk:      ${deskUrl}/   (for circulation staff; sign in with any name on this machine)`);
  say(`Temporal Web UI:  ${uiBase}`);
  say(`Codec server:     ${codec.endpoint}   (payloads encrypted with key "${codec.keys.current.id}")`);
  say();

  closeOnSignals(async () => {
    say('\nStopping the worker, the simulator and the dev server ...');
    deskServer.close();
    worker.shutdown();
    await workerRun.catch(() => undefined);
    await sim.close();
    await codec.close();
    await connection.close();
    await nativeConnection.close();
    await server?.stop();
  });

  // Step 4: the demo relink. An earlier demo run left unfinished (Ctrl-C mid-run) is ended first: the simulator
  // starts from its fixtures again, so that run's Alma state is gone.
  const workflowId = relinkWorkflowId(DEMO.patronId);
  const previous = await relinks.status(workflowId).catch(() => undefined);
  if (previous?.status === 'RUNNING') {
    await client.workflow.getHandle(workflowId).terminate('superseded by a new npm start demo');
  }
  const original = (await alma.getUser(DEMO.patronId)).contact_info as {
    email?: Array<{ email_address?: string; preferred?: boolean }>;
  };
  say(`Demo: relink the closed lost loan of item ${DEMO.barcodes[0]} to patron ${DEMO.patronId}.`);
  say(`      Patron's preferred email before: ${original.email?.find((e) => e.preferred)?.email_address ?? '(none)'}`);
  const desk = new DeskStaff(deskUrl);
  await desk.signIn('demo.staff');
  staff(
    `signs in at the relink desk as demo.staff; Start a relink: patron ${DEMO.patronId}, ${DEMO.barcodes.join(', ')}`,
  );
  await desk.start(DEMO.patronId, DEMO.barcodes);
  const started = { workflowId, uiUrl: relinks.uiUrl(workflowId) };
  say(`Started ${started.workflowId}: ${started.uiUrl}`);

  let lostClicked = false;
  let jobRun = false;
  let printed = 0;
  const final = await relinks.follow(
    started.workflowId,
    (p: RelinkProgress) => {
      for (const entry of p.audit.slice(printed)) say(`  ${entry.step.padEnd(16)} ${entry.message}`);
      printed = p.audit.length;
      if (p.awaiting === 'lost-declaration' && !lostClicked) {
        lostClicked = true;
        void (async () => {
          for (const item of p.items.filter((i) => i.loanId && !i.lostConfirmed)) {
            staff(
              `Manage Patron Services > ${DEMO.patronId} > Loans > loan ${item.loanId} (${item.barcode}) > ⋯ > Lost`,
            );
            await sim.declareLost(item.loanId!);
          }
          staff(`presses "I clicked Lost" on ${deskUrl}/relinks/${started.workflowId}`);
          await desk.clickedLost(started.workflowId);
        })().catch((err) => console.error(`  simulated staff member failed: ${String(err)}`));
      }
      if (p.awaiting === 'quiet-period' && !jobRun) {
        // What the quiet period is for: Alma's nightly job announces the new fee to the preferred address of the
        // moment it runs. The trade-off: the patron's other letters meanwhile go to the holding address too.
        jobRun = true;
        const run = sim.runJob('fines-fees-notification');
        say(`  [simulated Alma] the Fines/Fees Notification job runs during the quiet period:`);
        for (const n of run.notices.filter((x) => x.user_id === DEMO.patronId)) {
          say(`    ${n.letter} via ${n.channel}: ${n.address ?? '(no address: not sent)'}`);
        }
      }
    },
    { intervalMs: 500 },
  );

  say();
  for (const entry of final.result?.audit.slice(printed) ?? []) say(`  ${entry.step.padEnd(16)} ${entry.message}`);
  say(`Outcome: ${final.outcome}${final.result?.emailRestored ? ' — email restored and verified' : ''}`);
  for (const item of final.result?.items ?? []) {
    say(
      `  ${item.barcode}: loan ${item.loanId}, Lost ${item.lostConfirmed ? `confirmed (${item.lostConfirmedBy})` : 'not confirmed'}`,
    );
  }
  const after = (await alma.getUser(DEMO.patronId)).contact_info as typeof original;
  say(`Patron's preferred email after:  ${after.email?.find((e) => e.preferred)?.email_address ?? '(none)'}`);
  say();
  say('Letters Alma would have sent (simulator):');
  for (const n of await sim.notices()) {
    say(
      `  ${String(n.letter).padEnd(30)} to ${String(n.user_id).padEnd(14)} via ${n.channel}: ${n.address ?? '(no address: not sent)'}`,
    );
  }
  say();
  say(`This relink at the desk: ${deskUrl}/relinks/${started.workflowId}`);
  say(`Web UI for this run: ${started.uiUrl}`);
  say(`Try: npm run relink -- status ${started.workflowId}    (with TEMPORAL_ADDRESS=${address})`);
  say('Everything keeps running for exploration. Press Ctrl-C to stop.');
}

runMain(run);
