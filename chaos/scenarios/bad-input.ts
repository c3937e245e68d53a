// Bad input: what staff type (the `relink` command, run as a subprocess exactly as they run it), what a client that
// skips the command could send the workflow, what Alma refuses (unknown, inactive or blocked patron, unknown item,
// an item on loan to someone else), and a worker with a wrong API key or no Alma at all. Each must end with a
// clear error and leave Alma exactly as it was: not one write in the simulator's call log.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import type { SimCall } from '../../src/alma-sim';
import { RelinkClient } from '../../src/client';
import { freePort } from '../../src/dev/free-port';
import { relinkWorkflowId } from '../../src/contract';
import { relinkCommandEnv } from '../../src/dev/relink-input';
import { fixturesWith, item, loan, patron } from '../../src/alma-sim/builders';
import { baselineOf, checkInvariants, writesIn } from '../invariants';
import { sleep, type ChaosLab } from '../lab';
import { cleanEnv, ROOT } from '../processes';
import { chaosInput, describeEnding, type RunRecord, type Scenario } from '../scenario';

const GROUP = 'bad input' as const;
const BIN = path.join(ROOT, 'bin', 'relink.js');

// The Alma state every bad-input case starts from.
const KNOWN = { patronId: 'input.ok', barcode: '55000000001' };
function inputFixtures() {
  const onLoan = item('55000000002', { processType: 'LOAN' });
  return fixturesWith({
    users: [
      patron('input.ok'),
      patron('input.other'),
      patron('input.inactive', { status: 'INACTIVE' }),
      patron('input.blocked', { blocked: true }),
    ],
    items: [item('55000000001'), onLoan],
    loans: [loan('7355000000002', 'input.other', onLoan, { due_date: '2030-01-01T00:00:00Z' })],
  });
}

export interface CliRun {
  code: number | null;
  output: string;
}

