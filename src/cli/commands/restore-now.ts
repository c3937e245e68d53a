// relink restore-now: end a relink's quiet period before the restore early (RELINK_RESTORE_AFTER); the patron's email
// is restored at once. The letters Alma's jobs send later about the new fee may then reach the patron.
import { z } from 'zod';
import { relinkWorkflowId } from '../../client';
import { temporalSettings, withRelinks } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { auditLine } from '../format';
import { parseOrThrow, patronIdSchema, workflowIdSchema } from '../input';
import type { Output } from '../output';
import { newEntries, notAwaiting, runningStatus, watch } from './running-relink';

export interface RestoreNowOptions {
  by?: string;
}

const staffNameSchema = z
  .string()
  .trim()
  .min(1, 'the --by name is empty')
  .max(100, 'the --by name is longer than 100 characters');

/** `id`: the relink id (relink-<patron id>) or the patron's primary id. */
export async function restoreNowCommand(id: string, opts: RestoreNowOptions, out: Output): Promise<ExitCode> {
  const what = "end the relink's quiet period";
  const workflowId = id.startsWith('relink-')
    ? parseOrThrow(workflowIdSchema, id, what)
    : relinkWorkflowId(parseOrThrow(patronIdSchema, id, what));
  const by = opts.by === undefined ? undefined : parseOrThrow(staffNameSchema, opts.by, what);

  return withRelinks(temporalSettings(), async (relinks) => {
    const before = await runningStatus(relinks, workflowId);
    if (before.awaiting !== 'quiet-period') throw notAwaiting(before, 'the end of a quiet period');
    const from = before.progress.audit.length;
    const message = await relinks.restoreNow(workflowId, by);
    // The restore follows at once: watch for the relink to close with it.
    const after = await watch(relinks, workflowId, (s) => s.status !== 'RUNNING', 30_000);
    const entries = newEntries(after, from);
    const result = after ? (after.outcome ?? after.status.toLowerCase()) : 'delivered';
    const text = (): string =>
      [
        message,
        ...entries.map(auditLine),
        '',
        after
          ? `The relink ended: ${result}. See: relink status ${workflowId}`
          : `The restore has not finished yet. See the result with: relink status ${workflowId}`,
      ].join('\n');
    out.result({ workflowId, ...(by ? { by } : {}), message, result }, text);
    return EXIT.ok;
  });
}
