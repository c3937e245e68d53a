// "Batch": upload the same CSV as `relink batch`, see the per-line check and the plan against today's Alma quota
// before anything starts, start it, follow its progress and download the report. The checked batch waits on the
// server (checked-batches.ts) and is started by its id; each relink it starts takes one of the staff member's starts
// a minute (start-limit.ts), so a large batch goes at that pace. A batch in progress lives in this desk process (a
// restart forgets the page, not the relinks: they run in Temporal, and `relink list` or the home page still shows them).
import { randomUUID } from 'node:crypto';
import type { Express, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { stringify } from 'csv-stringify/sync';
import { parseBatchFile, type BatchPlan } from '../../staff-input/batch-file';
import { lostModeCostOf, planAgainstQuota, quotaWords, type QuotaPlan } from '../../staff-input/batch-quota';
import { REPORT_COLUMNS, runBatch, type BatchReportRow, type BatchSummary } from '../../staff-input/batch-run';
import { InvalidInput } from '../../staff-input/problems';
import { relinkInputFor } from '../../staff-input/rules';
import { CheckedBatches, CHECKED_BATCH_TTL_MS } from '../checked-batches';
import { NotFound } from '../errors';
import { render } from '../render';
import type { StartLimit } from '../start-limit';
import type { StartingPageDeps } from './start';

/** How long each start waits for a worker to take it. */
const START_MS = 15_000;
/** Batches kept for their page and report. */
const KEEP = 50;

interface BatchJob {
  id: string;
  staff: string;
  fileName: string;
  patrons: number;
  done: number;
  rows?: BatchReportRow[];
  summary?: BatchSummary;
  error?: string;
  /** While the start limit holds the batch: when the next relinks may start (ISO). */
  waitingUntil?: string;
}

export interface BatchPageDeps extends StartingPageDeps {
  starts: StartLimit;
  startsPerMinute: number;
  batchMax: number;
}

const FILE_MB = 1;
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: FILE_MB * 1024 * 1024, files: 1, fields: 5 },
}).single('file');

/** The upload, with its refusals (too large, too many parts, malformed) as the batch page in staff words, not a 500. */
const uploadFile: RequestHandler = (req, res, next) => {
  upload(req, res, (err: unknown) => {
    if (!err) return next();
    const tooLarge = err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE';
    const error = tooLarge
      ? `The file is larger than ${FILE_MB} MB, more than a batch takes. Split it into smaller files.`
      : 'The desk could not read the upload: choose one CSV file and press "Check the file" again.';
    res.status(tooLarge ? 413 : 400).send(render('batch', { req, res, title: 'Batch', error }));
  });
};

