// The simulator's own controls under /_sim (no API key, not in the call log): reset, state, letters, calls,
// faults, the daily quota's midnight reset, the staff "Lost" click, runs of Alma's scheduled jobs and a SIS load. Plain JSON, not Alma's shapes.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { SimCore } from '../core';
import { FaultsError } from '../faults';
import { FixtureError } from '../fixtures';
import { isJobName, JOBS, runJob } from '../jobs';
import { declareLost, editUser, loanAtDesk, returnItem, StaffActionError } from '../staff';
import { WebhookSettingsError, type SimWebhookSettings } from '../webhooks';

export function adminRouter(core: SimCore): Router {
  const router = express.Router();
  router.use(express.json({ limit: '20mb', strict: false }));

  router.post('/reset', (req, res) => {
    core.reset(req.body ?? undefined);
    const s = core.store;
    res.json({
      ok: true,
      counts: {
        users: s.users.length,
        items: s.items.length,
        loans: s.loans.length,
        requests: s.requests.length,
        fees: s.fees.length,
      },
    });
  });
  router.get('/state', (_req, res) => void res.json(core.store.snapshot()));
  router.get('/notices', (_req, res) => void res.json(core.notices.all()));
  // ?from=N: the calls from the N-th on (0-based), for a watcher that reads only what is new.
  router.get('/calls', (req, res) => {
    const from = Number(req.query.from ?? 0);
    if (!Number.isInteger(from) || from < 0) throw new StaffActionError(400, 'from must be an integer >= 0');
    res.json(core.calls.all(from));
  });
  router.get('/faults', (_req, res) => void res.json(core.faults.current()));
  router.put('/faults', (req, res) => {
    core.faults.configure(req.body ?? {});
    res.json(core.faults.current());
  });
  // Alma's midnight reset of the daily API count; body { remaining } to start from another number.
  router.post('/quota/reset', (req, res) => {
    core.faults.resetDaily((req.body as { remaining?: number } | undefined)?.remaining);
    res.json({ dailyRemaining: core.faults.remaining });
  });
  router.post('/staff/loans/:loan_id/lost', (req, res) => {
    const amount = (req.body as { amount?: unknown } | undefined)?.amount;
    if (amount !== undefined && typeof amount !== 'number') throw new StaffActionError(400, 'amount must be a number');
    res.json(declareLost(core, req.params.loan_id ?? '', amount));
  });
  // Fulfillment > Return Items at a desk (body { circ_desk } for another than the library's first).
  router.post('/staff/items/:barcode/return', (req, res) => {
    const desk = (req.body as { circ_desk?: unknown } | undefined)?.circ_desk;
    if (desk !== undefined && typeof desk !== 'string') throw new StaffActionError(400, 'circ_desk must be a string');
    res.json(returnItem(core, req.params.barcode ?? '', desk));
  });

  // Manage Patron Services: a staff member loans an item at a desk, overriding the limits the API cannot (body
  // { user_id, barcode, circ_desk? }).
  router.post('/staff/loans', (req, res) => {
    const body = (req.body ?? {}) as { user_id?: unknown; barcode?: unknown; circ_desk?: unknown };
    if (typeof body.user_id !== 'string' || typeof body.barcode !== 'string')
      throw new StaffActionError(400, 'user_id and barcode are required strings');
    if (body.circ_desk !== undefined && typeof body.circ_desk !== 'string')
      throw new StaffActionError(400, 'circ_desk must be a string');
    res.json(loanAtDesk(core, body.user_id, body.barcode, body.circ_desk));
  });

  // A staff member edits a user record in Alma's UI (body: the fields changed, e.g. { contact_info }): unlike a PUT
  // through the API, Alma sends a USER webhook for it.
  router.post('/staff/users/:user_id', (req, res) => {
    const body = req.body as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new StaffActionError(400, 'the body is the fields changed, e.g. { "contact_info": {...} }');
    res.json(editUser(core, req.params.user_id ?? '', body as Record<string, unknown>));
  });

  // Alma's webhooks (webhooks.ts): PUT { url, secret, retryDelaysMs?, dropRate?, dropNext?, delayMs?, seed? } sets
  // the listener and challenges it (answered with the challenge's result), DELETE stops them, GET tells what was sent.
  router.put('/webhooks', async (req, res) => {
    const challenge = await core.webhooks.configure(req.body as SimWebhookSettings);
    res.json({ settings: core.webhooks.settings(), challenge });
  });
  router.delete('/webhooks', async (_req, res) => {
    await core.webhooks.configure(undefined);
    res.json({ settings: null });
  });
  router.post('/webhooks/challenge', async (_req, res) => {
    core.webhooks.lastChallenge = await core.webhooks.challenge();
    res.json(core.webhooks.lastChallenge);
  });
  router.get('/webhooks', (_req, res) => {
    res.json({
      settings: core.webhooks.settings() ?? null,
      lastChallenge: core.webhooks.lastChallenge ?? null,
      sent: core.webhooks.sent(),
    });
  });

  // An admin's run of one of Alma's scheduled jobs, now instead of at night.
  router.post('/jobs/:job/run', (req, res) => {
    const job = req.params.job ?? '';
    if (!isJobName(job)) throw new StaffActionError(404, `No job ${job}: the jobs are ${JOBS.join(', ')}.`);
    res.json(runJob(core, job));
  });

  // The SIS synchronize job (sis.ts), body { patrons?: string[] } to load only those External users.
  router.post('/sis-load', (req, res) => {
    const patrons = (req.body as { patrons?: unknown } | undefined)?.patrons;
    if (patrons !== undefined && !(Array.isArray(patrons) && patrons.every((p) => typeof p === 'string'))) {
      throw new StaffActionError(400, 'patrons must be a list of primary ids');
    }
    res.json(core.sisLoad(patrons as string[] | undefined));
  });

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      error instanceof StaffActionError
        ? error.status
        : error instanceof FixtureError || error instanceof FaultsError || error instanceof WebhookSettingsError
          ? 400
          : typeof (error as { status?: unknown }).status === 'number'
            ? (error as { status: number }).status
            : 500;
    res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
  });
  return router;
}
