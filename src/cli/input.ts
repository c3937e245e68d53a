// The command line's input rules: the staff tools' shared rules (src/staff-input/rules.ts), with the CLI's errors.
import type { z } from 'zod';
import type { RelinkSettings } from '../config';
import type { RelinkInput } from '../client';
import { InvalidInput } from '../staff-input/problems';
import { problemsOf, relinkInputFor as sharedRelinkInputFor, type StartArgs } from '../staff-input/rules';
import { CliError } from './errors';

export {
  barcodeSchema,
  barcodesSchema,
  patronIdSchema,
  problemsOf,
  staffNameSchema,
  startArgsSchema,
  workflowIdSchema,
  type StartArgs,
} from '../staff-input/rules';

/** Parses or throws an invalid-input CliError listing every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CliError('invalid-input', `Cannot ${what}`, { problems: problemsOf(parsed.error) });
}

/** The workflow input for one patron, from the command line (or a batch file) and the settings. */
export function relinkInputFor(args: StartArgs, relink: RelinkSettings): RelinkInput {
  try {
    return sharedRelinkInputFor(args, relink);
  } catch (err) {
    if (err instanceof InvalidInput) throw new CliError('invalid-input', err.message, { problems: err.problems });
    throw err;
  }
}
