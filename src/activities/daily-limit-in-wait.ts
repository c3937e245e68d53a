// The Lost check is a read a wait makes for work staff have already done (they loaned, or clicked Lost). When the
// daily quota is below the workers' floor (or Alma answers its own daily threshold), failing it would end the relink
// and return a loan staff may just have declared Lost; instead it is tried again, as through an outage, until the
// wait's own deadline (the activity's schedule-to-close). The floor refuses before sending, so a retry costs no call;
// a reading below the floor expires after ALMA_QUOTA_RECHECK, and one call then reads the count again.
import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps';

export function ridingOutTheDailyLimit<I, O>(
  create: (deps: ActivityDeps) => (input: I) => Promise<O>,
): (deps: ActivityDeps) => (input: I) => Promise<O> {
  return (deps) => {
    const run = create(deps);
    return async (input) => {
      try {
        return await run(input);
      } catch (err) {
        if (!(err instanceof ApplicationFailure && err.type === 'AlmaDailyLimit')) throw err;
        throw ApplicationFailure.create({
          type: 'AlmaDailyLimit',
          message: `${err.message} The wait tries again until its deadline.`,
          nonRetryable: false,
          details: err.details ?? [],
        });
      }
    };
  };
}
