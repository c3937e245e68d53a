// "Batch": upload the same CSV as `relink batch`, see the per-line check before anything starts, start it, follow
// its progress and download the report. A batch in progress lives in this desk process (a restart forgets the page,
// not the relinks: they run in Temporal, and `relink list` or the home page still shows them).
import { randomUUID } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import multer from 'multer';
import { stringify } from 'csv-stringify/sync';
import { parseBatchFile, type BatchPlan } from '../../staff-input/batch-file';
import { REPORT_COLUMNS, runBatch, type BatchReportRow, type BatchSummary } from '../../staff-input/batch-run';
import { InvalidInput } from '../../staff-input/problems';
import { relinkInputFor } from '../../staff-input/rules';
import { NotFound } from '../errors';
import { render } from '../render';
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

export function batchPage(app: Express, { relinks, relink, forms, limit, log }: StartingPageDeps): void {
  const jobs = new Map<string, BatchJob>();
  const inputOf = (r: BatchPlan['relinks'][number]) =>
    relinkInputFor({ patronId: r.patronId, barcodes: r.rows.map((x) => x.barcode) }, relink);

  /** The file's check: the plan, or the problems by line. Also every relink's input, before anything starts. */
  const check = (text: string, fileName: string) => {
    try {
      const plan = parseBatchFile(text, fileName);
      plan.relinks.forEach(inputOf);
      return { plan };
    } catch (err) {
      if (err instanceof InvalidInput) return { refused: err };
      throw err;
    }
  };

  app.get('/batch', (req, res) => {
    res.send(render('batch', { req, res, title: 'Batch' }));
  });

  // multer reads the multipart body first; only then is the CSRF token in it to check.
  app.post('/batch/check', uploadFile, forms.protect, (req, res) => {
    if (!req.file) {
      res.status(400).send(render('batch', { req, res, title: 'Batch', error: 'Choose a CSV file to upload.' }));
      return;
    }
    const fileName = req.file.originalname.replace(/[^\w. -]/g, '_').slice(0, 100) || 'batch.csv';
    const text = req.file.buffer.toString('utf8');
    const { plan, refused } = check(text, fileName);
    if (refused) {
      res.status(400).send(render('batch', { req, res, title: 'Batch', fileName, refused }));
      return;
    }
    res.send(render('batch-check', { req, res, title: 'Batch: check', fileName, plan, text }));
  });

  app.post('/batch/start', forms.parse, forms.protect, limit, (req, res) => {
    const body = req.body as { text?: string; fileName?: string };
    const fileName = body.fileName || 'batch.csv';
    const { plan, refused } = check(body.text ?? '', fileName);
    if (refused) {
      res.status(400).send(render('batch', { req, res, title: 'Batch', fileName, refused }));
      return;
    }
    const staff = res.locals.staff as string;
    const job: BatchJob = { id: randomUUID(), staff, fileName, patrons: plan.relinks.length, done: 0 };
    jobs.set(job.id, job);
    for (const old of [...jobs.keys()].slice(0, Math.max(0, jobs.size - KEEP))) jobs.delete(old);
    log({ staff, action: 'batch', patrons: plan.relinks.length, barcodes: plan.rows.map((r) => r.barcode) });
    runBatch(relinks, plan, inputOf, {
      timeoutMs: START_MS,
      messageOf: (err) => (err instanceof Error ? err.message : String(err)),
      onPatronDone: (done) => (job.done = done),
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
    res.send(render('batch-job', { req, res, title: `Batch ${job.fileName}`, job }));
  });

  app.get('/batch/:id/report.csv', (req, res) => {
    const job = jobOf(req.params.id);
    if (!job.rows) throw new NotFound('The batch has not finished yet: its report comes when it has.');
    res.type('text/csv');
    res.attachment(`${job.fileName.replace(/\.csv$/i, '')}-report.csv`);
    res.send(stringify(job.rows, { header: true, columns: REPORT_COLUMNS }));
  });
}
