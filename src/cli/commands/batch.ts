// relink batch FILE.csv: check the whole file, plan it against today's Alma quota, then start one relink per patron
// (joining a running one), with a progress bar on stderr and a CSV report (or --json) on stdout: one line per item.
import { readFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { relinkWorkflowId } from '../../client';
import { loadSettings } from '../../config';
import { REPORT_COLUMNS, runBatch, type BatchReportRow } from '../../staff-input/batch-run';
import { parseBatchFile, type BatchRelink } from '../batch-file';
import { lostModeCostOf, planAgainstQuota, quotaWords, type QuotaPlan } from '../batch-quota';
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

export interface BatchOptions {
  /** Start what fits above today's quota floor and leave the rest for tomorrow, instead of refusing the batch. */
  pace?: boolean;
}

/** The batch would cross the floor and --pace was not given: nothing starts. */
function refusal(plan: QuotaPlan): CliError {
  const { today } = plan;
  return new CliError('refused', `${quotaWords(plan)} Nothing was started.`, {
    hint:
      `Run it again with --pace to start the first ${today.length} patron${today.length === 1 ? '' : 's'} now ` +
      "(the report marks the other lines waits-for-tomorrow), or after Alma's midnight reset.",
  });
}

function waitingRows(relink: BatchRelink, plan: QuotaPlan): BatchReportRow[] {
  return relink.rows.map((row) => ({
    patron_id: row.patronId,
    barcode: row.barcode,
    workflow_id: relinkWorkflowId(row.patronId),
    result: 'waits-for-tomorrow',
    message:
      `not started: today's Alma quota is taken up to the floor (${plan.available} calls above it, ` +
      `${plan.neededToday} planned); start it after Alma's midnight reset`,
  }));
}

export async function batchCommand(file: string, out: Output, options: BatchOptions = {}): Promise<ExitCode> {
  // Step 1: the whole file, then the settings; nothing starts unless every line is right.
  const plan = parseBatchFile(readFile(file), file);
  const { temporal, relink } = loadSettings(['temporal', 'relink', 'codec']);
  const inputOf = (r: { patronId: string; rows: { barcode: string }[] }) =>
    relinkInputFor({ patronId: r.patronId, barcodes: r.rows.map((x) => x.barcode) }, relink);
  plan.relinks.forEach(inputOf); // every relink's input checked before the first starts

  // Step 2: the calls the batch needs against today's quota; then one relink per patron, a few at a time; a
  // refusal fails that patron's lines, not the batch.
  const { rows, summary } = await withRelinks(temporal, async (relinks) => {
    const reading = await relinks.dailyQuota(plan.relinks[0]!.patronId, { timeoutMs: WORKER_ANSWER_MS });
    const quota = planAgainstQuota(plan.relinks, reading, lostModeCostOf(relink));
    if (quota.tomorrow.length > 0 && !options.pace) throw refusal(quota);
    if (reading.remaining === undefined)
      out.note('Alma sent no daily quota reading: the batch was not planned against it.');
    const held = new Map(quota.tomorrow.map((r) => [r.patronId, waitingRows(r, quota)]));
    const stderr = out.streams.stderr;
    const bar = stderr.isTTY
      ? new SingleBar(
          { stream: stderr, format: 'Starting relinks [{bar}] {value}/{total} patrons', hideCursor: true },
          Presets.shades_classic,
        )
      : undefined;
    bar?.start(plan.relinks.length - held.size, 0);
    try {
      return await runBatch(relinks, plan, inputOf, {
        timeoutMs: WORKER_ANSWER_MS,
        messageOf: (err) => translateTemporalError(err, temporal).message,
        onPatronDone: () => bar?.increment(),
        held,
      });
    } finally {
      bar?.stop();
    }
  });

  // Step 3: the report, in the order of the file.
  out.result({ rows, summary }, () => stringify(rows, { header: true, columns: REPORT_COLUMNS }).trimEnd());
  if (!out.json) {
    const patrons = plan.relinks.length;
    out.note(
      `${rows.length} item${rows.length === 1 ? '' : 's'} of ${patrons} patron${patrons === 1 ? '' : 's'}: ` +
        `${summary.started} in new relinks, ${summary.joined} added to running ones, ${summary.alreadyInRelink} already in one, ` +
        `${summary.failed} failed` +
        (summary.waitsForTomorrow ? `, ${summary.waitsForTomorrow} wait for tomorrow (today's Alma quota)` : '') +
        '. See them with: relink list',
    );
  }
  return summary.failed ? EXIT.failed : EXIT.ok;
}
