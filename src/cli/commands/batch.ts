// relink batch FILE.csv: check the whole file, then start one relink per patron (joining a running one), with a
// progress bar on stderr and a CSV report (or --json) on stdout: one line per item of the file.
import { readFileSync } from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { relinkWorkflowId, type StartedRelink } from '../../client';
import { loadSettings } from '../../config';
import { parseBatchFile, type BatchRelink } from '../batch-file';
import { planAgainstQuota, type QuotaPlan } from '../batch-quota';
import { translateTemporalError, withRelinks, WORKER_ANSWER_MS } from '../context';
import { CliError, EXIT, type ExitCode } from '../errors';
import { relinkInputFor } from '../input';
import type { Output } from '../output';

/** What happened to one item of the file. */
export type BatchResult = 'started' | 'joined' | 'already-in-relink' | 'failed' | 'waits-for-tomorrow';

export interface BatchReportRow {
  patron_id: string;
  barcode: string;
  workflow_id: string;
  result: BatchResult;
  message: string;
}

export const REPORT_COLUMNS: Array<keyof BatchReportRow> = ['patron_id', 'barcode', 'workflow_id', 'result', 'message'];

/** Relinks started at a time: enough to be quick, few enough to leave the worker's Alma budget to the relinks. */
const CONCURRENCY = 4;

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (err as Error).message;
    throw new CliError('invalid-input', `Cannot read ${file}: ${reason}. Nothing was started.`);
  }
}

function rowsFor(relink: BatchRelink, started: StartedRelink): BatchReportRow[] {
  return relink.rows.map((row) => {
    const base = { patron_id: row.patronId, barcode: row.barcode, workflow_id: started.workflowId };
    if (!started.joined) return { ...base, result: 'started', message: 'relink started' };
    if (started.alreadyPresent.includes(row.barcode)) {
      return { ...base, result: 'already-in-relink', message: "already in the patron's running relink" };
    }
    return { ...base, result: 'joined', message: "added to the patron's running relink" };
  });
}

export interface BatchOptions {
  /** Start what fits above today's quota floor and leave the rest for tomorrow, instead of refusing the batch. */
  pace?: boolean;
}

const calls = (n: number) => `${n} Alma call${n === 1 ? '' : 's'}`;

/** The batch would cross the floor and --pace was not given: nothing starts. */
function refusal(plan: QuotaPlan): CliError {
  const { reading, available = 0, today } = plan;
  return new CliError(
    'refused',
    `The batch needs about ${calls(plan.needed)}, and Alma has ${reading.remaining} left today: ` +
      `${available} above the workers' floor of ${reading.floor}, kept for restores. Nothing was started.`,
    {
      hint:
        `Run it again with --pace to start the first ${today.length} patron${today.length === 1 ? '' : 's'} now ` +
        "(the report marks the other lines waits-for-tomorrow), or after Alma's midnight reset.",
    },
  );
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
  const inputs = plan.relinks.map((r) => ({
    relink: r,
    input: relinkInputFor({ patronId: r.patronId, barcodes: r.rows.map((x) => x.barcode) }, relink),
  }));

  // Step 2: the calls the batch needs against today's quota; then one relink per patron, a few at a time; a
  // refusal fails that patron's lines, not the batch.
  const byPatron = new Map<string, BatchReportRow[]>();
  await withRelinks(temporal, async (relinks) => {
    const reading = await relinks.dailyQuota(plan.relinks[0]!.patronId, { timeoutMs: WORKER_ANSWER_MS });
    const quota = planAgainstQuota(plan.relinks, reading);
    if (quota.tomorrow.length > 0 && !options.pace) throw refusal(quota);
    for (const r of quota.tomorrow) byPatron.set(r.patronId, waitingRows(r, quota));
    if (reading.remaining === undefined)
      out.note('Alma sent no daily quota reading: the batch was not planned against it.');
    const starting = new Set(quota.today);
    const stderr = out.streams.stderr;
    const bar = stderr.isTTY
      ? new SingleBar(
          { stream: stderr, format: 'Starting relinks [{bar}] {value}/{total} patrons', hideCursor: true },
          Presets.shades_classic,
        )
      : undefined;
    const queue = inputs.filter((x) => starting.has(x.relink));
    bar?.start(queue.length, 0);
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { relink: r, input } = next;
        try {
          byPatron.set(r.patronId, rowsFor(r, await relinks.start(input, { timeoutMs: WORKER_ANSWER_MS })));
        } catch (err) {
          const message = translateTemporalError(err, temporal).message;
          byPatron.set(
            r.patronId,
            r.rows.map((row) => ({
              patron_id: row.patronId,
              barcode: row.barcode,
              workflow_id: relinkWorkflowId(row.patronId),
              result: 'failed',
              message,
            })),
          );
        }
        bar?.increment();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    } finally {
      bar?.stop();
    }
  });

  // Step 3: the report, in the order of the file.
  const rows = plan.rows.map((row) => byPatron.get(row.patronId)!.find((r) => r.barcode === row.barcode)!);
  const count = (result: BatchResult) => rows.filter((r) => r.result === result).length;
  const summary = {
    started: count('started'),
    joined: count('joined'),
    alreadyInRelink: count('already-in-relink'),
    failed: count('failed'),
    waitsForTomorrow: count('waits-for-tomorrow'),
  };
  out.result({ rows, summary }, () => stringify(rows, { header: true, columns: REPORT_COLUMNS }).trimEnd());
  if (!out.json) {
    out.note(
      `${rows.length} item${rows.length === 1 ? '' : 's'} of ${inputs.length} patron${inputs.length === 1 ? '' : 's'}: ` +
        `${summary.started} in new relinks, ${summary.joined} added to running ones, ${summary.alreadyInRelink} already in one, ` +
        `${summary.failed} failed` +
        (summary.waitsForTomorrow ? `, ${summary.waitsForTomorrow} wait for tomorrow (today's Alma quota)` : '') +
        '. See them with: relink list',
    );
  }
  return summary.failed ? EXIT.failed : EXIT.ok;
}
