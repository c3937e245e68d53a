// The chaos report: one row per scenario with its runs, how they ended and whether every invariant held, as a
// terminal table and as the Markdown table kept in docs/reliability.md (between two marker comments, so the
// prose around it is never touched).
import { readFileSync, writeFileSync } from 'node:fs';
import Table from 'cli-table3';
import type { RunRecord } from './scenario';

export interface ReportRow {
  group: string;
  scenario: string;
  runs: number;
  outcomes: string;
  invariants: string;
  seconds: number;
  passed: boolean;
}

function countOutcomes(records: RunRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => (records.length === 1 ? outcome : `${outcome} ×${n}`)).join(', ');
}

export function rowsOf(records: RunRecord[]): ReportRow[] {
  const byScenario = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.group}\u0000${r.scenario}`;
    byScenario.set(key, [...(byScenario.get(key) ?? []), r]);
  }
  return [...byScenario.values()].map((runs) => {
    const broken = runs.filter((r) => r.violations.length > 0).length;
    return {
      group: runs[0]!.group,
      scenario: runs[0]!.scenario,
      runs: runs.length,
      outcomes: countOutcomes(runs),
      invariants: broken === 0 ? 'all held' : `violated in ${broken}`,
      seconds: runs.reduce((s, r) => s + r.seconds, 0),
      passed: runs.every((r) => r.outcomeOk && r.violations.length === 0),
    };
  });
}

export function totals(records: RunRecord[]) {
  const passed = records.filter((r) => r.outcomeOk && r.violations.length === 0).length;
  return { runs: records.length, passed, failed: records.length - passed };
}

export function terminalTable(rows: ReportRow[]): string {
  const table = new Table({
    head: ['Group', 'Scenario', 'Runs', 'Outcome', 'Invariants', 's', ''],
    colWidths: [17, 58, 6, 34, 13, 7, 4],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    table.push([r.group, r.scenario, r.runs, r.outcomes, r.invariants, r.seconds.toFixed(0), r.passed ? 'ok' : 'FAIL']);
  }
  return table.toString();
}

const cell = (s: string | number) => String(s).replace(/\|/g, '\\|');

export function markdownTable(rows: ReportRow[]): string {
  const lines = [
    '| Group | Scenario | Runs | Outcome | Invariants | Time (s) | Result |',
    '| --- | --- | ---: | --- | --- | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${cell(r.group)} | ${cell(r.scenario)} | ${r.runs} | ${cell(r.outcomes)} | ${r.invariants} | ${r.seconds.toFixed(0)} | ${r.passed ? 'pass' : '**FAIL**'} |`,
    ),
  ];
  return lines.join('\n');
}

/** The scenarios' notes (one per scenario), for under the table. */
export function notesOf(records: RunRecord[]): string[] {
  const seen = new Map<string, string>();
  for (const r of records) if (r.note && !seen.has(r.scenario)) seen.set(r.scenario, `${r.scenario}: ${r.note}`);
  return [...seen.values()];
}

/** Every violation and unexpected outcome, one line each, for the end of the output. */
export function failureLines(records: RunRecord[]): string[] {
  return records
    .filter((r) => !r.outcomeOk || r.violations.length > 0)
    .flatMap((r) => [
      `${r.group} / ${r.scenario}${r.workflowId ? ` (${r.workflowId})` : ''}: ${r.outcome}${r.outcomeOk ? '' : ' (unexpected)'}`,
      ...r.violations.map((v) => `    - ${v}`),
    ]);
}

export const TABLE_START = '<!-- chaos-table:start -->';
export const TABLE_END = '<!-- chaos-table:end -->';

/**
 * Replaces the table between the markers in the document; the rest of it stays as written. The result is laid out
 * by Prettier with the project's settings, so `npm run lint` stays clean after a run.
 */
export async function writeTableInto(docPath: string, block: string): Promise<void> {
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${docPath} has no ${TABLE_START} … ${TABLE_END} section`);
  const text = `${doc.slice(0, start + TABLE_START.length)}\n\n${block}\n\n${doc.slice(end)}`;
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(docPath)) ?? {};
  writeFileSync(docPath, await prettier.format(text, { ...options, filepath: docPath }));
}
