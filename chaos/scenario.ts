// What a chaos scenario is, and the one way a relink is run under chaos: fresh Alma state, a baseline, the relink
// started, the chaos action beside it, staff answering what the relink asks, its ending, then every invariant.
import type { SimCall } from '../src/alma-sim';
import { fixturesWith, type FixtureRecords } from '../src/alma-sim/builders';
import type { RelinkInput } from '../src/contract';
import { relinkWorkflowId } from '../src/contract';
import { relinkInput } from '../src/dev/relink-input';
import { baselineOf, checkInvariants, withEdit } from './invariants';
import { sleep, type ChaosLab, type Ending } from './lab';

export type Group =
  | 'worker crash'
  | 'server restart'
  | 'alma faults'
  | 'bad input'
  | 'cancel & deadline'
  | 'people & late writes'
  | 'quota, outage & cap';

/** One run of one scenario, as the report shows it. */
export interface RunRecord {
  group: Group;
  scenario: string;
  /** What happened, in a word or two: `completed`, `failed: AlmaDailyLimit`, `refused (exit 2)`. */
  outcome: string;
  /** Whether the outcome is the one the scenario expects. */
  outcomeOk: boolean;
  violations: string[];
  seconds: number;
  workflowId?: string;
  /** Something the report should say about the scenario (e.g. how many faults were injected). */
  note?: string;
}

export interface Scenario {
  group: Group;
  name: string;
  /** Part of the reduced run inside `npm test`. */
  quick?: boolean;
  run(lab: ChaosLab): Promise<RunRecord[]>;
}

export interface RelinkRunSpec {
  group: Group;
  scenario: string;
  patronId: string;
  /** Every barcode the run may touch, checked after it; the relink starts with them unless `startWith` says. */
  barcodes: string[];
  /** The barcodes the relink starts with, when the chaos action joins the others. */
  startWith?: string[];
  /** Extra fixtures: the patron, the items, any request or loan. */
  fixtures: FixtureRecords;
  /**
   * Go on from the Alma state the previous run left (its records, letters and daily API count) instead of a fresh
   * one; `fixtures` is then ignored, and the patron must already be in Alma.
   */
  keepAlma?: boolean;
  input?: Partial<RelinkInput>;
  /**
   * The chaos action, beside the relink. It is called just before the relink starts, so what it does before its
   * first await (arming a Hold) is in place before the relink's first Alma call.
   */
  during?: (lab: ChaosLab, workflowId: string) => Promise<void>;
  /** The staff member clicks Lost whenever the relink asks (default true). */
  staff?: boolean;
  /** A staff member chose to keep the loans (relink cancel --keep-loans) during the run. */
  staffKeepsLoans?: boolean;
  /** The expected ending; default: completed, email restored and verified. */
  expect?: (ending: Ending) => boolean;
  /**
   * An edit someone else makes to the patron's record during the run (see `withEdit`): the relink must keep it, so the
   * record must end as the original with this edit applied.
   */
  keptEdit?: (user: Record<string, any>) => void;
  /**
   * The scenario's own expectations, checked once the relink has closed and before the invariants: it may wait for
   * what comes after the relink (its follow-up), and returns what it found wrong, in words.
   */
  afterEnding?: (lab: ChaosLab, ending: Ending, workflowId: string) => Promise<string[]>;
  timeoutMs?: number;
}

export const completedAndRestored = (e: Ending) =>
  e.outcome === 'completed' && !!e.result?.emailRestored && !!e.result?.emailVerified;

export function describeEnding(e: Ending): string {
  return e.outcome === 'failed' ? `failed: ${e.failureType ?? 'unknown'}` : e.outcome;
}

/**
 * Input for chaos relinks: the production durations (step timeout 1 minute, RELINK_DEFAULTS) but for the quick Lost
 * poll of relinkInput. A step lost with a killed worker is retried once its heartbeats stop (20 s), not at the step
 * timeout. (A 3-second step timeout used to make kills cheap; with the Alma client's 2 s margin before each step's
 * deadline it leaves no time for a single call.)
 */
export function chaosInput(patronId: string, barcodes: string[], extra: Partial<RelinkInput> = {}): RelinkInput {
  return relinkInput(patronId, barcodes, extra);
}

