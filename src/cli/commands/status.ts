// relink status: what a relink is doing, what it awaits, and how it ended.
import { temporalSettings, withRelinks } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { statusText } from '../format';
import { parseOrThrow, workflowIdSchema } from '../input';
import type { Output } from '../output';
import { statusView } from '../view';

export async function statusCommand(id: string, out: Output): Promise<ExitCode> {
  const workflowId = parseOrThrow(workflowIdSchema, id, 'show the status');
  const view = await withRelinks(temporalSettings(), (relinks) => statusView(relinks, workflowId));
  out.result(view, () => statusText(view));
  return EXIT.ok;
}
