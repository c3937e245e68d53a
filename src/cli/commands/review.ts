// relink review: the staff decision on a request queue that stood in the way, proceed (arranged in Alma) or abort.
import { temporalSettings, withRelinks } from '../context';
import { EXIT, usageError, type ExitCode } from '../errors';
import { auditLine } from '../format';
import { parseOrThrow, staffNameSchema, workflowIdSchema } from '../input';
import type { Output } from '../output';
import type { RelinkClient } from '../../client';
import { newEntries, notAwaiting, runningStatus, watch, type Running } from './running-relink';

export interface ReviewOptions {
  proceed?: boolean;
  abort?: boolean;
  by?: string;
}

export async function reviewCommand(id: string, opts: ReviewOptions, out: Output): Promise<ExitCode> {
  if (!!opts.proceed === !!opts.abort) {
    throw usageError(
      'Say what to do with the request queue: --proceed (it is arranged in Alma; go on) or --abort (stop this relink).',
      `For example: relink review ${id} --proceed --by YOUR_NAME`,
    );
  }
  const workflowId = parseOrThrow(workflowIdSchema, id, 'send the review decision');
  const by = opts.by === undefined ? undefined : parseOrThrow(staffNameSchema, opts.by, 'send the review decision');
  const decision = opts.proceed ? 'proceed' : 'abort';

  return withRelinks(temporalSettings(), async (relinks) => {
    const before = await runningStatus(relinks, workflowId);
    if (before.awaiting === 'staff-loan') return deskLoanDecision(relinks, before, decision, by, out);
    if (before.awaiting !== 'request-review') throw notAwaiting(before, 'a request review or a desk loan');
    const from = before.progress.audit.length;
    const message = await relinks.review(workflowId, { decision, ...(by ? { by } : {}) });

    // "Staff decided" is logged first; a second entry while it still awaits the review means the re-read queue
    // is still blocked. Leaving the request-review step (or closing) means Alma agreed.
    const after =
      decision === 'abort'
        ? await watch(relinks, workflowId, (s) => s.status !== 'RUNNING', 30_000)
        : await watch(
            relinks,
            workflowId,
            (s) =>
              s.status !== 'RUNNING' ||
              s.step !== 'request-review' ||
              (s.awaiting === 'request-review' && newEntries(s, from).length >= 2),
            15_000,
          );
    const entries = newEntries(after, from);
    const result = !after
      ? 'delivered'
      : after.status !== 'RUNNING'
        ? (after.outcome ?? after.status.toLowerCase())
        : after.step === 'request-review'
          ? 'still-blocked'
          : 'proceeding';
    const text = (): string => {
      const lines = [message, ...entries.map(auditLine)];
      if (result === 'still-blocked') {
        lines.push(
          '',
          'The request queue is still in the way (see above). Arrange it in Alma, then run again:',
          `    relink review ${workflowId} --proceed${by ? ` --by ${by}` : ''}`,
          `  or stop the relink: relink review ${workflowId} --abort`,
        );
      } else if (result === 'proceeding') {
        lines.push('', `The queue is clear: the relink goes on. Follow it with: relink status ${workflowId}`);
      } else if (result === 'delivered') {
        lines.push(
          '',
          `The relink has not finished acting on it yet. See the result with: relink status ${workflowId}`,
        );
      } else {
        lines.push(
          '',
          `The relink ended: ${result}. The patron's email is as it was before. See: relink status ${workflowId}`,
        );
      }
      return lines.join('\n');
    };
    out.result({ workflowId, decision, ...(by ? { by } : {}), message, result }, text);
    return result === 'still-blocked' ? EXIT.failed : EXIT.ok;
  });
}

/**
 * While the relink waits for a desk loan (Alma refused its own): --proceed makes it look for the loan now, --abort
 * gives up on the item (it stays scanned in and not loaned; the relink goes on with its other items, or ends).
 */
async function deskLoanDecision(
  relinks: RelinkClient,
  before: Running,
  decision: 'proceed' | 'abort',
  by: string | undefined,
  out: Output,
): Promise<ExitCode> {
  const { workflowId } = before;
  const from = before.progress.audit.length;
  const message = await relinks.review(workflowId, { decision, ...(by ? { by } : {}) });
  const after = await watch(
    relinks,
    workflowId,
    (s) => s.status !== 'RUNNING' || s.awaiting !== 'staff-loan' || newEntries(s, from).length >= 2,
    15_000,
  );
  const waiting = !!after && after.status === 'RUNNING' && after.awaiting === 'staff-loan';
  const result = !after ? 'delivered' : waiting ? 'still-waiting' : after.status !== 'RUNNING' ? 'ended' : 'going-on';
  const text = (): string =>
    [
      message,
      ...newEntries(after, from).map(auditLine),
      '',
      result === 'still-waiting'
        ? 'Alma shows no loan of the item to the patron yet. Loan it at the desk in Alma, then run:\n' +
          `    relink confirm-lost ${workflowId}`
        : result === 'delivered'
          ? `The relink has not finished acting on it yet. See the result with: relink status ${workflowId}`
          : `See the relink with: relink status ${workflowId}`,
    ].join('\n');
  out.result({ workflowId, decision, ...(by ? { by } : {}), message, result }, text);
  return result === 'still-waiting' && decision === 'proceed' ? EXIT.failed : EXIT.ok;
}
