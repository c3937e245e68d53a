// relink list: running relinks (or all of them), optionally only those waiting for one staff action.
import type { Awaiting } from '../../client';
import { temporalSettings, withRelinks } from '../context';
import { EXIT, type ExitCode } from '../errors';
import { listText } from '../format';
import type { Output } from '../output';

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
