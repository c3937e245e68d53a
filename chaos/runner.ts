// Runs the chosen chaos scenarios one after another in one lab, within a time budget, and collects their records.
// Used by `npm run chaos` (chaos/run.ts) and, reduced, by the jest test in test/chaos/.
import { rmSync } from 'node:fs';
import { ChaosLab } from './lab';
import type { Group, RunRecord, Scenario } from './scenario';
import { badInputScenarios } from './scenarios/bad-input';
import { cancelScenarios } from './scenarios/cancel';
import { faultScenarios } from './scenarios/faults';
import { limitScenarios } from './scenarios/limits';
import { peopleScenarios } from './scenarios/people';
import { quietPeriodScenarios } from './scenarios/quiet-period';
import { lostByJobScenarios } from './scenarios/lost-by-job';
import { webhookScenarios } from './scenarios/webhooks';
import { serverRestartScenarios } from './scenarios/server-restart';
import { workerCrashScenarios } from './scenarios/worker-crash';
import { recordHistories } from './histories';

export const GROUPS: Record<string, Group> = {
  crash: 'worker crash',
  server: 'server restart',
  faults: 'alma faults',
  input: 'bad input',
  cancel: 'cancel & deadline',
  people: 'people & late writes',
  limits: 'quota, outage & cap',
};

export interface ChaosOptions {
  /** Only the scenarios marked quick, and a smaller fault batch: the version inside `npm test`. */
  quick?: boolean;
  /** Group keys of GROUPS; default all. */
  groups?: string[];
  /** Only the scenarios whose name this matches. */
  grep?: RegExp;
  /** Relinks in the fault batch; default 50 (quick 12). */
  faultRelinks?: number;
  /** Runs of each worker-crash kill point; default 1. */
  repeat?: number;
  /** Length of the Alma outage during the Lost wait, in minutes; default 3. */
  outageMinutes?: number;
  /** No scenario starts after this many ms; default 40 minutes. */
  timeLimitMs?: number;
  seed?: number;
  /** Write the history of every run that passed to this folder, after each scenario (chaos/histories.ts). */
  historiesDir?: string;
  log?: (line: string) => void;
  /** Keep the work folder (SQLite file, process logs) even when every run passed. */
  keepWorkDir?: boolean;
}

export interface ChaosRun {
  records: RunRecord[];
  skipped: string[];
  seconds: number;
  workDir: string;
}

export function scenariosFor(options: ChaosOptions): Scenario[] {
  const quick = options.quick ?? false;
  const all: Scenario[] = [
    ...workerCrashScenarios(options.repeat ?? 1),
    ...quietPeriodScenarios(),
    ...lostByJobScenarios(),
    ...webhookScenarios(),
    ...serverRestartScenarios(),
    ...faultScenarios(options.faultRelinks ?? (quick ? 12 : 50)),
    ...badInputScenarios(),
    ...cancelScenarios(),
    ...peopleScenarios(),
    ...limitScenarios(options.outageMinutes ?? 3),
  ];
  const groups = new Set((options.groups ?? Object.keys(GROUPS)).map((g) => GROUPS[g] ?? g));
  return all.filter((s) => groups.has(s.group) && (!quick || s.quick) && (!options.grep || options.grep.test(s.name)));
}

export async function runChaos(options: ChaosOptions = {}): Promise<ChaosRun> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const deadline = started + (options.timeLimitMs ?? 40 * 60_000);
  const scenarios = scenariosFor(options);
  const lab = await ChaosLab.start({ log, seed: options.seed });
  log(
    `chaos: Temporal dev server ${lab.server.address} (SQLite ${lab.server.dbFilename}), Alma simulator ${lab.sim.url}`,
  );
  const records: RunRecord[] = [];
  const skipped: string[] = [];
  try {
    for (const scenario of scenarios) {
      if (Date.now() > deadline) {
        skipped.push(`${scenario.group} / ${scenario.name}`);
        continue;
      }
      log(`chaos: ${scenario.group} / ${scenario.name}`);
      let got: RunRecord[];
      const began = Date.now();
      try {
        got = await scenario.run(lab);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        got = [
          {
            group: scenario.group,
            scenario: scenario.name,
            outcome: 'error',
            outcomeOk: false,
            violations: [`the scenario broke: ${message}`],
            seconds: (Date.now() - began) / 1000,
          },
        ];
      }
      for (const r of got) {
        const ok = r.outcomeOk && r.violations.length === 0;
        log(
          `  ${ok ? 'ok  ' : 'FAIL'} ${r.outcome} in ${r.seconds.toFixed(1)} s${r.violations.length ? `: ${r.violations.join('; ')}` : ''}`,
        );
      }
      records.push(...got);
      // Now, before a later scenario reuses the patron (the workflow id) and `workflow show` would find its run.
      if (options.historiesDir) await recordHistories(lab, got, options.historiesDir);
    }
  } finally {
    await lab.close();
  }
  const allPassed = records.every((r) => r.outcomeOk && r.violations.length === 0);
  // The folder holds the server's SQLite file and every process log: worth keeping only to look into a failure.
  if (allPassed && !options.keepWorkDir) rmSync(lab.workDir, { recursive: true, force: true });
  return { records, skipped, seconds: (Date.now() - started) / 1000, workDir: lab.workDir };
}
