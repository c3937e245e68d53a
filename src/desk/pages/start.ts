// "Start a relink": a patron and one or more barcodes (a textarea takes a pasted or scanned list), checked by the
// same rules as `relink start`, with each problem next to its field. Starting joins the patron's running relink.
import type { Express, RequestHandler } from 'express';
import { RelinkClientError, type RelinkClient, type RelinkStatus } from '../../client';
import type { RelinkSettings } from '../../config';
import { InvalidInput } from '../../staff-input/problems';
import { relinkInputFor, startArgsSchema } from '../../staff-input/rules';
import type { Forms } from '../forms';
import { render } from '../render';
import { outcomeWords } from '../words';
import type { StaffLog } from '../staff-log';

/** How long a start waits for a worker to take it. */
const START_MS = 15_000;
/**
 * After a start, how long the desk watches it before it says "Started": a relink that fails (the preflight refuses
 * an item, Alma refuses the loan) does so within seconds, before it first waits for staff.
 */
const SETTLE_MS = 5_000;
const SETTLE_POLL_MS = 250;

/**
 * How the new relink stands after its first seconds: its status once it has ended, or undefined once it waits for
 * staff, or after SETTLE_MS still working (or when Temporal does not answer: the relink's page tells).
 */
async function endedAtOnce(
  relinks: RelinkClient,
  workflowId: string,
  runId?: string,
): Promise<RelinkStatus | undefined> {
  const until = Date.now() + SETTLE_MS;
  for (;;) {
    // describe(): the server's search attributes, nothing for a worker to answer.
    const summary = await relinks.summary(workflowId, runId).catch(() => undefined);
    if (!summary || summary.awaiting !== 'none') return undefined;
    if (summary.status !== 'RUNNING') {
      return relinks.status(workflowId, { runId, timeoutMs: 5_000 }).catch(() => summary);
    }
    if (Date.now() + SETTLE_POLL_MS > until) return undefined;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

/** What the page after the start says of a relink that ended within seconds, in staff words. */
function endedText(patronId: string, status: RelinkStatus): string {
  const why = status.failure?.message ?? status.result?.reason;
  const how = status.outcome === 'failed' || !status.outcome ? 'failed' : `ended (${outcomeWords(status.outcome)})`;
  return `The relink of patron ${patronId} ${how} within seconds of its start${why ? `: ${why}` : '.'}`;
}

/** A scanned or pasted list: one barcode a line (or separated by spaces or commas). */
export const barcodesOf = (text: string): string[] => text.split(/[\s,;]+/).filter(Boolean);

interface FieldErrors {
  patron?: string[];
  barcodes?: string[];
  form?: string[];
}

/** What the pages that start relinks (one, or a batch) are given: the client, the settings, forms, the start limit. */
export interface StartingPageDeps {
  relinks: RelinkClient;
  relink: RelinkSettings;
  forms: Forms;
  limit: RequestHandler;
  log: StaffLog;
}

export function startPage(app: Express, { relinks, relink, forms, limit, log }: StartingPageDeps): void {
  const page = (
    req: Parameters<RequestHandler>[0],
    res: Parameters<RequestHandler>[1],
    values = { patron: '', barcodes: '' },
    errors: FieldErrors = {},
  ) => render('start', { req, res, title: 'Start a relink', values, errors });

  app.get('/start', (req, res) => {
    res.send(page(req, res));
  });

  app.post('/start', forms.parse, forms.protect, limit, async (req, res) => {
    const body = req.body as { patron?: string; barcodes?: string };
    const values = { patron: (body.patron ?? '').trim(), barcodes: body.barcodes ?? '' };
    const parsed = startArgsSchema.safeParse({ patronId: values.patron, barcodes: barcodesOf(values.barcodes) });
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] === 'patronId' ? 'patron' : 'barcodes';
        (errors[field] ??= []).push(issue.message);
      }
      res.status(400).send(page(req, res, values, errors));
      return;
    }
    try {
      const input = relinkInputFor(parsed.data, relink);
      const started = await relinks.start(input, { timeoutMs: START_MS });
      const staff = res.locals.staff as string;
      log({
        staff,
        action: started.joined ? 'join' : 'start',
        workflowId: started.workflowId,
        barcodes: started.added,
      });
      const ended = started.joined ? undefined : await endedAtOnce(relinks, started.workflowId, started.runId);
      req.session!.flash = ended
        ? endedText(started.patronId, ended)
        : started.joined
          ? `Added ${started.added.join(', ') || 'nothing new'} to the running relink of patron ${started.patronId}` +
            (started.alreadyPresent.length ? ` (already in it: ${started.alreadyPresent.join(', ')})` : '') +
            '.'
          : `Started the relink of patron ${started.patronId}: ${started.added.join(', ')}.`;
      res.redirect(303, `/relinks/${encodeURIComponent(started.workflowId)}`);
    } catch (err) {
      if (err instanceof InvalidInput) {
        res.status(400).send(page(req, res, values, { form: err.problems.map((p) => p.message) }));
        return;
      }
      if (err instanceof RelinkClientError) {
        // A patron Alma does not know is a problem of the patron field; the rest concern the whole start.
        const field = /not found|could not be looked up/i.test(err.message) ? 'patron' : 'form';
        res.status(err.kind === 'failed' ? 502 : 409).send(page(req, res, values, { [field]: [err.message] }));
        return;
      }
      // Temporal away or restarting (a gRPC error): whether the start went through is unknown, so say where to look.
      const why = err instanceof Error ? err.message : String(err);
      const message =
        `The relink service did not answer (${why}). The start may or may not have gone through: look for patron ` +
        `${values.patron}'s relink on the Waiting page before you start it again.`;
      res.status(503).send(page(req, res, values, { form: [message] }));
    }
  });
}
