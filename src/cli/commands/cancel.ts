// relink cancel: stop a relink. Its loans that are not declared Lost are returned first (scanned in while the holding
// address still receives any letter), then the patron's email is restored (that part cannot be cancelled). With
// --keep-loans the loans stay active and not lost: an explicit, audited staff decision, printed with what follows.
import { LOST_CLICK_WAITS } from '../../contract';
import { temporalSettings, withRelinks } from '../context';
import { CliError, EXIT, type ExitCode } from '../errors';
import { parseOrThrow, staffNameSchema, workflowIdSchema } from '../input';
import type { Output } from '../output';
import { whatToDoText } from '../format';
import { statusView, type StatusView } from '../view';
import { runningStatus, watch } from './running-relink';

export interface CancelOptions {
  keepLoans?: boolean;
  by?: string;
}

export async function cancelCommand(id: string, opts: CancelOptions, out: Output): Promise<ExitCode> {
  const workflowId = parseOrThrow(workflowIdSchema, id, 'cancel the relink');
  const by = opts.by === undefined ? undefined : parseOrThrow(staffNameSchema, opts.by, 'cancel the relink');
  return withRelinks(temporalSettings(), async (relinks) => {
    const before = await runningStatus(relinks, workflowId);
    let warning: string | undefined;
    if (!opts.keepLoans && before.awaiting === 'return-refused') {
      // Already stopping, and the stop cannot be cancelled: what it waits for is a return done in Alma.
      throw new CliError(
        'refused',
        `Relink ${workflowId} is already stopping: Alma refused to return a loan, and the holding address stays until ` +
          'it is returned (or declared Lost) in Alma.',
        {
          hint:
            `Return it in Alma (Fulfillment > Return Items), then run: relink confirm-lost ${workflowId}; or keep the ` +
            `loans: relink cancel ${workflowId} --keep-loans --by <your name>`,
        },
      );
    }
    if (opts.keepLoans) {
      if (![...LOST_CLICK_WAITS, 'return-refused'].includes(before.awaiting)) {
        throw new CliError(
          'refused',
          `Relink ${workflowId} has no loan waiting for the Lost click (it is at step ${before.step}): ` +
            'there are no loans to keep.',
          { hint: `Stop it with: relink cancel ${workflowId}` },
        );
      }
      // An update, not a cancel: the relink records who chose it and answers with what follows.
      warning = await relinks.keepLoans(workflowId, by);
    } else {
      await relinks.cancel(workflowId);
    }
    // The returns and the restore run before the relink closes, and the cancellation cannot stop them.
    // ... unless Alma refuses a return: the relink then holds the holding address and waits for staff.
    const closed = await watch(
      relinks,
      workflowId,
      (s) => s.status !== 'RUNNING' || s.awaiting === 'return-refused',
      60_000,
    );
    const view: StatusView | undefined = closed ? await statusView(relinks, workflowId) : undefined;
    const held = view?.status === 'RUNNING' && view.awaiting === 'return-refused';
    // Its loans, and any item the relink says what became of (one left scanned in while staff were asked for a desk
    // loan): what the audit says, item by item.
    const items = (view?.items ?? []).filter((i) => i.loanId || i.stateNow);
    const doc = {
      workflowId,
      cancelRequested: !opts.keepLoans,
      keepLoans: !!opts.keepLoans,
      ...(by ? { by } : {}),
      ...(warning ? { warning } : {}),
      closed: !!view && !held,
      ...(held ? { awaiting: 'return-refused' } : {}),
      ...(view ? { status: view.status, outcome: view.outcome, ...(view.email ? { email: view.email } : {}) } : {}),
      ...(view ? { items: items.map((i) => ({ barcode: i.barcode, loanId: i.loanId, stateNow: i.stateNow })) } : {}),
    };
    const text = (): string => {
      const head = warning ? [warning, ''] : [];
      if (!view) {
        return [
          ...head,
          `${opts.keepLoans ? 'The decision was recorded' : `Cancellation of ${workflowId} requested`}. The relink ` +
            `first ${opts.keepLoans ? '' : 'returns its loans and '}restores the patron's email (that part cannot be ` +
            `cancelled), then ends. See it with: relink status ${workflowId}`,
        ].join('\n');
      }
      if (held) {
        return [
          ...head,
          `Relink ${workflowId} is stopping, but Alma refused to return a loan: the holding address stays, so that no ` +
            'letter about it reaches the patron, until it is returned (or declared Lost) in Alma.',
          '',
          whatToDoText(view),
        ].join('\n');
      }
      const email =
        view.email?.state === 'restored'
          ? `The patron's email was restored${view.email.verified ? ' and verified' : ''}.`
          : view.email?.state === 'unchanged'
            ? "The patron's email had not been changed."
            : `The patron's email: see relink status ${workflowId}.`;
      return [
        ...head,
        `Relink ${workflowId} ${opts.keepLoans ? 'ended with its loans kept' : 'was cancelled'}. ${email}`,
        ...items.map(
          (i) =>
            `  ${i.barcode}${i.loanId ? ` (loan ${i.loanId})` : ''}: ` +
            (i.lostConfirmed && !i.stateNow
              ? 'declared Lost in Alma.'
              : (i.stateNow ?? 'still on loan to the patron: return it in Alma (Fulfillment > Return Items).')),
        ),
      ].join('\n');
    };
    out.result(doc, text);
    return held ? EXIT.failed : EXIT.ok;
  });
}
