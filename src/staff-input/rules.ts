// The staff tools' input rules, as zod schemas over the rules the workflow itself applies (validate.ts), so the
// relink command and the desk refuse exactly what the workflow would refuse, before anything is contacted.
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
import { InvalidInput, type Problem } from './problems';

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

/** A staff user name given with --by, for the audit trail. */
export const staffNameSchema = z
  .string()
  .trim()
  .min(1, 'the --by name is empty')
  .max(100, 'the --by name is longer than 100 characters');

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

/** The workflow input for one patron, from staff input and the settings; InvalidInput when the workflow would refuse it. */
export function relinkInputFor(args: StartArgs, relink: RelinkSettings): RelinkInput {
  const input: RelinkInput = {
    patronId: args.patronId,
    barcodes: args.barcodes,
    holdingEmail: relink.RELINK_HOLDING_EMAIL,
    holdingEmailType: relink.RELINK_HOLDING_EMAIL_TYPE,
    desks: desksOf(relink),
    lostDeadline: relink.RELINK_LOST_DEADLINE,
    holdingAddressLimit: relink.RELINK_HOLDING_ADDRESS_LIMIT,
    restoreRecheck: relink.RELINK_RESTORE_RECHECK,
    ...(relink.RELINK_RESTORE_AFTER !== RESTORE_AT_ONCE ? { restoreAfter: relink.RELINK_RESTORE_AFTER } : {}),
    ...(relink.RELINK_LOST_POLL_INITIAL ? { lostPollInitial: relink.RELINK_LOST_POLL_INITIAL } : {}),
    ...(relink.RELINK_LOST_POLL_MAX ? { lostPollMax: relink.RELINK_LOST_POLL_MAX } : {}),
    ...(relink.RELINK_WEBHOOKS ? { webhooks: true } : {}),
    ...(relink.RELINK_LOST_MODE === 'overdue-job'
      ? {
          lostMode: 'overdue-job' as const,
          lostAfterOverdue: relink.RELINK_LOST_AFTER_OVERDUE,
          lostJobAt: relink.RELINK_LOST_JOB_AT,
        }
      : {}),
  };
  // The workflow's own full check, so a rule added there is enforced here too.
  const problems = relinkInputProblems(input);
  if (problems.length)
    throw new InvalidInput(
      'Cannot start the relink',
      problems.map((message) => ({ message })),
    );
  return input;
}
