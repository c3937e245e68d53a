// The command line's input rules, as zod schemas over the rules the workflow itself applies (validate.ts), so the
// CLI refuses exactly what the workflow would refuse, before anything is contacted.
import { z } from 'zod';
import { desksOf, type RelinkSettings } from '../config';
import {
  barcodeProblem,
  barcodesProblems,
  patronIdProblem,
  relinkInputProblems,
  relinkWorkflowId,
  RESTORE_AT_ONCE,
  type RelinkInput,
} from '../client';
import { CliError, type Problem } from './errors';

/** A zod check from one of the shared rule functions (which return the problems in staff words). */
function rule<T>(problems: (value: T) => string | string[] | undefined) {
  return (value: T, ctx: z.RefinementCtx) => {
    const found = problems(value);
    for (const message of Array.isArray(found) ? found : found ? [found] : [])
      ctx.addIssue({ code: 'custom', message });
  };
}

export const patronIdSchema = z.string().superRefine(rule(patronIdProblem));
export const barcodeSchema = z.string().superRefine(rule(barcodeProblem));
export const barcodesSchema = z.array(z.string()).superRefine(rule(barcodesProblems));

export const startArgsSchema = z.object({ patronId: patronIdSchema, barcodes: barcodesSchema });
export type StartArgs = z.infer<typeof startArgsSchema>;

/** Relink workflow ids are `relink-<patron id>`; anything else is a typo, caught before asking Temporal. */
export const workflowIdSchema = z.string().superRefine((id, ctx) => {
  const patronId = id.startsWith('relink-') ? id.slice('relink-'.length) : undefined;
  if (patronId === undefined || patronIdProblem(patronId)) {
    const guess = patronIdProblem(id) ? '' : ` (for patron ${id}, the id is ${relinkWorkflowId(id)})`;
    ctx.addIssue({ code: 'custom', message: `"${id}" is not a relink id: they look like relink-<patron id>${guess}` });
  }
});

export function problemsOf(error: z.ZodError): Problem[] {
  return error.issues.map((i) => ({ message: i.message }));
}

/** Parses or throws an invalid-input CliError listing every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CliError('invalid-input', `Cannot ${what}`, { problems: problemsOf(parsed.error) });
}

/** The workflow input for one patron, from the command line (or a batch file) and the settings. */
export function relinkInputFor(args: StartArgs, relink: RelinkSettings): RelinkInput {
  const input: RelinkInput = {
    patronId: args.patronId,
    barcodes: args.barcodes,
    holdingEmail: relink.RELINK_HOLDING_EMAIL,
    holdingEmailType: relink.RELINK_HOLDING_EMAIL_TYPE,
    desks: desksOf(relink),
    lostDeadline: relink.RELINK_LOST_DEADLINE,
    restoreRecheck: relink.RELINK_RESTORE_RECHECK,
    ...(relink.RELINK_RESTORE_AFTER !== RESTORE_AT_ONCE ? { restoreAfter: relink.RELINK_RESTORE_AFTER } : {}),
    ...(relink.RELINK_LOST_POLL_INITIAL ? { lostPollInitial: relink.RELINK_LOST_POLL_INITIAL } : {}),
    ...(relink.RELINK_LOST_POLL_MAX ? { lostPollMax: relink.RELINK_LOST_POLL_MAX } : {}),
  };
  // The workflow's own full check, so a rule added there is enforced here too.
  const problems = relinkInputProblems(input);
  if (problems.length)
    throw new CliError('invalid-input', 'Cannot start the relink', {
      problems: problems.map((message) => ({ message })),
    });
  return input;
}
