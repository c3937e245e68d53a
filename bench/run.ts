// `npm run bench`: relinks over many patrons against a real Temporal dev server and the Alma simulator, with a
// simulated staff member who clicks Lost at once, compared with the same Alma calls made by plain scripts without
// Temporal. Prints one JSON object on stdout; progress goes to stderr. Loopback only; every run bounded.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Command, InvalidArgumentError } from 'commander';
import { AlmaClient } from '../src/alma';
import { RelinkClient } from '../src/client';
import { clientDataConverter, generateKeyEntry } from '../src/codec';
import { startDevServer } from '../src/dev/temporal-server';
import { runPlain, type PlainRun } from './baselines';
import { startSimProcess } from './sim-process';
import { CpuMeter, lowerPriority, MemorySampler } from './proc';
import { activityFailures, plainFigures, stepBreakdown, temporalCostPerActivity, temporalFigures } from './report';
import { ratio, round } from './stats';
import { runThroughTemporal, type TemporalRun } from './temporal-run';
import { buildWorker, startWorkerProcess } from './worker-process';
import { buildWorkload, calibrationWorkload, type Workload } from './workload';

interface Settings {
  scenario: string;
  relinks: number;
  patrons: number;
  latency: number;
  limit: number;
  clientLimit: number;
  concurrency: number;
  /** Worker processes on the same task queue, each keeping to an equal share of --client-limit. */
  workers: number;
  sequential: number;
  baselines: boolean;
  dbFile?: string;
  timeout: number;
  profileWorker?: string;
  callsOut?: string;
  serverDefaults: boolean;
  worker: 'compiled' | 'tsx';
  /** Build the compiled worker first (npm run build); --no-build runs the dist/ already there. */
  build: boolean;
  workerEnv: Record<string, string>;
  workerNodeArgs: string[];
}

/**
 * The dev server runs ONE history shard, and each shard polls its transfer queue (the hop that hands every new
 * workflow or activity task to matching) at most 20 times a second by default: past a short burst every hop then
 * waits up to 50 ms. A production cluster spreads workflows over hundreds of shards, each with its own budget, so the
 * bench lifts it; --server-defaults measures the dev server as shipped.
 */
const SERVER_TUNING = { 'history.transferProcessorMaxPollRPS': 1000 };

/** The targets of issue 8, each a preset; any flag given overrides it. */
const SCENARIOS: Record<string, Partial<Settings>> = {
  // Alma's long-standing threshold: keep the API busy right up to it, and no further.
  throughput: { relinks: 500, patrons: 100, concurrency: 100, latency: 100, limit: 25 },
  // One relink at a time: what Temporal adds to a relink nobody else competes with.
  alone: { relinks: 10, patrons: 10, concurrency: 1, latency: 100, limit: 25 },
  // The limit out of the way: Temporal's throughput against plain parallel code, and the worker's memory.
  unlimited: { relinks: 600, patrons: 200, concurrency: 200, latency: 100, limit: 1000 },
  // 0 ms Alma latency, one at a time: what Temporal itself costs per activity.
  overhead: { relinks: 30, patrons: 30, concurrency: 1, latency: 0, limit: 1000 },
  // Issue 17: several worker processes under one Alma limit (run with --workers 2 and --workers 4).
  workers: { relinks: 500, patrons: 100, concurrency: 100, latency: 100, limit: 25, workers: 2 },
};

const MAX_RELINKS = 5000;
const log = (line: string) => void process.stderr.write(`${line}\n`);

function int(name: string, min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function positive(value: string) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1000)
    throw new InvalidArgumentError('must be a number above 0, at most 1000');
  return n;
}

