// relink review: the staff decision on a request queue that stood in the way, proceed (arranged in Alma) or abort.
import { temporalSettings, withRelinks } from '../context';
import { EXIT, usageError, type ExitCode } from '../errors';
import { auditLine } from '../format';
import { parseOrThrow, staffNameSchema, workflowIdSchema } from '../input';
import type { Output } from '../output';
import { newEntries, notAwaiting, runningStatus, watch } from './running-relink';

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
    if (before.awaiting !== 'request-review') throw notAwaiting(before, 'a request review');
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
