// The generated chaos (`npm run chaos -- --generated`): fast-check generates sequences of commands (model.ts) and
// runs each on one lab — the dev server, the simulator and worker processes stay up across sequences, each sequence
// has its own patron and items — then drives the relink to an end and checks the promise's invariants
// (chaos/invariants.ts, the ones every scenario checks). A failing sequence is shrunk, within a time budget, to a
// shorter one that still fails, and printed with its seed and path: `--seed S` runs the same sequences again,
// `--seed S --path P` only the shrunk one.
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { ChaosLab } from '../lab';
import { ChaosDesks } from './desk';
import { COMMANDS, describeSetup, initialModel, setupArb } from './model';
import { World, type Setup } from './world';

export interface GeneratedOptions {
  seed: number;
  /** fast-check's path of a counterexample: replays only it. */
  path?: string;
  /** The commands' replay path fast-check printed with it (which commands of the shrunk sequence ran). */
  replayPath?: string;
  /** At most this many sequences (fast-check's numRuns). */
  sequences: number;
  /** At most this many generated commands per sequence (after the start). */
  length: number;
  /** No new sequence starts after this many ms (shrinking has its own budget). */
  timeLimitMs: number;
  /** Time allowed to shrink a failure, from the first failing sequence on. */
  shrinkLimitMs: number;
  log?: (line: string) => void;
}

/** One sequence as it ran. */
export interface SequenceRecord {
  n: number;
  setup: Setup;
  /** The commands run (the ones whose check held), in order. */
  commands: string[];
  violations: string[];
  seconds: number;
  shrinking: boolean;
}

export interface GeneratedRun {
  seed: number;
  records: SequenceRecord[];
  /** The shrunk failure, when a sequence broke the promise. */
  failure?: {
    path: string;
    replayPath?: string;
    setup: Setup;
    commands: string[];
    violations: string[];
    trace: string[];
  };
  seconds: number;
  workDir: string;
}

/** How long the end of a sequence may take to bring the relink to an end (staff answering its waits). */
const END_MS = 180_000;

export async function runGenerated(o: GeneratedOptions): Promise<GeneratedRun> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const lab = await ChaosLab.start({ log, seed: o.seed });
  log(`chaos --generated: seed ${o.seed}; Temporal ${lab.server.address}, Alma simulator ${lab.sim.url}`);
  const desks = new ChaosDesks(lab);
  const records: SequenceRecord[] = [];
  let firstFailureAt = 0;
  let last: { world: World; setup: Setup; violations: string[] } | undefined;

  const property = fc.asyncProperty(
    setupArb,
    fc.commands(COMMANDS, {
      maxCommands: o.length,
      size: 'max',
      ...(o.replayPath ? { replayPath: o.replayPath } : {}),
    }),
    async (setup, cmds) => {
      const shrinking = firstFailureAt > 0;
      // Past the budget, a run is a pass without touching the stack: fast-check ends quickly.
      if (!shrinking && Date.now() - started > o.timeLimitMs) return true;
      if (shrinking && Date.now() - firstFailureAt > o.shrinkLimitMs) return true;
      const begin = Date.now();
      const world = new World(lab, desks, records.length + 1, setup);
      log(`chaos: sequence ${world.n}${shrinking ? ' (shrinking)' : ''}: ${describeSetup(setup)}`);
      let broke: string | undefined;
      try {
        await lab.ensureWorkers(1);
        world.note(`> start(item 0, ${setup.startVia})`);
        await world.startOrJoin([0], setup.startVia);
        await fc.asyncModelRun(() => ({ model: initialModel(setup), real: world }), cmds);
      } catch (err) {
        broke = `the sequence broke: ${err instanceof Error ? err.message : String(err)}`;
      }
      let violations: string[];
      try {
        violations = [...(broke ? [broke] : []), ...(await world.finish(END_MS))];
      } catch (err) {
        violations = [
          ...(broke ? [broke] : []),
          `the check broke: ${err instanceof Error ? err.message : String(err)}`,
        ];
      }
      const commands = world.trace.filter((l) => l.startsWith('> ')).map((l) => l.slice(2));
      records.push({ n: world.n, setup, commands, violations, seconds: (Date.now() - begin) / 1000, shrinking });
      log(`  ${violations.length ? `FAIL: ${violations.join('; ')}` : 'ok'} (${commands.length} commands)`);
      if (violations.length === 0) return true;
      if (!shrinking) firstFailureAt = Date.now();
      last = { world, setup, violations };
      return false;
    },
  );

  let details: fc.RunDetails<[Setup, Iterable<fc.AsyncCommand<object, World>>]>;
  try {
    await lab.ensureWorkers(1);
    details = await fc.check(property as never, {
      seed: o.seed,
      ...(o.path ? { path: o.path } : {}),
      // A sequence takes a minute: the budgets in the property bound the run and its shrinking.
      numRuns: o.sequences,
    });
  } finally {
    await desks.close();
    await lab.close();
  }
  const run: GeneratedRun = { seed: o.seed, records, seconds: (Date.now() - started) / 1000, workDir: lab.workDir };
  if (details.failed && details.counterexample && last) {
    // The last failing run is the shrunk counterexample fast-check reports.
    run.failure = {
      path: details.counterexamplePath ?? '',
      replayPath: /replayPath="([^"]*)"/.exec(String(details.counterexample[1]))?.[1],
      setup: details.counterexample[0],
      commands: last.world.trace.filter((l) => l.startsWith('> ')).map((l) => l.slice(2)),
      violations: last.violations,
      trace: last.world.trace,
    };
  } else if (details.failed) {
    run.failure = {
      path: details.counterexamplePath ?? '',
      setup: details.counterexample?.[0] ?? { lostMode: 'staff-click', quiet: false, startVia: 'client' },
      commands: [],
      violations: [String(details.errorInstance ?? 'fast-check failed without a counterexample')],
      trace: [],
    };
  }
  if (!run.failure) rmSync(lab.workDir, { recursive: true, force: true });
  return run;
}