function parseSettings(argv: string[]): Settings {
  const program = new Command('bench')
    .description('Relinks through Temporal against the Alma simulator, with plain-script baselines. JSON on stdout.')
    .option('--scenario <name>', `preset: ${Object.keys(SCENARIOS).join(', ')}`, 'throughput')
    .option('--relinks <n>', `relinks to run (at most ${MAX_RELINKS})`, int('--relinks', 1, MAX_RELINKS))
    .option(
      '--patrons <p>',
      'patrons they are spread over; each patron relinks one after another',
      int('--patrons', 1, MAX_RELINKS),
    )
    .option('--latency <ms>', 'latency of each Alma call in the simulator', int('--latency', 0, 10_000))
    .option('--limit <l>', "Alma's per-second threshold (simulator answers 429 above it)", int('--limit', 1, 1000))
    .option('--client-limit <r>', "the client's own limiter, calls/s (default: 96 % of --limit)", positive)
    .option('--concurrency <c>', 'relinks in flight (at most --patrons)', int('--concurrency', 1, MAX_RELINKS))
    .option(
      '--workers <n>',
      'worker processes on the task queue, sharing --client-limit (ALMA_RATE_LIMIT_WORKERS)',
      int('--workers', 1, 16),
    )
    .option(
      '--sequential <n>',
      'relinks in the sequential baseline (default: min(relinks, 30))',
      int('--sequential', 1, MAX_RELINKS),
    )
    .option('--no-baselines', 'skip the plain-script baselines')
    .option('--db-file <path>', "the dev server's SQLite file (default: in memory)")
    .option('--timeout <s>', 'give up on a run after this many seconds', int('--timeout', 10, 3600), 900)
    .option('--server-defaults', "keep the dev server's transfer-queue poll limit (20/s on its one shard)")
    .option(
      '--worker <how>',
      'compiled: npm run build, then dist/src/worker.js (production); tsx: the sources',
      'compiled',
    )
    .option('--no-build', 'run the compiled worker already in dist/ (from an earlier npm run build of this tree)')
    .option(
      '--worker-activities <n>',
      'RELINK_WORKER_MAX_ACTIVITIES for the worker',
      int('--worker-activities', 1, 10_000),
    )
    .option('--worker-cache <n>', 'RELINK_WORKER_CACHED_WORKFLOWS for the worker', int('--worker-cache', 2, 100_000))
    .option('--worker-wft <n>', 'RELINK_WORKER_MAX_WORKFLOW_TASKS for the worker', int('--worker-wft', 2, 1000))
    .option('--worker-node-args <flags>', 'node flags for the worker process only, e.g. "--max-semi-space-size=4"')
    .option('--calls-out <file>', "write the Temporal run's Alma calls (arrival, method, status) to this JSON file")
    .option('--profile-worker <dir>', 'write a V8 CPU profile of the worker (node --cpu-prof) into this folder')
    .parse(argv);
  const o = program.opts();
  const preset = SCENARIOS[o.scenario as string];
  if (!preset && o.scenario !== 'custom')
    program.error(`unknown scenario "${o.scenario}" (${Object.keys(SCENARIOS).join(', ')}, custom)`);
  const pick = <K extends keyof Settings>(k: K, fallback: Settings[K]): Settings[K] =>
    (o[k] as Settings[K] | undefined) ?? (preset?.[k] as Settings[K] | undefined) ?? fallback;
  const relinks = pick('relinks', 100);
  const patrons = Math.min(pick('patrons', Math.min(relinks, 50)), relinks);
  const limit = pick('limit', 25);
  return {
    scenario: o.scenario as string,
    relinks,
    patrons,
    latency: pick('latency', 100),
    limit,
    clientLimit: (o.clientLimit as number | undefined) ?? round(limit * 0.96, 2),
    concurrency: Math.min(pick('concurrency', patrons), patrons),
    workers: pick('workers', 1),
    sequential: Math.min((o.sequential as number | undefined) ?? 30, relinks),
    baselines: o.baselines as boolean,
    dbFile: o.dbFile as string | undefined,
    timeout: o.timeout as number,
    profileWorker: o.profileWorker as string | undefined,
    callsOut: o.callsOut as string | undefined,
    serverDefaults: (o.serverDefaults as boolean | undefined) ?? false,
    workerNodeArgs: ((o.workerNodeArgs as string | undefined) ?? '').split(/\s+/).filter(Boolean),
    worker:
      o.worker === 'tsx' ? 'tsx' : o.worker === 'compiled' ? 'compiled' : program.error('--worker is compiled or tsx'),
    build: o.build as boolean,
    workerEnv: Object.fromEntries(
      (
        [
          ['RELINK_WORKER_MAX_ACTIVITIES', o.workerActivities],
          ['RELINK_WORKER_CACHED_WORKFLOWS', o.workerCache],
          ['RELINK_WORKER_MAX_WORKFLOW_TASKS', o.workerWft],
        ] as Array<[string, number | undefined]>
      )
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    ),
  };
}

