// "One relink": its steps, per-item state, the patron's email state (never the address), the audit trail with the
// staff member who acted, the buttons for what it waits for, and a link to the Temporal Web UI for admins.
import type { Express } from 'express';
import { RelinkClientError, type RelinkClient, type RelinkProgress } from '../../client';
import { workflowIdSchema } from '../../staff-input/rules';
import { actionsFor, ACTIONS } from '../actions';
import { NotFound } from '../errors';
import type { Forms } from '../forms';
import { render } from '../render';
import { deskInstructions, refusedActionText, STEP_WORDS } from '../words';
import type { StaffLog } from '../staff-log';
import { STEP_ORDER, stepStates } from '../step-states';

const QUERY_MS = 15_000;

/** The steps in their order, in the words of Alma's staff UI where it has them (words.ts). */
export const STEPS: Array<[string, string]> = STEP_ORDER.map((step) => [step, STEP_WORDS[step]]);

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
    const running = status.status === 'RUNNING';
    const outcome = status.outcome ?? result?.outcome ?? progress?.outcome;
    const states = stepStates({
      running,
      step: status.step ?? progress?.step,
      failed: !running && (outcome === 'needs-attention' || !['COMPLETED', 'CONTINUED_AS_NEW'].includes(status.status)),
      stopped: !running && outcome === 'aborted',
      items: result?.items ?? progress?.items ?? [],
      audit: result?.audit ?? progress?.audit ?? [],
      ...(contact ? { contact } : {}),
      ...(result ? { emailRestored: result.emailRestored } : {}),
    });
    res.send(
      render('relink', {
        req,
        res,
        title: `Relink ${workflowId}`,
        workflowId,
        patronId: progress?.patronId ?? workflowId.replace(/^relink-/, ''),
        status,
        step: status.step ?? progress?.step,
        steps: STEPS.map(([id, label], n) => ({ id, label, state: states[n]! })),
        items: result?.items ?? progress?.items ?? [],
        audit: result?.audit ?? progress?.audit ?? [],
        instructions: status.status === 'RUNNING' ? deskInstructions(progress, res.locals.when) : undefined,
        actions: status.status === 'RUNNING' ? actionsFor(status.awaiting) : [],
        reason: status.status !== 'RUNNING' ? (result?.reason ?? progress?.reason) : undefined,
        email,
      }),
    );
  });

  const actionOf = (id: string) => {
    const action = ACTIONS.find((a) => a.id === id);
    if (!action) throw new NotFound('The desk has no such action.');
    return action;
  };
  const backOf = (back: unknown, workflowId: string) =>
    back === 'waiting' ? '/' : `/relinks/${encodeURIComponent(workflowId)}`;

  // An action that asks first: what it will do, in staff words, and the form that does it. Works without JavaScript.
  app.get('/relinks/:id/:action', async (req, res) => {
    const workflowId = workflowIdOf(req.params.id);
    const action = actionOf(req.params.action);
    if (!action.confirm) throw new NotFound('This action has no page of its own: use its button.');
    const progress = await relinks.progress(workflowId, { timeoutMs: QUERY_MS }).catch(() => undefined);
    res.send(
      render('confirm', {
        req,
        res,
        title: action.confirm.title,
        workflowId,
        action,
        explain: action.confirm.explain(progress),
        back: req.query.back === 'waiting' ? 'waiting' : undefined,
        backUrl: backOf(req.query.back, workflowId),
      }),
    );
  });

  // The buttons: one route for every action of actions.ts.
  app.post('/relinks/:id/:action', forms.parse, forms.protect, async (req, res) => {
    const workflowId = workflowIdOf(req.params.id as string);
    const action = actionOf(req.params.action as string);
    const body = req.body as { back?: string; confirmed?: string };
    // Not confirmed on its page (an old form, a script): show the page instead of acting.
    if (action.confirm && body.confirmed !== 'yes') {
      const back = body.back === 'waiting' ? '?back=waiting' : '';
      res.redirect(303, `/relinks/${encodeURIComponent(workflowId)}/${action.id}${back}`);
      return;
    }
    const staff = res.locals.staff as string;
    try {
      req.session!.flash = await action.run(relinks, workflowId, staff);
      log({ staff, action: action.id, workflowId });
    } catch (err) {
      if (!(err instanceof RelinkClientError)) throw err;
      const now = await relinks.progress(workflowId, { timeoutMs: QUERY_MS }).catch(() => undefined);
      req.session!.flash = refusedActionText(action, err, now);
    }
    // Back to where the button was: the home page, or the relink's own.
    res.redirect(303, backOf(body.back, workflowId));
  });
}
