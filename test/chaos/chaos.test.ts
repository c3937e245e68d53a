// The reduced chaos run (`npm run chaos -- --quick`) inside npm test: its own Temporal dev server and SQLite file
// (not jest's), the Alma simulator, and real worker processes killed with SIGKILL. Every run must end as expected
// with every invariant held; the full set (npm run chaos) and its table are in docs/reliability.md.
import { failureLines, markdownTable, rowsOf, totals } from '../../chaos/report';
import { runChaos } from '../../chaos/runner';
import { generatedReport, runGenerated } from '../../chaos/generated/run';

describe('the relink under chaos (quick set)', () => {
  it('keeps the patron safe through killed workers, server restarts, Alma faults, bad input, cancels, staff and SIS edits, the daily quota and the barcode cap', async () => {
    const lines: string[] = [];
    const run = await runChaos({ quick: true, log: (line) => lines.push(line), timeLimitMs: 8 * 60_000 });
    const failures = failureLines(run.records);
    if (failures.length) {
      console.error(`${markdownTable(rowsOf(run.records))}\n\n${lines.join('\n')}\nlogs: ${run.workDir}`);
    }
    expect(failures).toEqual([]);
    expect(run.skipped).toEqual([]);
    const groups = new Set(run.records.map((r) => r.group));
    expect([...groups].sort()).toEqual(
      [
        'alma faults',
        'bad input',
        'cancel & deadline',
        'people & late writes',
        'quota, outage & cap',
        'server restart',
        'worker crash',
      ].sort(),
    );
    expect(totals(run.records).runs).toBeGreaterThanOrEqual(25);
  }, 600_000);
});

// The generated chaos (npm run chaos -- --generated), a short fixed-seed set: three sequences of at most six commands
// on the real stack, both Lost modes, with and without a quiet period (seed 3's first three). A failure prints its
// commands, violations and the line that replays it; shrinking is left to a local run (npm run chaos -- --generated
// --seed 3), so CI stays within its few minutes.
describe('the relink under generated chaos (fixed seeds)', () => {
  it('keeps every invariant through generated sequences of staff, Alma, faults, kills and restarts', async () => {
    const lines: string[] = [];
    const run = await runGenerated({
      seed: 3,
      sequences: 3,
      length: 6,
      timeLimitMs: 150_000,
      shrinkLimitMs: 0,
      log: (line) => lines.push(line),
    });
    const report = generatedReport(run);
    if (run.failure) console.error(`${report.join('\n')}\n\n${lines.join('\n')}`);
    expect(run.failure).toBeUndefined();
    expect(run.records.map((r) => `${r.setup.lostMode}${r.setup.quiet ? '+quiet' : ''}`)).toEqual([
      'staff-click+quiet',
      'overdue-job+quiet',
      'staff-click',
    ]);
    expect(run.records.every((r) => r.violations.length === 0)).toBe(true);
  }, 420_000);
});