/** The swap window of one relink alone, p50, from the committed `alone` run: the yardstick of issue 17. */
function aloneSwapWindowP50(): { p50: number; file: string } | undefined {
  const file = path.join('docs', 'bench-results', 'alone.json');
  try {
    const report = JSON.parse(readFileSync(path.resolve(__dirname, '..', file), 'utf8')) as {
      temporal?: { emailSwapWindowMs?: { p50?: number } };
    };
    const p50 = report.temporal?.emailSwapWindowMs?.p50;
    return typeof p50 === 'number' ? { p50, file } : undefined;
  } catch {
    return undefined;
  }
}

function progressBar(label: string, total: number) {
  let last = 0;
  return (done: number) => {
    const now = Date.now();
    if (done === total || now - last > 2000) {
      last = now;
      log(`  ${label}: ${done}/${total}`);
    }
  };
}

async function run(): Promise<void> {
  const s = parseSettings(process.argv);
  log(`bench: ${JSON.stringify(s)}`);
  const faults = { latencyMs: s.latency, perSecondLimit: s.limit };
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  try {
    // 1. The Temporal dev server (headless, in memory unless told otherwise) and the Alma simulator.
    const server = await startDevServer({
      ...(s.dbFile ? { dbFilename: s.dbFile } : {}),
      dynamicConfig: s.serverDefaults ? {} : SERVER_TUNING,
      stdio: 'ignore',
      log,
    });
    cleanups.push(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const taskQueue = `bench-${process.pid}-${Date.now().toString(36)}`;
    // Payloads are encrypted (src/codec) with a key of this run, given to the worker as an operator would.
    const codecKeys = generateKeyEntry('bench');
    const dataConverter = clientDataConverter(server.address, { RELINK_CODEC_KEYS: codecKeys });
    const relinks = new RelinkClient(new Client({ connection, dataConverter }), taskQueue);
    const calibration = calibrationWorkload();
    const sim = await startSimProcess({ fixtures: calibration.fixtures, dailyBudget: 100_000_000 });
    cleanups.push(() => sim.close());

    // 2. The workers, each in its own process, as an operator starts them: ALMA_RATE_LIMIT is the institution's,
    // ALMA_RATE_LIMIT_WORKERS how many share it.
    if (s.worker === 'compiled' && s.build) buildWorker(log);
    const workers = await Promise.all(
      Array.from({ length: s.workers }, () =>
        startWorkerProcess({
          mode: s.worker,
          codecKeys,
          workerEnv: { ...s.workerEnv, ALMA_RATE_LIMIT_WORKERS: String(s.workers) },
          temporalAddress: server.address,
          taskQueue,
          almaBaseUrl: sim.url,
          almaApiKey: sim.apiKey,
          rateLimit: s.clientLimit,
          nodeArgs: [
            ...s.workerNodeArgs,
            ...(s.profileWorker ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(s.profileWorker)}`] : []),
          ],
          log,
        }),
      ),
    );
    for (const w of workers) cleanups.push(() => w.stop());
    // The simulator stands for Alma's own servers, which our load does not slow: on a machine this small the workers
    // and the Temporal server run at a lower priority (nice 5), so the simulator is scheduled first when calls
    // arrive, and the arrival times it logs are when they came rather than when it got a core (tens of ms later
    // with eight busy processes on two cores, which put two calls sent 40 ms apart into the same millisecond).
    for (const pid of [server.pid, ...workers.map((w) => w.pid)]) if (pid) lowerPriority(pid, 5);
    const memories = workers.map((w) => new MemorySampler(w.pid).start());
    const deadlineMs = s.timeout * 1000;

    // 3. Calls per relink: one item, then two items of one patron (also warms the worker up).
    await sim.setFaults(faults);
    const callsOf = async (w: Workload, index: number) =>
      (
        await runThroughTemporal({
          relinks,
          sim,
          workload: { ...w, chains: [w.chains[index]!] },
          concurrency: 1,
          deadlineMs,
          progress: () => undefined,
        })
      ).calls;
    const oneItemCalls = await callsOf(calibration, 0);
    const twoItemCalls = await callsOf(calibration, 1);
    log(`calibration: one item ${oneItemCalls.length} calls, two items ${twoItemCalls.length} calls`);

    // 4. The Temporal run.
    const workload = buildWorkload(s.relinks, s.patrons);
    await sim.reset(workload.fixtures);
    await sim.setFaults(faults);
    log(`temporal: ${s.relinks} relinks over ${s.patrons} patrons, ${s.concurrency} in flight`);
    const workerPids = Object.fromEntries(workers.map((w, i) => [i === 0 ? 'worker' : `worker${i + 1}`, w.pid]));
    const cpu = new CpuMeter({ ...workerPids, temporalServer: server.pid, sim: sim.pid, bench: process.pid }).start();
    const temporalRun: TemporalRun = await runThroughTemporal({
      relinks,
      sim,
      workload,
      concurrency: s.concurrency,
      deadlineMs,
      progress: progressBar('temporal', s.relinks),
    });
    const cpuUse = cpu.stop();
    if (s.callsOut) {
      const calls = temporalRun.calls.map((c) => ({ at: c.at, method: c.method, status: c.status }));
      writeFileSync(s.callsOut, JSON.stringify(calls));
    }
    const workerMemories = memories.map((m) => m.stop());
    // The busiest worker's figures (the only one with one worker).
    const peakOf = (m: (typeof workerMemories)[number]) => m.kernelPeakMb ?? m.sampledPeakMb ?? 0;
    const workerMemory = workerMemories.reduce((a, b) => (peakOf(b) > peakOf(a) ? b : a));
    await Promise.all(workers.map((w) => w.stop()));

    // 5. The plain scripts: same activity functions, same client options, same simulator settings.
    const almaClient = () => new AlmaClient({ baseUrl: sim.url, apiKey: sim.apiKey, requestsPerSecond: s.clientLimit });
    let sequential: PlainRun | undefined;
    let parallel: PlainRun | undefined;
    const baselineStats: Record<string, unknown> = {};
    if (s.baselines) {
      const seqWorkload = buildWorkload(s.sequential, Math.min(s.patrons, s.sequential), 'seq');
      await sim.reset(seqWorkload.fixtures);
      await sim.setFaults(faults);
      log(`sequential script: ${s.sequential} relinks, one after another`);
      const seqClient = almaClient();
      sequential = await runPlain(seqClient, sim, seqWorkload, 1, progressBar('sequential', s.sequential));
      baselineStats.sequential = seqClient.stats;
      seqClient.close();

      await sim.reset(workload.fixtures);
      await sim.setFaults(faults);
      log(`parallel script: ${s.relinks} relinks, ${s.concurrency} in flight`);
      const parClient = almaClient();
      parallel = await runPlain(parClient, sim, workload, s.concurrency, progressBar('parallel', s.relinks));
      baselineStats.parallel = parClient.stats;
      parClient.close();
    }

    // 6. The report.
    const oneItem = oneItemCalls.filter((c) => c.status !== 429).length;
    const furtherItem = twoItemCalls.filter((c) => c.status !== 429).length - oneItem;
    const t = temporalFigures(temporalRun, s.limit);
    const failures = activityFailures(temporalRun);
    const seq = sequential ? plainFigures(sequential, s.limit) : undefined;
    const par = parallel ? plainFigures(parallel, s.limit) : undefined;
    const physicalLimit = round(s.limit / oneItem, 3);
    const cost = sequential ? temporalCostPerActivity(temporalRun, sequential) : undefined;
    const automatedRatio =
      seq?.automatedMs.total && t.automatedMs.total
        ? ratio(t.automatedMs.total.p50, seq.automatedMs.total.p50)
        : undefined;

    const targets: Array<{ target: string; measured: number | undefined; limit: number; met: boolean }> = [];
    const check = (target: string, measured: number | undefined, limit: number, atMost: boolean) =>
      targets.push({
        target,
        measured,
        limit,
        met: measured !== undefined && Number.isFinite(measured) && (atMost ? measured <= limit : measured >= limit),
      });
    check('Alma calls, one-item relink (at most)', oneItem, 13, true);
    check('Alma calls, each further item (at most)', furtherItem, 6, true);
    if (s.limit <= 100 && s.concurrency >= 10) {
      check('utilisation (at least)', t.alma.utilisation, 0.9, false);
      check(
        '429s surfacing as activity failures or failed relinks (at most)',
        failures.rateLimited + t.failed,
        0,
        true,
      );
      check('relinks/s as a share of L / c (at least)', ratio(t.relinksPerSecond, physicalLimit), 0.9, false);
    }
    if (s.concurrency === 1 && s.latency >= 50 && automatedRatio !== undefined)
      check('automated parts, Temporal / sequential script, p50 (at most)', automatedRatio, 1.15, true);
    if (s.limit >= 500 && s.concurrency >= 100 && par)
      check(
        'throughput, Temporal / parallel script (at least)',
        ratio(t.relinksPerSecond, par.relinksPerSecond),
        0.8,
        false,
      );
    if (s.latency === 0 && cost?.perActivityMs)
      check("Temporal's cost per activity, p50 ms (at most)", cost.perActivityMs.p50, 10, true);
    if (s.limit <= 100 && s.concurrency >= 10)
      check("busiest one-second window of Alma's calls, all workers (at most)", t.alma.busiestSecond, s.limit, true);
    const alone = aloneSwapWindowP50();
    if (alone && s.limit <= 100 && s.concurrency >= 10 && t.emailSwapWindowMs)
      check(
        `email-swap window p95 / the alone scenario's p50 (${alone.p50} ms, ${alone.file}) (at most)`,
        ratio(t.emailSwapWindowMs.p95, alone.p50),
        3,
        true,
      );
    if (s.concurrency >= 200)
      check('worker peak RSS, MB (under)', workerMemory.kernelPeakMb ?? workerMemory.sampledPeakMb, 300, true);

    const report = {
      scenario: s.scenario,
      settings: s,
      temporalServer: {
        kind: 'temporal server start-dev (1 history shard)',
        dynamicConfig: s.serverDefaults ? {} : SERVER_TUNING,
      },
      machine: { cpus: os.cpus().length, node: process.version, memoryGb: round(os.totalmem() / 2 ** 30, 1) },
      callsPerRelink: { oneItem, eachFurtherItem: furtherItem, observedInRun: t.alma.callsPerRelink },
      physicalLimitRelinksPerSecond: physicalLimit,
      temporal: {
        ...t,
        shareOfPhysicalLimit: ratio(t.relinksPerSecond, physicalLimit),
        rateLimited: {
          received429SimLog: t.alma.rateLimited,
          activityAttemptsFailed: failures.attempts,
          activityAttemptsFailedAlmaUnavailable: failures.rateLimited,
          failedRelinks: t.failed,
          ...(failures.examples.length ? { examples: failures.examples } : {}),
        },
        temporalCost: cost,
        stepBreakdown: stepBreakdown(temporalRun),
        worker: {
          processes: s.workers,
          ...(s.workers > 1 ? { memoryPerWorker: workerMemories } : {}),
          memory: {
            ...workerMemory,
            method:
              `child process (${s.worker === 'compiled' ? 'node dist/src/worker.js after npm run build' : 'node --import tsx src/worker.ts'}); ` +
              '/proc/<pid>/status: VmRSS sampled every 100 ms, VmHWM read before it stopped',
          },
        },
        cpu: cpuUse,
      },
      baselines: s.baselines
        ? {
            sequential: seq && { ...seq, almaClient: baselineStats.sequential },
            parallel: par && { ...par, almaClient: baselineStats.parallel },
          }
        : undefined,
      ratios: {
        throughputVsSequential: seq ? ratio(t.relinksPerSecond, seq.relinksPerSecond) : undefined,
        throughputVsParallel: par ? ratio(t.relinksPerSecond, par.relinksPerSecond) : undefined,
        automatedP50VsSequential: automatedRatio,
      },
      targets,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        log(`cleanup: ${String(err)}`);
      }
    }
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
