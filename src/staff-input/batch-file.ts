// A batch file: CSV with the header `patron_id,barcode` and one line per item. The whole file is checked before
// anything starts, and every bad line is reported with its line number, so staff fix the file once.
import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import { barcodesProblems } from '../client';
import { InvalidInput, type Problem } from './problems';
import { barcodeSchema, patronIdSchema } from './rules';

export const BATCH_COLUMNS = ['patron_id', 'barcode'] as const;

/** Items (lines) one batch takes by default: a file for a day's desk work, not a migration. */
export const BATCH_MAX_DEFAULT = 200;

/**
 * DESK_BATCH_MAX, the items one batch takes, read by the desk's settings and by relink batch alike, so a file the
 * desk refuses is refused on the command line too.
 */
export const batchMaxSchema = z.coerce.number().int().min(1).max(10_000).default(BATCH_MAX_DEFAULT);

export function batchMaxFrom(env: NodeJS.ProcessEnv): number {
  const parsed = batchMaxSchema.safeParse(env.DESK_BATCH_MAX || undefined);
  if (!parsed.success)
    throw new InvalidInput('DESK_BATCH_MAX must be a whole number from 1 to 10000; nothing was started', [
      { message: `DESK_BATCH_MAX is "${env.DESK_BATCH_MAX}"` },
    ]);
  return parsed.data;
}

const rowSchema = z.object({ patron_id: patronIdSchema, barcode: barcodeSchema });

export interface BatchRow {
  /** The line of the file, 1 being the header. */
  line: number;
  patronId: string;
  barcode: string;
}

/** One relink: a patron and their items, in the order of the file. */
export interface BatchRelink {
  patronId: string;
  rows: BatchRow[];
}

export interface BatchPlan {
  rows: BatchRow[];
  relinks: BatchRelink[];
}

interface Parsed {
  record: string[];
  info: { lines: number };
}

function readCsv(text: string, fileName: string): Parsed[] {
  try {
    return parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
    }) as Parsed[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new InvalidInput(
        `${fileName} is not a readable CSV file; nothing was started`,
        [{ ...(line ? { line } : {}), message: err.message }],
        true,
      );
    }
    throw err;
  }
}

/**
 * Parses and checks the whole file; throws InvalidInput listing every problem, by line. A file of more than `maxItems`
 * item lines is refused whole, with the one problem of its size.
 */
export function parseBatchFile(text: string, fileName: string, maxItems = BATCH_MAX_DEFAULT): BatchPlan {
  const records = readCsv(text, fileName);
  const problems: Problem[] = [];
  const fail = () =>
    new InvalidInput(
      `${fileName} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was started`,
      problems,
    );

  const header = records[0];
  if (!header) {
    problems.push({
      line: 1,
      message: 'the file is empty: it needs the header line patron_id,barcode and one line per item',
    });
    throw fail();
  }
  const columns = header.record.map((c) => c.toLowerCase());
  if (!columns.includes('patron_id') && !columns.includes('barcode')) {
    problems.push({
      line: header.info.lines,
      message: `the first line must be the header patron_id,barcode (found "${header.record.join(',')}")`,
    });
    throw fail();
  }
  columns.forEach((c, i) => {
    if (!(BATCH_COLUMNS as readonly string[]).includes(c)) {
      problems.push({
        line: header.info.lines,
        message: `unknown column "${header.record[i]}": the columns are patron_id and barcode`,
      });
    } else if (columns.indexOf(c) !== i) {
      problems.push({ line: header.info.lines, message: `column "${c}" appears twice` });
    }
  });
  for (const missing of BATCH_COLUMNS.filter((c) => !columns.includes(c))) {
    problems.push({ line: header.info.lines, message: `column "${missing}" is missing` });
  }
  if (records.length === 1)
    problems.push({ line: header.info.lines, message: 'there is no item line under the header' });
  if (BATCH_COLUMNS.some((c) => !columns.includes(c))) throw fail();
  if (records.length - 1 > maxItems) {
    problems.push({
      line: records[maxItems + 1]!.info.lines,
      message:
        `the file has ${records.length - 1} item lines, and a batch takes at most ${maxItems}: ` +
        `split it into files of at most ${maxItems} lines`,
    });
    throw fail();
  }

  const rows: BatchRow[] = [];
  const byPair = new Map<string, number>();
  const byBarcode = new Map<string, BatchRow>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== columns.length) {
      problems.push({
        line,
        message: `has ${record.length} field${record.length === 1 ? '' : 's'}; the header has ${columns.length}`,
      });
      continue;
    }
    const fields = Object.fromEntries(columns.map((c, i) => [c, record[i]]));
    const parsed = rowSchema.safeParse(fields);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((i) => ({ line, message: i.message })));
      continue;
    }
    const row: BatchRow = { line, patronId: parsed.data.patron_id, barcode: parsed.data.barcode };
    const pair = `${row.patronId}\u0000${row.barcode}`;
    const first = byPair.get(pair);
    const other = byBarcode.get(row.barcode);
    if (first !== undefined) {
      problems.push({ line, message: `patron ${row.patronId}, barcode ${row.barcode} repeats line ${first}` });
    } else if (other) {
      problems.push({
        line,
        message: `barcode ${row.barcode} is also listed for patron ${other.patronId} on line ${other.line} (an item is loaned to one patron)`,
      });
    } else {
      byPair.set(pair, line);
      byBarcode.set(row.barcode, row);
      rows.push(row);
    }
  }

  const relinks = new Map<string, BatchRelink>();
  for (const row of rows) {
    const relink = relinks.get(row.patronId) ?? { patronId: row.patronId, rows: [] };
    relink.rows.push(row);
    relinks.set(row.patronId, relink);
  }
  // The rule for one relink's barcodes (how many at most), with the line of the patron's first item.
  for (const relink of relinks.values()) {
    for (const message of barcodesProblems(relink.rows.map((r) => r.barcode))) {
      problems.push({ line: relink.rows[0]!.line, message: `patron ${relink.patronId}: ${message}` });
    }
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (problems.length) throw fail();
  return { rows, relinks: [...relinks.values()] };
}
