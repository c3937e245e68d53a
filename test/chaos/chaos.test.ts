// The reduced chaos run (`npm run chaos -- --quick`) inside npm test: its own Temporal dev server and SQLite file
// (not jest's), the Alma simulator, and real worker processes killed with SIGKILL. Every run must end as expected
// with every invariant held; the full set (npm run chaos) and its table are in docs/reliability.md.
import { failureLines, markdownTable, rowsOf, totals } from '../../chaos/report';
import { runChaos } from '../../chaos/runner';

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