/** The run in a few lines: sequences, lengths, commands and settings covered, and the failure with its replay. */
export function generatedReport(run: GeneratedRun): string[] {
  const main = run.records.filter((r) => !r.shrinking);
  const lengths = main.map((r) => r.commands.length).sort((a, b) => a - b);
  const kinds = new Map<string, number>();
  for (const r of main)
    for (const c of r.commands) {
      const kind = c
        .replace(/\(.*$/, '')
        .replace(/ for \d+ s$/, '')
        .replace(/ \d+ s$/, '')
        .trim();
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  const settings = new Map<string, number>();
  for (const r of main) {
    const key = `${r.setup.lostMode}${r.setup.quiet ? ' + quiet' : ''}`;
    settings.set(key, (settings.get(key) ?? 0) + 1);
  }
  const lines = [
    `${main.length} sequences (seed ${run.seed}) in ${Math.round(run.seconds)} s; commands per sequence ` +
      (lengths.length
        ? `${lengths[0]}-${lengths[lengths.length - 1]} (median ${lengths[Math.floor(lengths.length / 2)]}, ` +
          `${lengths.reduce((s, n) => s + n, 0)} in all)`
        : 'none') +
      `; ${main.filter((r) => r.violations.length).length} failed` +
      (run.records.length > main.length ? `; ${run.records.length - main.length} shrinking runs` : ''),
    `settings: ${[...settings].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
    `commands: ${[...kinds]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ')}`,
  ];
  if (run.failure) {
    const f = run.failure;
    lines.push(
      '',
      `FAILURE (seed ${run.seed}, path ${f.path}): ${describeSetup(f.setup)}`,
      ...f.commands.map((c, i) => `  ${i + 1}. ${c}`),
      'violations:',
      ...f.violations.map((v) => `  - ${v}`),
      `replay: npm run chaos -- --generated --seed ${run.seed} --path ${f.path}` +
        (f.replayPath ? ` --replay-path '${f.replayPath}'` : ''),
      'trace of the shrunk sequence:',
      ...f.trace.map((t) => `  ${t}`),
      `logs: ${run.workDir}`,
    );
  }
  return lines;
}
