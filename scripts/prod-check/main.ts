// `npm run prod-check`: the compose stack's topology run for real, without Docker. PostgreSQL (a throw-away cluster
// of Debian's package), the Temporal server and temporal-sql-tool at the release docker-compose.yml names (built
// from Go modules into the per-user cache), set up by the same scripts and configuration files the compose stack
// mounts (deploy/), then the codec server and the compiled worker as the image runs them. It relinks the
// simulator's example patron end to end, lists the relink by each search attribute on SQL visibility, kills and
// restarts the server mid-relink and sees the relink resume from PostgreSQL, then stops everything. Any failure
// prints what failed with the tail of the logs, exits 1, and still stops every process and removes the temporary
// directory. The last line names PostgreSQL's and the server's versions.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadFixtures, startAlmaSimulator, type AlmaSimulator } from '../../src/alma-sim';
import { RelinkClient } from '../../src/client';
import { clientDataConverter, generateKeyEntry } from '../../src/codec';
import {
  equalsClause,
  RelinkOutcome,
  relinkSearchAttributes,
  relinkWorkflowId,
  type RelinkProgress,
} from '../../src/contract';
import { runMain } from '../../src/entry-point';
import { PROJECT_ROOT } from '../../src/project-root';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../src/worker';
import { buildWorker } from '../../bench/worker-process';
import { freePort } from '../../src/dev/free-port';
import { simulatedRelink } from '../../src/dev/relink-input';
import { findTemporalCli } from '../../src/dev/temporal-cli';
import { startManaged, stopAllManaged } from './managed-process';
import { runAsClusterOwner, startPostgresCluster, type PostgresCluster } from './postgres-cluster';
import { composeServerVersion, ensureTemporalServer } from './temporal-server-build';

const execFileAsync = promisify(execFile);
const DEPLOY = path.join(PROJECT_ROOT, 'deploy');
const NAMESPACE = 'default';
const RETENTION = '30d';
const TASK_QUEUE = 'alma-relink';
// The simulator's example patron and item (fixtures/alma-example.json), as `npm start` relinks them.
const DEMO = simulatedRelink('rivera.ana', ['39000000001'], { lostPollInitial: '2 seconds', lostPollMax: '5 seconds' });