/** Runs the `relink` command against the lab; `env` adds relink settings (RELINK_LOST_MODE, RELINK_RESTORE_AFTER). */
export function relinkCli(lab: ChaosLab, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: path.join(lab.workDir, 'cwd'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv({
        TEMPORAL_ADDRESS: lab.server.address,
        RELINK_TASK_QUEUE: lab.taskQueue,
        ...relinkCommandEnv(),
        RELINK_CODEC_KEYS: lab.codecKeys,
        ...env,
      }),
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * The calls this case made. A relink of an earlier scenario leaves a follow-up (recheckRestore) that reads its own
 * patron RELINK_RESTORE_RECHECK (10 minutes, the production default) after its restore, whatever scenario runs then:
 * a read of a patron who is not in this case's Alma at all is that, not this case's.
 */
function callsOfCase(lab: ChaosLab): SimCall[] {
  const here = new Set(lab.sim.state().users.map((u) => u.primary_id));
  return lab.sim.calls().filter((c) => {
    const user = /^\/almaws\/v1\/users\/([^/?]+)(\?|$)/.exec(c.path)?.[1];
    return !(c.method === 'GET' && user !== undefined && !here.has(decodeURIComponent(user)));
  });
}

/** Runs one case on fresh Alma state and checks: the expected ending, no Alma write, every invariant. */
async function inputCase(
  lab: ChaosLab,
  scenario: string,
  patronId: string,
  act: () => Promise<{ outcome: string; ok: boolean; problems?: string[]; note?: string }>,
): Promise<RunRecord> {
  const started = Date.now();
  lab.resetAlma(inputFixtures());
  const baseline = baselineOf(lab.sim.state(), patronId, [KNOWN.barcode, '55000000002']);
  let outcome = 'error';
  let ok = false;
  let note: string | undefined;
  const violations: string[] = [];
  try {
    const got = await act();
    outcome = got.outcome;
    ok = got.ok;
    note = got.note;
    violations.push(...(got.problems ?? []));
  } catch (err) {
    violations.push(`the run broke: ${err instanceof Error ? err.message : String(err)}`);
  }
  const writes = writesIn(callsOfCase(lab));
  if (writes.length)
    violations.push(`Alma got ${writes.length} write(s): ${writes.map((w) => `${w.method} ${w.path}`).join(', ')}`);
  violations.push(...checkInvariants(baseline, lab.sim.state(), lab.sim.notices(), { loaned: [], declaredLost: [] }));
  return { group: GROUP, scenario, outcome, outcomeOk: ok, violations, seconds: (Date.now() - started) / 1000, note };
}

/** `relink …` refused before anything is contacted: exit 2, the problem named, not one Alma call. */
function refusedByCli(name: string, args: string[], message: RegExp, quick = false): Scenario {
  return {
    group: GROUP,
    name: `relink ${name}`,
    quick,
    run: async (lab) => [
      await inputCase(lab, `relink ${name}`, KNOWN.patronId, async () => {
        const run = await relinkCli(lab, args);
        const calls = callsOfCase(lab).length;
        return {
          outcome: `refused (exit ${run.code})`,
          ok: run.code === 2 && message.test(run.output),
          problems: [
            ...(message.test(run.output)
              ? []
              : [`the error does not say ${message}: ${run.output.trim().slice(0, 300)}`]),
            ...(calls ? [`Alma got ${calls} call(s) for an input refused before starting`] : []),
          ],
        };
      }),
    ],
  };
}

/** The workflow itself refuses input that a client sent without the CLI's checks: InvalidInput, no Alma call. */
function refusedByWorkflow(name: string, patronId: string, barcodes: string[]): Scenario {
  return {
    group: GROUP,
    name: `workflow input: ${name}`,
    run: async (lab) => [
      await inputCase(lab, `workflow input: ${name}`, KNOWN.patronId, async () => {
        await lab.ensureWorkers(1);
        await lab.relinks.start(chaosInput(patronId, barcodes));
        const ending = await lab.ending(relinkWorkflowId(patronId), 60_000);
        const calls = callsOfCase(lab).length;
        return {
          outcome: describeEnding(ending),
          ok: ending.outcome === 'failed' && ending.failureType === 'InvalidInput',
          problems: calls ? [`Alma got ${calls} call(s) for input the workflow refuses`] : [],
        };
      }),
    ],
  };
}

/** Alma refuses the relink at preflight: `relink start --wait` ends with the cause, exit 1, nothing written. */
function refusedByAlma(
  name: string,
  patronId: string,
  barcode: string,
  type: string,
  message: RegExp,
  quick = false,
): Scenario {
  return {
    group: GROUP,
    name: `relink start: ${name}`,
    quick,
    run: async (lab) => [
      await inputCase(lab, `relink start: ${name}`, patronId, async () => {
        await lab.ensureWorkers(1);
        const run = await relinkCli(lab, ['start', '--patron', patronId, '--barcode', barcode, '--wait']);
        if (type === 'PatronNotFound') {
          // The patron's identifier is looked up before the start: an unknown one is refused and nothing starts.
          return {
            outcome: `refused (exit ${run.code})`,
            ok: run.code !== 0 && /Nothing was started/.test(run.output) && message.test(run.output),
            problems: message.test(run.output) ? [] : [`relink start does not say ${message}: ${run.output.trim()}`],
          };
        }
        const ending = await lab.ending(relinkWorkflowId(patronId), 60_000);
        return {
          outcome: describeEnding(ending),
          ok: run.code === 1 && ending.failureType === type && message.test(run.output),
          problems: message.test(run.output)
            ? []
            : [`relink start does not say ${message}: ${run.output.trim().slice(-300)}`],
        };
      }),
    ],
  };
}

const brokenCsv = [
  'patron_id,barcode',
  'input.ok,55000000001',
  'input.ok,55000000001,extra',
  ',55000000003',
  'input.other,5500<0000004',
  `input.other,${'5'.repeat(51)}`,
  'input.ok,55000000001',
].join('\n');

export function badInputScenarios(): Scenario[] {
  const B = KNOWN.barcode;
  return [
    refusedByCli(
      'start with an empty patron id',
      ['start', '--patron', '', '--barcode', B],
      /patron id is empty/,
      true,
    ),
    refusedByCli(
      'start with a 101-character patron id',
      ['start', '--patron', 'p'.repeat(101), '--barcode', B],
      /101 characters/,
    ),
    refusedByCli(
      'start with a malformed patron id',
      ['start', '--patron', 'ana rivera;drop', '--barcode', B],
      /characters Alma ids do not use/,
    ),
    refusedByCli(
      'start with an empty barcode',
      ['start', '--patron', KNOWN.patronId, '--barcode', ''],
      /barcode is empty/,
    ),
    refusedByCli(
      'start with a 51-character barcode',
      ['start', '--patron', KNOWN.patronId, '--barcode', '5'.repeat(51)],
      /51 characters/,
    ),
    refusedByCli(
      'start with a malformed barcode',
      ['start', '--patron', KNOWN.patronId, '--barcode', '5500<script>'],
      /characters barcodes do not use/,
    ),
    refusedByCli(
      'start with one barcode twice',
      ['start', '--patron', KNOWN.patronId, '--barcode', B, '--barcode', B],
      /given twice/,
      true,
    ),
    {
      group: GROUP,
      name: 'relink batch with a CSV of broken rows',
      quick: true,
      run: async (lab) => {
        const file = path.join(lab.workDir, 'broken.csv');
        writeFileSync(file, brokenCsv);
        return [
          await inputCase(lab, 'relink batch with a CSV of broken rows', KNOWN.patronId, async () => {
            const run = await relinkCli(lab, ['batch', file]);
            const started = await lab.relinks.list({ includeClosed: true }).catch(() => []);
            const named = /nothing was started/.test(run.output) && /line 3/.test(run.output);
            return {
              outcome: `refused (exit ${run.code})`,
              ok: run.code === 2 && named,
              problems: [
                ...(named
                  ? []
                  : [`the batch error does not name the broken lines: ${run.output.trim().slice(0, 400)}`]),
                ...(started.some((s) => s.patronId === 'input.ok') ? ['a relink was started from a broken file'] : []),
              ],
            };
          }),
        ];
      },
    },
    refusedByWorkflow('empty patron id', '', [B]),
    refusedByWorkflow('overlong barcode', 'input.wf1', ['5'.repeat(51)]),
    refusedByWorkflow('malformed patron id', 'x;y', [B]),
    refusedByWorkflow('duplicate barcode', 'input.wf2', [B, B]),
    refusedByAlma('unknown patron', 'input.nobody', B, 'PatronNotFound', /input\.nobody/, true),
    refusedByAlma('unknown barcode', KNOWN.patronId, '55000000009', 'ItemNotFound', /55000000009/),
    refusedByAlma(
      'item on loan to another patron',
      KNOWN.patronId,
      '55000000002',
      'ItemOnLoan',
      /on an active loan/,
      true,
    ),
    refusedByAlma('inactive patron', 'input.inactive', B, 'PatronInactive', /not active/),
    refusedByAlma('blocked patron', 'input.blocked', B, 'PatronBlocked', /block/),
    wrongApiKey(),
    unreachableAlma(),
  ];
}

/** A worker holding a wrong API key: Alma answers UNAUTHORIZED to the patron lookup, and nothing starts. */
function wrongApiKey(): Scenario {
  const name = 'worker with a wrong Alma API key';
  return {
    group: GROUP,
    name,
    quick: true,
    run: async (lab) => {
      const queue = 'chaos-wrong-key';
      const worker = await lab.startWorker({ taskQueue: queue, almaApiKey: 'not-the-key' });
      try {
        return [
          await inputCase(lab, name, KNOWN.patronId, async () => {
            // The patron's identifier is looked up in Alma before the start: the wrong key is refused there.
            const refusal = await new RelinkClient(lab.client, queue)
              .start(chaosInput(KNOWN.patronId, [KNOWN.barcode]))
              .then(
                () => '',
                (err: Error) => err.message,
              );
            return {
              outcome: refusal ? 'refused at the patron lookup' : 'started',
              ok: /API-key/i.test(refusal) && /Nothing was started/.test(refusal),
            };
          }),
        ];
      } finally {
        await worker.stop();
      }
    },
  };
}

/**
 * A worker whose Alma does not answer: a network error is worth retrying, so the preflight keeps trying (the error
 * stays visible on the pending step) until staff cancel; nothing can have been written.
 */
function unreachableAlma(): Scenario {
  const name = 'worker whose Alma is unreachable, then cancelled';
  return {
    group: GROUP,
    name,
    run: async (lab) => {
      const queue = 'chaos-no-alma';
      const worker = await lab.startWorker({ taskQueue: queue, almaBaseUrl: `http://127.0.0.1:${await freePort()}` });
      const patronId = 'input.ok';
      try {
        return [
          await inputCase(lab, name, patronId, async () => {
            // The patron lookup before the start retries the network error until its own timeout, then refuses.
            const refusal = await new RelinkClient(lab.client, queue).start(chaosInput(patronId, [KNOWN.barcode])).then(
              () => '',
              (err: Error) => err.message,
            );
            if (refusal) return { outcome: 'refused at the patron lookup', ok: true, note: refusal };
            const workflowId = relinkWorkflowId(patronId);
            let lastFailure = '';
            for (let i = 0; i < 100 && !lastFailure; i++) {
              await sleep(200);
              const d = await lab.client.workflow.getHandle(workflowId).describe();
              // Failure messages are encrypted like payloads: decode them as the CLI or the Web UI's codec would.
              const failure = await decodeOptionalFailureToOptionalError(
                lab.client.options.loadedDataConverter,
                d.raw.pendingActivities?.[0]?.lastFailure,
              );
              lastFailure = failure?.message ?? '';
            }
            await lab.relinks.cancel(workflowId);
            const ending = await lab.ending(workflowId, 60_000);
            const clear = /ECONNREFUSED|network|connect/i.test(lastFailure);
            return {
              outcome: describeEnding(ending),
              ok: ending.outcome === 'cancelled' && clear,
              problems: clear ? [] : [`the pending step's error is not clear: "${lastFailure}"`],
              note: `the pending preflight said: ${lastFailure}`,
            };
          }),
        ];
      } finally {
        await worker.stop();
      }
    },
  };
}
