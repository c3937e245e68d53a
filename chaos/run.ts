// `npm run chaos`: proves the relink's promise against real process kills and real faults. Starts its own Temporal
// dev server (its own SQLite file), the Alma simulator and worker processes, all on loopback; runs every scenario
// (bounded in count and time); prints a table of scenarios × runs × outcome on stdout (progress on stderr), and
// writes it into docs/reliability.md. Exit status 1 when any run broke an invariant or ended unexpectedly.
// `--generated` runs generated sequences of commands instead (chaos/generated/run.ts); `--seed S` replays them.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { failureLines, markdownTable, notesOf, rowsOf, terminalTable, totals, writeTableInto } from './report';
import { GROUPS, runChaos } from './runner';
import { generatedReport, runGenerated } from './generated/run';

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer ${min}-${max}`);
  return n;
};

const groupList = (value: string) => {
  const groups = value.split(',').map((g) => g.trim());
  const unknown = groups.filter((g) => !GROUPS[g]);
  if (unknown.length)
    throw new InvalidArgumentError(`unknown group ${unknown.join(', ')}: use ${Object.keys(GROUPS).join(', ')}`);
  return groups;
};

const pattern = (value: string) => {
  try {
    return new RegExp(value, 'i');
  } catch {
    throw new InvalidArgumentError('expected a regular expression');
  }
};

interface Options {
  quick?: boolean;
  only?: string[];
  grep?: RegExp;
  faultRelinks?: number;
  repeat: number;
  outageMinutes: number;
  timeLimit: number;
  seed: number;
  doc: boolean;
  recordHistories?: boolean | string;
  generated?: boolean;
  path?: string;
  replayPath?: string;
  sequences: number;
  length: number;
  shrinkMinutes: number;
}

async function run(): Promise<void> {
  const program = new Command('chaos')
    .description('Kill workers and the Temporal server, inject Alma faults and bad input; check the invariants.')
    .option('--quick', 'only the reduced set that npm test runs')
    .option('--only <groups>', `comma-separated groups: ${Object.keys(GROUPS).join(', ')}`, groupList)
    .option('--grep <pattern>', 'only the scenarios whose name matches (a regular expression, any case)', pattern)
    .option('--fault-relinks <n>', 'relinks in the Alma fault batch (default 50, quick 12)', integer(1, 200))
    .option('--repeat <n>', 'runs of each worker-crash kill point', integer(1, 5), 1)
    .option('--outage-minutes <n>', "length of Alma's outage during the Lost wait", integer(1, 60), 3)
    .option('--time-limit <minutes>', 'start no scenario after this many minutes', integer(1, 90), 40)
    .option('--seed <n>', "seed of the simulator's random faults", integer(0, 2 ** 31), 1)
    .option('--no-doc', 'do not write the table into docs/reliability.md')
    .option(
      '--record-histories [dir]',
      "save every passing run's history for the replay corpus (default test/histories/)",
    )
    .option(
      '--generated',
      'generated chaos instead of the scenarios: random sequences of commands (chaos/generated), each checked; ' +
        '--seed seeds both the sequences and the simulator (default: a new seed, printed), so --seed S replays them',
    )
    .option('--path <path>', 'with --generated: replay only the failure fast-check printed with this path and its seed')
    .option('--replay-path <path>', 'with --path: the replay path of the commands, printed with it')
    .option('--sequences <n>', 'with --generated: at most this many sequences', integer(1, 100_000), 1_000)
    .option('--length <n>', 'with --generated: at most this many commands in a sequence', integer(1, 100), 12)
    .option('--shrink-minutes <n>', 'with --generated: time to shrink a failure', integer(0, 120), 10)
    .parse();
  const opts = program.opts<Options>();

  if (opts.generated) {
    // Replays come from an explicit --seed; otherwise each run explores new sequences.
    const seed = program.getOptionValueSource('seed') === 'default' ? Math.floor(Math.random() * 2 ** 31) : opts.seed;
    const run = await runGenerated({
      seed,
      path: opts.path,
      replayPath: opts.replayPath,
      sequences: opts.sequences,
      length: opts.length,
      timeLimitMs: opts.timeLimit * 60_000,
      shrinkLimitMs: opts.shrinkMinutes * 60_000,
    });
    process.stdout.write(`${generatedReport(run).join('\n')}\n`);
    if (run.failure) process.exitCode = 1;
    return;
  }

  const result = await runChaos({
    quick: opts.quick,
    groups: opts.only,
    grep: opts.grep,
    faultRelinks: opts.faultRelinks,
    repeat: opts.repeat,
    outageMinutes: opts.outageMinutes,
    timeLimitMs: opts.timeLimit * 60_000,
    seed: opts.seed,
    historiesDir:
      typeof opts.recordHistories === 'string'
        ? path.resolve(opts.recordHistories)
        : opts.recordHistories
          ? path.resolve(__dirname, '..', 'test', 'histories')
          : undefined,
  });

  const rows = rowsOf(result.records);
  const sum = totals(result.records);
  const command = ['npm run chaos', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const summary =
    `${sum.runs} runs, ${sum.passed} passed, ${sum.failed} failed in ${Math.round(result.seconds)} s ` +
    `(${os.cpus().length} cores, Node ${process.version})` +
    (result.skipped.length ? `; not started (time limit): ${result.skipped.join('; ')}` : '');
  process.stdout.write(`${terminalTable(rows)}\n${summary}\n`);
  for (const note of notesOf(result.records)) process.stdout.write(`note: ${note}\n`);
  for (const line of failureLines(result.records)) process.stdout.write(`${line}\n`);

  if (opts.doc && !opts.quick && !opts.only && !opts.grep) {
    const doc = path.resolve(__dirname, '..', 'docs', 'reliability.md');
    const block = [
      `Command: \`${command}\` — ${new Date().toISOString().slice(0, 10)}, ${summary}.`,
      '',
      markdownTable(rows),
      '',
      ...notesOf(result.records).map((n) => `- ${n}`),
    ].join('\n');
    await writeTableInto(doc, block);
    process.stderr.write(`chaos: table written to ${path.relative(process.cwd(), doc)}\n`);
  }
  if (existsSync(result.workDir))
    process.stderr.write(`chaos: SQLite file and process logs kept in ${result.workDir}\n`);
  if (sum.failed > 0) process.exitCode = 1;
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