const started = Date.now();
const say = (line: string) =>
  console.log(`[prod-check ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free loopback port below `limit`, tried at random from 20000 up. */
async function freePortBelow(limit: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * (limit - 20000));
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port below ${limit}`);
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(500);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${lastError ? ` (${(lastError as Error).message})` : ''}`);
}

/** A secret as the stack gets it: a file only its reader can open (compose `secrets:`, a systemd credential). */
function secretFile(dir: string, name: string, value: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return file;
}

interface Stack {
  dir: string;
  pg?: PostgresCluster;
  sim?: AlmaSimulator;
  connection?: Connection;
}

async function run(): Promise<void> {
  const stack: Stack = { dir: mkdtempSync(path.join(tmpdir(), 'alma-relink-prod-check-')) };
  let failed = false;
  const cleanUp = async () => {
    await stack.connection?.close().catch(() => undefined);
    await stopAllManaged();
    await stack.sim?.close().catch(() => undefined);
    await stack.pg?.stop();
    if (process.env.PROD_CHECK_KEEP && failed) say(`kept ${stack.dir} (PROD_CHECK_KEEP)`);
    else rmSync(stack.dir, { recursive: true, force: true });
  };
  const onSignal = () => {
    failed = true;
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const versions = await check(stack);
    await cleanUp();
    say('stopped the worker, the codec server, the Temporal server and PostgreSQL; removed the temporary directory');
    console.log(`prod-check passed: ${versions.postgres}, Temporal server ${versions.server}`);
  } catch (err) {
    failed = true;
    await cleanUp();
    throw err;
  }
}

async function check(stack: Stack): Promise<{ postgres: string; server: string }> {
  const { dir } = stack;
  const secrets = path.join(dir, 'secrets');
  const logs = path.join(dir, 'logs');
  mkdirSync(secrets, { mode: 0o700 });
  mkdirSync(logs);

  // 1. The binaries: the server at docker-compose.yml's release, the CLI the setup job uses, the compiled worker.
  const version = composeServerVersion();
  say(`Temporal server v${version} (the release docker-compose.yml names)`);
  const bins = await ensureTemporalServer(version, say);
  if (!bins.built) say(`  found temporal-server and temporal-sql-tool in ${path.dirname(bins.server)}`);
  const cli = await findTemporalCli(say);
  if (cli.kind !== 'path') throw new Error('prod-check needs the Temporal CLI binary (npm run temporal-cli)');
  buildWorker(say);

  // 2. PostgreSQL, and the Temporal role that owns its two databases (deploy/postgresql/init-temporal-role.sh).
  const pg = (stack.pg = await startPostgresCluster(await freePort(), say));
  const dbPassword = randomBytes(24).toString('base64url');
  const dbPasswordFile = secretFile(secrets, 'temporal-db-password', dbPassword);
  // The role script runs as the cluster's OS user (peer authentication), who cannot open root's secret files.
  const roleOut = await runAsClusterOwner(
    path.join(DEPLOY, 'postgresql', 'init-temporal-role.sh'),
    { TEMPORAL_DB_USER: 'temporal', TEMPORAL_DB_PASSWORD: dbPassword },
    pg,
  );
  say(roleOut);
  const roleFlags = await runAsClusterOwner(
    path.join(DEPLOY, 'postgresql', 'describe-role.sh'),
    { TEMPORAL_DB_USER: 'temporal' },
    pg,
  );
  if (roleFlags !== 'superuser=f createdb=f createrole=f')
    throw new Error(`the temporal role is too strong: ${roleFlags}`);
  say(`  the temporal role is no superuser (${roleFlags})`);

  // 3. The schema, as the compose stack's temporal-schema job runs it; twice, as an upgrade would.
  const dbEnv = {
    ...process.env,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(pg.port),
    POSTGRES_USER: 'temporal',
    POSTGRES_PWD_FILE: dbPasswordFile,
  };
  const schema = path.join(DEPLOY, 'temporal', 'setup', 'schema.sh');
  const schemaEnv = { ...dbEnv, TEMPORAL_SQL_TOOL: bins.sqlTool };
  await execFileAsync('sh', [schema], { env: schemaEnv }).catch((err) => {
    throw new Error(`the schema setup failed:\n${err.stdout}${err.stderr}`);
  });
  say('schema: temporal (default store) and temporal_visibility (SQL visibility) set up with temporal-sql-tool');
  await execFileAsync('sh', [schema], { env: schemaEnv });
  say('  run again (an upgrade): nothing to apply, no error');

  // 4. The server on deploy/temporal/config/relink.yaml, on free loopback ports.
  // Membership ports land in a smallint column of cluster_membership: they must stay below 32768, where the
  // kernel's own free ports (32768-60999) never are.
  const ports = {
    FRONTEND_GRPC_PORT: await freePort(),
    FRONTEND_HTTP_PORT: await freePort(),
    FRONTEND_MEMBERSHIP_PORT: await freePortBelow(32768),
    HISTORY_GRPC_PORT: await freePort(),
    HISTORY_MEMBERSHIP_PORT: await freePortBelow(32768),
    MATCHING_GRPC_PORT: await freePort(),
    MATCHING_MEMBERSHIP_PORT: await freePortBelow(32768),
    WORKER_GRPC_PORT: await freePort(),
    WORKER_MEMBERSHIP_PORT: await freePortBelow(32768),
  };
  const address = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
  const serverEnv = {
    ...dbEnv,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_SERVER_BIN: bins.server,
    DYNAMIC_CONFIG_FILE_PATH: path.join(DEPLOY, 'temporal', 'dynamicconfig', 'relink.yaml'),
    LOG_LEVEL: 'warn',
  };
  const startServer = () =>
    startManaged('temporal-server', 'sh', [path.join(DEPLOY, 'temporal', 'start-server.sh')], {
      cwd: dir,
      env: serverEnv,
      logFile: path.join(logs, 'temporal-server.log'),
    });
  let server = startServer();
  const namespaceEnv = {
    ...process.env,
    TEMPORAL_CLI: cli.path,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_RETENTION: RETENTION,
  };
  // The script waits for the server; a server that exits instead ends the wait at once.
  const serverExit = server.waitForLine(/^\b$/, 600_000);
  serverExit.catch(() => undefined);
  const namespaceOut = await Promise.race([
    execFileAsync('sh', [path.join(DEPLOY, 'temporal', 'setup', 'namespace.sh')], { env: namespaceEnv }),
    serverExit.then(() => {
      throw new Error('unreachable');
    }),
  ]).catch((err) => {
    throw new Error(`the namespace setup failed:\n${err.stdout}${err.stderr}\n${server.tail()}`);
  });
  say(`Temporal server on ${address} (pid ${server.pid}), PostgreSQL persistence and SQL visibility`);
  for (const line of namespaceOut.stdout.trim().split('\n')) say(`  ${line}`);

  // 5. The simulator (Alma), then the codec server and the compiled worker, with their secrets in files.
  const fixtures = loadFixtures(path.join(PROJECT_ROOT, 'fixtures', 'alma-example.json'));
  const sim = (stack.sim = await startAlmaSimulator({ fixtures, port: 0 }));
  const codecKeyFile = secretFile(secrets, 'relink-codec-keys', generateKeyEntry('prod'));
  const almaKeyFile = secretFile(secrets, 'alma-api-key', sim.apiKey);
  say(`Alma simulator on ${sim.url} with fixtures/alma-example.json`);

  const codecPort = await freePort();
  const codec = startManaged('codec-server', process.execPath, [path.join('dist', 'src', 'codec', 'main.js')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      RELINK_CODEC_KEY_FILE: codecKeyFile,
      RELINK_CODEC_PORT: String(codecPort),
    },
    logFile: path.join(logs, 'codec-server.log'),
  });
  await codec.waitForLine(/^Codec server on/, 30_000);
  say(`codec server: node dist/src/codec/main.js on 127.0.0.1:${codecPort} (pid ${codec.pid})`);

  const worker = startManaged(
    'worker',
    process.execPath,
    [...WORKER_NODE_FLAGS, path.join('dist', 'src', 'worker.js')],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ...WORKER_ENV,
        NODE_ENV: 'production',
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: NAMESPACE,
        RELINK_TASK_QUEUE: TASK_QUEUE,
        // The namespace job made the search attributes; the worker only checks them.
        RELINK_REGISTER_SEARCH_ATTRIBUTES: 'false',
        ALMA_BASE_URL: sim.url,
        ALMA_API_KEY_FILE: almaKeyFile,
        RELINK_CODEC_KEY_FILE: codecKeyFile,
      },
      logFile: path.join(logs, 'worker.log'),
    },
  );
  // The worker logs JSON lines (src/observability): the message is inside one.
  await worker.waitForLine(/Relink worker polling/, 120_000).catch((err) => {
    throw new Error(`${err.message}\n${worker.tail()}`);
  });
  say(`worker: node ${WORKER_NODE_FLAGS.join(' ')} dist/src/worker.js (pid ${worker.pid}), polling "${TASK_QUEUE}"`);

  // 6. The relink, up to the staff Lost click.
  const connection = (stack.connection = await Connection.connect({ address }));
  const client = new Client({
    connection,
    namespace: NAMESPACE,
    dataConverter: clientDataConverter(address, { RELINK_CODEC_KEY_FILE: codecKeyFile }),
  });
  const relinks = new RelinkClient(client, TASK_QUEUE);
  const before = sim.state();
  const original: unknown = before.users.find((u: { primary_id: string }) => u.primary_id === DEMO.patronId);
  const workflowId = relinkWorkflowId(DEMO.patronId);
  await relinks.start(DEMO);
  say(`relink ${workflowId} started: item ${DEMO.barcodes[0]} to patron ${DEMO.patronId}`);
  const awaiting = await until('the relink to wait for the Lost click', 120_000, async () => {
    const p: RelinkProgress = await relinks.progress(workflowId);
    return p.awaiting === 'lost-declaration' ? p : undefined;
  });
  for (const entry of awaiting.audit) say(`  ${entry.step.padEnd(14)} ${entry.message}`);

  // 7. Listed by each search attribute, on SQL visibility (PostgreSQL).
  const described = await client.workflow.getHandle(workflowId).describe();
  for (const key of relinkSearchAttributes) {
    const raw = described.searchAttributes[key.name];
    if (raw === undefined) continue; // RelinkOutcome is written at the end: listed below, once the relink completed
    const value = String(Array.isArray(raw) ? raw[0] : raw);
    const query = equalsClause(key, value);
    await until(`a visibility query ${query} finding ${workflowId}`, 30_000, async () => {
      for await (const wf of client.workflow.list({ query })) if (wf.workflowId === workflowId) return true;
      return undefined;
    });
    say(`  listed by ${query}`);
  }

  // 8. The codec server decodes the relink's input for the Web UI: the history holds ciphertext only.
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!input) throw new Error('the history has no workflow input');
  const encoding = Buffer.from(input.metadata?.encoding ?? []).toString();
  const decodeBody = {
    payloads: [
      {
        metadata: Object.fromEntries(
          Object.entries(input.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(input.data ?? []).toString('base64'),
      },
    ],
  };
  const decoded = (await (
    await fetch(`http://127.0.0.1:${codecPort}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': NAMESPACE },
      body: JSON.stringify(decodeBody),
    })
  ).json()) as { payloads: Array<{ data: string }> };
  const clear = Buffer.from(decoded.payloads?.[0]?.data ?? '', 'base64').toString();
  if (encoding !== 'binary/encrypted' || !clear.includes(DEMO.patronId)) {
    throw new Error(`the codec server did not decode the relink's input (stored as ${encoding})`);
  }
  say(`  the history stores its input as ${encoding}; the codec server decodes it`);

  // 9. The server killed mid-relink (SIGKILL, as a crash); the staff click Lost in Alma meanwhile; a new server
  //    process on the same PostgreSQL picks the relink up where it was.
  const eventsBefore = history.events?.length ?? 0;
  await server.kill();
  say(`killed the Temporal server (SIGKILL) mid-relink, its history at ${eventsBefore} events in PostgreSQL`);
  for (const item of awaiting.items) if (item.loanId && !item.lostConfirmed) sim.declareLost(item.loanId);
  say(`  [simulated staff member] Manage Patron Services > ${DEMO.patronId} > Loans > Lost, while the server is down`);
  await sleep(3_000);
  if (worker.exited()) throw new Error(`the worker exited while the server was down:\n${worker.tail()}`);
  server = startServer();
  await until('the restarted server to answer', 60_000, async () => {
    await execFileAsync(cli.path, ['operator', 'cluster', 'health', '--address', address], { timeout: 5_000 });
    return true;
  });
  say(`restarted the Temporal server (pid ${server.pid}) on the same database`);
  // A killed node's shards pass to the new one once its membership lapses; until then calls may fail. The Lost
  // confirmation is retried until the server takes it.
  const restarted = Date.now();
  await until('the relink to take the Lost confirmation after the restart', 240_000, async () => {
    await relinks.confirmLost(workflowId);
    return true;
  });
  say(
    `  [simulated staff member] relink confirm-lost ${workflowId}: taken ` +
      `${((Date.now() - restarted) / 1000).toFixed(0)} s after the restart`,
  );
  const resumed = { audit: awaiting.audit };
  const result = await until('the relink to complete', 240_000, async () => {
    const status = await relinks.status(workflowId);
    return status.status === 'COMPLETED' ? status : undefined;
  });
  const after = sim.state().users.find((u: { primary_id: string }) => u.primary_id === DEMO.patronId);
  const eventsAfter = (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
  if (result.outcome !== 'completed' || !result.result?.emailRestored || !isDeepStrictEqual(after, original)) {
    throw new Error(
      `the relink ended ${result.outcome}, email restored: ${result.result?.emailRestored}, ` +
        `the patron's record as before: ${isDeepStrictEqual(after, original)}`,
    );
  }
  const ownAddresses = JSON.stringify(after);
  const toPatron = sim.notices().filter((n) => n.address && ownAddresses.includes(String(n.address)));
  if (toPatron.length) throw new Error(`${toPatron.length} letters went to the patron's own address`);
  for (const entry of result.result.audit.slice(resumed.audit.length))
    say(`  ${entry.step.padEnd(14)} ${entry.message}`);
  say(
    `relink completed after the restart: ${eventsBefore} events before the kill, ${eventsAfter} at the end; ` +
      `loan ${result.result.items[0]?.loanId}, Lost confirmed, email restored and verified; ` +
      `${sim.notices().length} letters, none to the patron`,
  );
  await until('the completed relink on SQL visibility', 30_000, async () => {
    const query = `${equalsClause(RelinkOutcome, 'completed')} AND ExecutionStatus = 'Completed'`;
    for await (const wf of client.workflow.list({ query })) if (wf.workflowId === workflowId) return true;
    return undefined;
  });
  say(`  listed as Completed by ${equalsClause(RelinkOutcome, 'completed')} on SQL visibility`);
  return { postgres: pg.version, server: bins.version };
}

runMain(run);
