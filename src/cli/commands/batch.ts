// relink batch FILE.csv: check the whole file, then start one relink per patron (joining a running one), with a
// progress bar on stderr and a CSV report (or --json) on stdout: one line per item of the file.
import { readFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { loadSettings } from '../../config';
import { REPORT_COLUMNS, runBatch } from '../../staff-input/batch-run';
import { parseBatchFile } from '../batch-file';
import { translateTemporalError, withRelinks, WORKER_ANSWER_MS } from '../context';
import { CliError, EXIT, type ExitCode } from '../errors';
import { relinkInputFor } from '../input';
import type { Output } from '../output';

export { REPORT_COLUMNS, type BatchReportRow, type BatchResult } from '../../staff-input/batch-run';

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (err as Error).message;
    throw new CliError('invalid-input', `Cannot read ${file}: ${reason}. Nothing was started.`);
  }
}

export async function batchCommand(file: string, out: Output): Promise<ExitCode> {
  // Step 1: the whole file, then the settings; nothing starts unless every line is right.
  const plan = parseBatchFile(readFile(file), file);
  const { temporal, relink } = loadSettings(['temporal', 'relink', 'codec']);
  const inputOf = (r: { patronId: string; rows: { barcode: string }[] }) =>
    relinkInputFor({ patronId: r.patronId, barcodes: r.rows.map((x) => x.barcode) }, relink);
  plan.relinks.forEach(inputOf); // every relink's input checked before the first starts

  // Step 2: one relink per patron, a few at a time; a refusal fails that patron's lines, not the batch.
  const { rows, summary } = await withRelinks(temporal, async (relinks) => {
    const stderr = out.streams.stderr;
    const bar = stderr.isTTY
      ? new SingleBar(
          { stream: stderr, format: 'Starting relinks [{bar}] {value}/{total} patrons', hideCursor: true },
          Presets.shades_classic,
        )
      : undefined;
    bar?.start(plan.relinks.length, 0);
    try {
      return await runBatch(relinks, plan, inputOf, {
        timeoutMs: WORKER_ANSWER_MS,
        messageOf: (err) => translateTemporalError(err, temporal).message,
        onPatronDone: () => bar?.increment(),
      });
    } finally {
      bar?.stop();
    }
  });

  // Step 3: the report, in the order of the file.
  out.result({ rows, summary }, () => stringify(rows, { header: true, columns: REPORT_COLUMNS }).trimEnd());
  if (!out.json) {
    out.note(
      `${rows.length} item${rows.length === 1 ? '' : 's'} of ${plan.relinks.length} patron${plan.relinks.length === 1 ? '' : 's'}: ` +
        `${summary.started} in new relinks, ${summary.joined} added to running ones, ${summary.alreadyInRelink} already in one, ` +
        `${summary.failed} failed. See them with: relink list`,
    );
  }
  return summary.failed ? EXIT.failed : EXIT.ok;
}
