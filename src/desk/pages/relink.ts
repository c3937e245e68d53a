// "One relink": its steps, per-item state, the patron's email state (never the address), the audit trail with the
// staff member who acted, the buttons for what it waits for, and a link to the Temporal Web UI for admins.
import type { Express } from 'express';
import { RelinkClientError, type RelinkClient, type RelinkProgress } from '../../client';
import { workflowIdSchema } from '../../staff-input/rules';
import { actionsFor, ACTIONS } from '../actions';
import { NotFound } from '../errors';
import type { Forms } from '../forms';
import { render } from '../render';
import type { StaffLog } from '../staff-log';

const QUERY_MS = 15_000;

/** The steps in their order, in the words of Alma's staff UI where it has them. */
export const STEPS: Array<[string, string]> = [
  ['preflight', 'Check patron and items'],
  ['request-review', 'Request review'],
  ['email-swap', 'Email to the holding address'],
  ['scan-in', 'Scan in'],
  ['loan', 'Loan'],
  ['lost-declaration', 'Lost'],
  ['restore', 'Email restored'],
  ['done', 'Done'],
];

function workflowIdOf(raw: string): string {
  const parsed = workflowIdSchema.safeParse(raw);
  if (!parsed.success) throw new NotFound(parsed.error.issues[0]!.message);
  return parsed.data;
}

export function relinkPage(
  app: Express,
  { relinks, forms, log }: { relinks: RelinkClient; forms: Forms; log: StaffLog },
): void {
  app.get('/relinks/:id', async (req, res) => {
    const workflowId = workflowIdOf(req.params.id);
    const status = await relinks.status(workflowId, { timeoutMs: QUERY_MS });
    // A closed relink that failed has no result, but a worker still answers its progress.
    let progress: RelinkProgress | undefined = status.progress;
    if (!progress && status.status !== 'RUNNING' && !status.result) {
      progress = await relinks.progress(workflowId, { timeoutMs: 5_000 }).catch(() => undefined);
    }
    const result = status.result;
    const contact = progress?.contact;
    const email = result
      ? result.emailRestored
        ? `restored${result.emailVerified ? ' and verified' : ''}`
        : 'never changed'
      : contact?.restored
        ? `restored${contact.verified ? ' and verified' : ''}`
        : contact?.swapped
          ? 'the holding address, until the relink ends'
          : status.status === 'RUNNING'
            ? 'not changed yet'
            : 'never changed'; // a failed relink whose swap never applied, as the CLI says
    res.send(
      render('relink', {
        req,
        res,
        title: `Relink ${workflowId}`,
        workflowId,
        patronId: progress?.patronId ?? workflowId.replace(/^relink-/, ''),
        status,
        step: status.step ?? progress?.step,
        steps: STEPS,
        items: result?.items ?? progress?.items ?? [],
        audit: result?.audit ?? progress?.audit ?? [],
        instructions: status.status === 'RUNNING' ? progress?.awaitingInstructions : undefined,
        actions: status.status === 'RUNNING' ? actionsFor(status.awaiting) : [],
        reason: status.status !== 'RUNNING' ? (result?.reason ?? progress?.reason) : undefined,
        email,
      }),
    );
  });

  // The buttons: one route for every action of actions.ts.
  app.post('/relinks/:id/:action', forms.parse, forms.protect, async (req, res) => {
    const workflowId = workflowIdOf(req.params.id as string);
    const action = ACTIONS.find((a) => a.id === req.params.action);
    if (!action) throw new NotFound('The desk has no such action.');
    const staff = res.locals.staff as string;
    try {
      req.session!.flash = await action.run(relinks, workflowId, staff);
      log({ staff, action: action.id, workflowId });
    } catch (err) {
      if (!(err instanceof RelinkClientError)) throw err;
      req.session!.flash = `${action.label}: ${err.message}`;
    }
    // Back to where the button was: the home page, or the relink's own.
    const back =
      (req.body as { back?: string }).back === 'waiting' ? '/' : `/relinks/${encodeURIComponent(workflowId)}`;
    res.redirect(303, back);
  });
}