export function batchPage(
  app: Express,
  { relinks, relink, forms, log, starts, startsPerMinute, batchMax }: BatchPageDeps,
): void {
  const jobs = new Map<string, BatchJob>();
  const checked = new CheckedBatches();
  const inputOf = (r: BatchPlan['relinks'][number]) =>
    relinkInputFor({ patronId: r.patronId, barcodes: r.rows.map((x) => x.barcode) }, relink);
  const batchPageWith = (req: Request, res: Response, status: number, data: Record<string, unknown>) =>
    res.status(status).send(render('batch', { req, res, title: 'Batch', batchMax, ...data }));

  /** The file's check: the plan, or the problems by line. Also every relink's input, before anything starts. */
  const check = (text: string, fileName: string) => {
    try {
      const plan = parseBatchFile(text, fileName, batchMax);
      plan.relinks.forEach(inputOf);
      return { plan };
    } catch (err) {
      if (err instanceof InvalidInput) return { refused: err };
      throw err;
    }
  };

  /** The batch against today's Alma quota, as relink batch plans it; undefined with the reason if Alma did not say. */
  const planToday = async (plan: BatchPlan): Promise<{ quota: QuotaPlan } | { unread: string }> => {
    try {
      const reading = await relinks.dailyQuota(plan.relinks[0]!.patronId, { timeoutMs: START_MS });
      return { quota: planAgainstQuota(plan.relinks, reading, lostModeCostOf(relink)) };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return {
        unread: `The desk could not read today's Alma quota (${why}). Nothing was started: check the file again in a minute.`,
      };
    }
  };

  /** A batch that would take Alma's calls below the workers' floor: refused whole, as relink batch without --pace. */
  const crossing = (quota: QuotaPlan) =>
    `${quotaWords(quota)} Nothing was started. The first ${quota.today.length} patron` +
    `${quota.today.length === 1 ? '' : 's'} of the file would fit today: start the batch after Alma's midnight reset, ` +
    'or upload a smaller file.';

  app.get('/batch', (req, res) => {
    batchPageWith(req, res, 200, {});
  });

  // multer reads the multipart body first; only then is the CSRF token in it to check.
  app.post('/batch/check', uploadFile, forms.protect, async (req, res) => {
    if (!req.file) {
      batchPageWith(req, res, 400, { error: 'Choose a CSV file to upload.' });
      return;
    }
    const fileName = req.file.originalname.replace(/[^\w. -]/g, '_').slice(0, 100) || 'batch.csv';
    const text = req.file.buffer.toString('utf8');
    const { plan, refused } = check(text, fileName);
    if (refused) {
      batchPageWith(req, res, 400, { fileName, refused });
      return;
    }
    const today = await planToday(plan);
    if ('unread' in today) {
      batchPageWith(req, res, 503, { fileName, error: today.unread });
      return;
    }
    const { quota } = today;
    const fits = quota.tomorrow.length === 0;
    const batch = fits ? checked.keep(res.locals.staff as string, fileName, plan) : undefined;
    res.status(fits ? 200 : 409).send(
      render('batch-check', {
        req,
        res,
        title: 'Batch: check',
        fileName,
        plan,
        quota: fits ? quotaWords(quota) : undefined,
        crossing: fits ? undefined : crossing(quota),
        batchId: batch?.id,
        keptMinutes: CHECKED_BATCH_TTL_MS / 60_000,
        startsPerMinute,
      }),
    );
  });

  // No start-limit count for the form itself: each relink the batch starts takes one (starts.take below).
  app.post('/batch/start', forms.parse, forms.protect, async (req, res) => {
    const staff = res.locals.staff as string;
    const batch = checked.take(String((req.body as { batch?: unknown }).batch ?? ''), staff);
    if (!batch) {
      batchPageWith(req, res, 410, {
        error:
          'This checked batch is not here any more: it was started already, it was checked more than ' +
          `${CHECKED_BATCH_TTL_MS / 60_000} minutes ago, or the desk restarted. Nothing was started: upload the file ` +
          'again to check it.',
      });
      return;
    }
    const { plan, fileName } = batch;
    // Alma's quota again: other work took calls since the check.
    const today = await planToday(plan);
    if ('unread' in today || today.quota.tomorrow.length > 0) {
      batchPageWith(req, res, 'unread' in today ? 503 : 409, {
        fileName,
        error: 'unread' in today ? today.unread : crossing(today.quota),
      });
      return;
    }
    const job: BatchJob = { id: randomUUID(), staff, fileName, patrons: plan.relinks.length, done: 0 };
    jobs.set(job.id, job);
    for (const old of [...jobs.keys()].slice(0, Math.max(0, jobs.size - KEEP))) jobs.delete(old);
    log({ staff, action: 'batch', patrons: plan.relinks.length, barcodes: plan.rows.map((r) => r.barcode) });
    runBatch(relinks, plan, inputOf, {
      timeoutMs: START_MS,
      messageOf: (err) => (err instanceof Error ? err.message : String(err)),
      onPatronDone: (done) => (job.done = done),
      takeStart: () =>
        starts.take(staff, (until) => {
          if (until) job.waitingUntil = until.toISOString();
          else delete job.waitingUntil;
        }),
    }).then(
      ({ rows, summary }) => Object.assign(job, { rows, summary }),
      (err: unknown) => (job.error = err instanceof Error ? err.message : String(err)),
    );
    res.redirect(303, `/batch/${job.id}`);
  });

  const jobOf = (id: string) => {
    const job = jobs.get(id);
    if (!job) throw new NotFound('This desk has no such batch (batches are kept until the desk restarts).');
    return job;
  };

  app.get('/batch/:id', (req, res) => {
    const job = jobOf(req.params.id);
    res.send(render('batch-job', { req, res, title: `Batch ${job.fileName}`, job, startsPerMinute }));
  });

  app.get('/batch/:id/report.csv', (req, res) => {
    const job = jobOf(req.params.id);
    if (!job.rows) throw new NotFound('The batch has not finished yet: its report comes when it has.');
    res.type('text/csv');
    res.attachment(`${job.fileName.replace(/\.csv$/i, '')}-report.csv`);
    res.send(stringify(job.rows, { header: true, columns: REPORT_COLUMNS }));
  });
}
