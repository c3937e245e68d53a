// relink status and relink list: what a relink is doing, what it awaits, and how it ended.
import type { Awaiting } from '../../client';
import { temporalSettings, withRelinks } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { listText, statusText } from '../format';
import { parseOrThrow, workflowIdSchema } from '../input';
import type { Output } from '../output';
import { statusView } from '../view';

export async function statusCommand(id: string, out: Output): Promise<ExitCode> {
  const workflowId = parseOrThrow(workflowIdSchema, id, 'show the status');
  const view = await withRelinks(temporalSettings(), (relinks) => statusView(relinks, workflowId));
  out.result(view, () => statusText(view));
  return EXIT.ok;
}

export interface ListOptions {
  awaiting?: Exclude<Awaiting, 'none'>;
  all?: boolean;
}

export async function listCommand(opts: ListOptions, out: Output): Promise<ExitCode> {
  const relinks = await withRelinks(temporalSettings(), (client) =>
    client.list({ ...(opts.awaiting ? { awaiting: opts.awaiting } : {}), includeClosed: !!opts.all }),
  );
  out.result({ relinks }, () => listText(relinks, opts));
  return EXIT.ok;
}
