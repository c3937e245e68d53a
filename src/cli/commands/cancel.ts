// relink cancel: stop a relink; it restores the patron's email first (that part cannot be cancelled), then ends.
import { temporalSettings, withRelinks } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { parseOrThrow, workflowIdSchema } from '../input';
import type { Output } from '../output';
import { statusView, type StatusView } from '../view';
import { runningStatus, watch } from './running-relink';

export async function cancelCommand(id: string, out: Output): Promise<ExitCode> {
  const workflowId = parseOrThrow(workflowIdSchema, id, 'cancel the relink');
  return withRelinks(temporalSettings(), async (relinks) => {
    await runningStatus(relinks, workflowId);
    await relinks.cancel(workflowId);
    // The restore of the patron's email runs before the relink closes, and the cancellation cannot stop it.
    const closed = await watch(relinks, workflowId, (s) => s.status !== 'RUNNING', 30_000);
    const view: StatusView | undefined = closed ? await statusView(relinks, workflowId) : undefined;
    const doc = {
      workflowId,
      cancelRequested: true,
      closed: !!view,
      ...(view ? { status: view.status, outcome: view.outcome, ...(view.email ? { email: view.email } : {}) } : {}),
    };
    const text = (): string => {
      if (!view) {
        return (
          `Cancellation of ${workflowId} requested. The relink first restores the patron's email (that part cannot ` +
          `be cancelled), then ends. See it with: relink status ${workflowId}`
        );
      }
      const email =
        view.email?.state === 'restored'
          ? `The patron's email was restored${view.email.verified ? ' and verified' : ''}.`
          : view.email?.state === 'unchanged'
            ? "The patron's email had not been changed."
            : `The patron's email: see relink status ${workflowId}.`;
      const loans = view.items.filter((i) => i.loanId && !i.lostConfirmed);
      return [
        `Relink ${workflowId} was cancelled. ${email}`,
        ...(loans.length
          ? [
              `Loans it had made and not seen declared Lost: ${loans.map((i) => `${i.barcode} (loan ${i.loanId})`).join(', ')}; ` +
                'declare them Lost or return them in Alma.',
            ]
          : []),
      ].join('\n');
    };
    out.result(doc, text);
    return EXIT.ok;
  });
}
