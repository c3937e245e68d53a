// relink list: running relinks (or all of them), optionally only those of a patron, holding a barcode, with a status,
// or waiting for one staff action. The query is relink-search.ts's, the one the desk's Find page uses.
import type { Awaiting } from '../../client';
import { relinkSearchSchema, type RelinkStatusFilter } from '../../relink-search';
import { temporalSettings, withRelinks } from '../context';
import { CliError, EXIT, type ExitCode } from '../errors';
import { listText } from '../format';
import type { Output } from '../output';

export interface ListOptions {
  awaiting?: Exclude<Awaiting, 'none'>;
  all?: boolean;
  patron?: string;
  barcode?: string;
  status?: RelinkStatusFilter;
}

export async function listCommand(opts: ListOptions, out: Output): Promise<ExitCode> {
  const parsed = relinkSearchSchema.safeParse({
    ...(opts.patron !== undefined ? { patronId: opts.patron } : {}),
    ...(opts.barcode !== undefined ? { barcode: opts.barcode } : {}),
  });
  if (!parsed.success) {
    throw new CliError('invalid-input', parsed.error.issues.map((i) => i.message).join(' '));
  }
  // A status other than running looks at closed relinks too.
  const search = { ...parsed.data, ...(opts.status ? { statuses: [opts.status] } : {}) };
  const includeClosed = !!opts.all || (!!opts.status && opts.status !== 'running');
  const relinks = await withRelinks(temporalSettings(), (client) =>
    client.list({ ...(opts.awaiting ? { awaiting: opts.awaiting } : {}), includeClosed, search }),
  );
  out.result({ relinks }, () => listText(relinks, { ...opts, all: includeClosed }));
  return EXIT.ok;
}