/** Runs one relink under chaos and checks it. Never throws: a broken run is a failed record. */
export async function relinkRun(lab: ChaosLab, spec: RelinkRunSpec): Promise<RunRecord> {
  const started = Date.now();
  const workflowId = relinkWorkflowId(spec.patronId);
  const record = (outcome: string, outcomeOk: boolean, violations: string[]): RunRecord => ({
    group: spec.group,
    scenario: spec.scenario,
    outcome,
    outcomeOk,
    violations,
    seconds: (Date.now() - started) / 1000,
    workflowId,
  });
  if (!spec.keepAlma) lab.resetAlma(fixturesWith(spec.fixtures));
  const original = baselineOf(lab.sim.state(), spec.patronId, spec.barcodes);
  const baseline = spec.keptEdit ? withEdit(original, spec.keptEdit) : original;
  let desk: ReturnType<ChaosLab['staffDesk']> | undefined;
  let chaos: Promise<void> | undefined;
  try {
    await lab.ensureWorkers(1);
    chaos = spec.during?.(lab, workflowId);
    chaos?.catch(() => undefined); // reported through the race below
    await lab.relinks.start(chaosInput(spec.patronId, spec.startWith ?? spec.barcodes, spec.input));
    if (spec.staff !== false) desk = lab.staffDesk(new Map([[workflowId, spec.patronId]]));
    // The chaos action and the relink run side by side; a broken action fails the run at once.
    const chaosFailed = chaos?.then(
      () => new Promise<never>(() => undefined),
      (err: unknown) => Promise.reject(err),
    );
    const ending = await Promise.race([
      lab.ending(workflowId, spec.timeoutMs ?? 90_000),
      ...(chaosFailed ? [chaosFailed] : []),
    ]);
    await chaos;
    await desk?.stop();
    desk = undefined;
    lab.clearFaults();
    if (ending.outcome === 'still-running') {
      await lab.terminate(workflowId);
      return record('timed out', false, ['the relink did not finish in time']);
    }
    const own = (await spec.afterEnding?.(lab, ending, workflowId)) ?? [];
    const loaned = await lab.loanedBarcodes(workflowId);
    const violations = checkInvariants(baseline, lab.sim.state(), lab.sim.notices(), {
      loaned,
      declaredLost: spec.barcodes.filter((b) => lab.declaredLost.has(b)),
      keptByStaff: spec.staffKeepsLoans ? loaned : [],
    });
    return record(describeEnding(ending), (spec.expect ?? completedAndRestored)(ending), [...own, ...violations]);
  } catch (err) {
    await desk?.stop();
    lab.clearFaults();
    await lab.terminate(workflowId);
    return record('error', false, [`the run broke: ${err instanceof Error ? err.message : String(err)}`]);
  }
}

// --- landing on a precise point: the simulator holds the n-th matching call -----------------------------------

export interface CallSpec {
  method: string;
  /** Regular expression searched in the call's path and query string (as in the simulator's rules). */
  path: string;
  /** Which matching call, counting from when the hold is armed; default 1. */
  nth?: number;
}

/**
 * `held`: the simulator holds the call `holdMs` before running it — a write is applied by Alma after that, whoever
 * is still listening. `answered`: nothing is held; the point is the moment Alma's answer went out.
 * `dropped`: Alma applies the call and closes the connection without an answer.
 */
export type HoldMode = 'held' | 'answered' | 'dropped';

export class Hold {
  private readonly from: number;
  private readonly regex: RegExp;
  private arrivedAt = 0;

  constructor(
    private readonly lab: ChaosLab,
    readonly call: CallSpec,
    readonly mode: HoldMode = 'held',
    readonly holdMs = 1_500,
  ) {
    this.regex = new RegExp(call.path);
    this.from = lab.sim.calls().length;
    const nth = call.nth ?? 1;
    const match = { method: call.method, path: call.path };
    const before = nth > 1 ? [{ ...match, action: 'delay' as const, delayMs: 0, times: nth - 1 }] : [];
    if (mode === 'held') lab.setFaults({ rules: [...before, { ...match, action: 'delay', delayMs: holdMs }] });
    if (mode === 'dropped') lab.setFaults({ rules: [...before, { ...match, action: 'apply-then-drop' }] });
  }

  private matching(): SimCall[] {
    return this.lab.sim
      .calls()
      .slice(this.from)
      .filter((c) => c.method === this.call.method && this.regex.test(c.path));
  }

  /** Resolves when the call has reached the point: arrived (held), answered, or dropped. */
  async reached(timeoutMs = 60_000): Promise<void> {
    const nth = this.call.nth ?? 1;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const call = this.matching()[nth - 1];
      const there =
        call &&
        (this.mode === 'held' ||
          (this.mode === 'answered' && call.status !== 0) ||
          (this.mode === 'dropped' && !!call.fault));
      if (there) {
        this.arrivedAt = Date.now();
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`call ${this.call.method} ${this.call.path} #${nth} never reached (${this.mode})`);
      }
      await sleep(5);
    }
  }

  /** Waits until a held call has run in Alma, then lifts the rules. */
  async settle(): Promise<void> {
    if (this.mode === 'held') await sleep(Math.max(0, this.arrivedAt + this.holdMs + 300 - Date.now()));
    this.lab.setFaults({});
  }
}

/** Regular-expression text for an id inside a path. */
export const re = (id: string) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
