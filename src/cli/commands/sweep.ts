// relink sweep [--fix]: the safety net for what the workflow cannot guard. A relink terminated from the Web UI, or a
// history lost with a cluster, never restores: its patron keeps the holding address and SMS off. This finds them
// (Alma's user search, on a worker), leaves running relinks alone, and with --fix restores the rest on a worker: by
// the relink's own plan while its history exists, else by the marker alone, saying what staff must then check.
import { RelinkClientError, type RelinkClient, type SweepRestoreResult } from '../../client';
import { loadSettings } from '../../config';
import { markerFor, markersIn, type HoldingAddressFinding, type MarkerRef } from '../../contract';
import { withRelinks } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { sweepText } from '../format';
import type { Output } from '../output';

export interface SweepOptions {
  fix?: boolean;
}

export type SweepState = 'running' | 'not running' | 'restored' | 'needs attention';

/** One holding entry found: its patron, the relink its marker names (none: no marker), and what became of it. */
export interface SweepRow {
  patronId: string;
  workflowId: string | null;
  /** The run of that relink the marker names (8 hex digits); absent for relinks started before run markers. */
  run?: string;
  state: SweepState;
  /** Where a restore takes (or took) the patron's original details from; 'marker': the relink's history is gone. */
  restoreBy?: 'plan' | 'marker';
  /** For staff: what to check or do. No address or number. */
  note?: string;
  /** With --fix: the relink's loans, returned before the restore unless Alma shows them Lost, and their state now. */
  returns?: { barcode: string; loanId?: string; stateNow: string }[];
}

/** The search and each restore run on a worker and read Alma: longer than a query, but bounded. */
const SWEEP_ANSWER_MS = 5 * 60_000;

export async function sweepCommand(opts: SweepOptions, out: Output): Promise<ExitCode> {
  // The holding address is a relink setting: the same the relinks were started with.
  const { temporal, relink } = loadSettings(['temporal', 'relink', 'codec']);
  const holdingEmail = relink.RELINK_HOLDING_EMAIL;
  const rows = await withRelinks(temporal, async (relinks) => {
    const found = await relinks.sweepFind(holdingEmail, { timeoutMs: SWEEP_ANSWER_MS });
    const report: SweepRow[] = [];
    for (const finding of found) {
      const markers = markersOf(finding);
      if (markers.length === 0) report.push(unmarked(finding.patronId));
      for (const marker of markers) report.push(await sweepOne(relinks, finding.patronId, marker, !!opts.fix));
    }
    return report;
  });
  const count = (state: SweepState) => rows.filter((r) => r.state === state).length;
  const summary = {
    running: count('running'),
    notRunning: count('not running'),
    restored: count('restored'),
    needsAttention: count('needs attention'),
  };
  out.result({ holdingEmail, fixed: !!opts.fix, patrons: rows, summary }, () =>
    sweepText(rows, { holdingEmail, fix: !!opts.fix }),
  );
  // Running relinks restore on their own; anything else is a patron left swapped, or one staff must look at.
  return summary.notRunning + summary.needsAttention === 0 ? EXIT.ok : EXIT.failed;
}

const unmarked = (patronId: string): SweepRow => ({
  patronId,
  workflowId: null,
  state: 'needs attention',
  note:
    'The holding address is on the record without a relink marker (added by hand, or the description edited): ' +
    `the sweep does not touch it; check the emails in Alma: Manage Users, patron ${patronId}, Contact Information tab.`,
});

/** The markers found, each naming a relink run; a worker before run markers gave the relink ids alone. */
const markersOf = ({ workflowIds, markers }: HoldingAddressFinding): MarkerRef[] =>
  markers ? markersIn(markers.join(' ')) : markersIn(workflowIds.map((id) => markerFor(id)).join(' '));

async function sweepOne(relinks: RelinkClient, patronId: string, ref: MarkerRef, fix: boolean): Promise<SweepRow> {
  const { workflowId, marker } = ref;
  const base = { patronId, workflowId, ...(ref.run ? { run: ref.run } : {}) };
  // A running relink of the id owns the record, whichever run the marker names.
  if (await isRunning(relinks, workflowId)) return { ...base, state: 'running' };
  // The run's own plan, by its marker: never another run's.
  const recorded = await relinks.recordedRelink(workflowId, marker);
  const plan = recorded?.plan;
  const loans = recorded?.loans ?? [];
  const restoreBy = plan ? 'plan' : 'marker';
  if (!fix) {
    const how = plan ? "from the relink's history" : "from the marker alone (the relink's history is gone)";
    const returning = loans.length
      ? `returns its loans of ${loans.map((l) => l.item.barcode).join(', ')} (unless Alma shows them Lost), then `
      : '';
    const unknown = plan
      ? ''
      : " Its history is gone, so any loan it made is unknown: check the patron's loans in Alma first.";
    return {
      ...base,
      state: 'not running',
      restoreBy,
      note: `Left swapped; relink sweep --fix ${returning}restores it ${how}.${unknown}`,
    };
  }
  // Asked again just before writing: a relink started meanwhile owns the record.
  if (await isRunning(relinks, workflowId)) return { ...base, state: 'running' };
  let result: SweepRestoreResult;
  try {
    result = await relinks.sweepRestore(
      { patronId, workflowId, marker, ...(plan ? { plan } : {}), ...(loans.length ? { loans } : {}) },
      { timeoutMs: SWEEP_ANSWER_MS },
    );
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      ...base,
      state: 'needs attention',
      restoreBy,
      note: `Still swapped: ${why} Run relink sweep --fix again.`,
    };
  }
  const clean = result.verified && !result.attention;
  return {
    ...base,
    state: clean ? 'restored' : 'needs attention',
    restoreBy,
    ...(clean ? {} : { note: result.attention }),
    ...(result.returns?.length ? { returns: result.returns } : {}),
  };
}

async function isRunning(relinks: RelinkClient, workflowId: string): Promise<boolean> {
  try {
    return (await relinks.summary(workflowId)).status === 'RUNNING';
  } catch (err) {
    if (err instanceof RelinkClientError && err.kind === 'not-found') return false;
    throw err;
  }
}
