// How a relink ends: the stops that are outcomes rather than failures, the failure a caller receives, and the
// Alma ids an activity's failure carries for the audit.
import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Outcome } from '../contract';

/** Ends the relink without failing it: staff aborted, or a deadline passed. */
export class RelinkStop extends Error {
  constructor(
    readonly outcome: Exclude<Outcome, 'completed'>,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Durations like "24 hours" or "1 minute" in milliseconds; a malformed one fails the relink before any Alma call. */
export function ms(duration: string): number {
  try {
    return msToNumber(duration as Duration);
  } catch {
    throw ApplicationFailure.nonRetryable(`"${duration}" is not a duration like "24 hours"`, 'InvalidInput');
  }
}

/** The Alma error code and tracking id an activity attached to its failure, for the audit trail. */
export function almaIdsOf(err: unknown): Record<string, string> | undefined {
  if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)) return undefined;
  const details = (err.cause.details?.[0] ?? {}) as Record<string, unknown>;
  const ids = Object.fromEntries(
    ['almaCode', 'trackingId']
      .filter((k) => typeof details[k] === 'string' && details[k])
      .map((k) => [k, String(details[k])]),
  );
  return Object.keys(ids).length ? ids : undefined;
}

export const failureType = (err: unknown): string | undefined =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;

/** The message staff read for a failure: the business cause an activity gave, not the ActivityFailure around it. */
export function causeOf(err: unknown): string {
  if (isCancellation(err)) return 'Cancelled.';
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The failure the relink ends with: the original cause, so its type (PatronNotFound, ItemOnLoan, …) reaches the
 * caller, with the loans already made and whether the email was restored (or never changed: the swap not applied).
 */
export function relinkFailure(
  failure: unknown,
  loaned: string[],
  email: { verified: boolean; neverChanged?: boolean },
  returned = false,
): unknown {
  if (!(failure instanceof ActivityFailure && failure.cause instanceof ApplicationFailure)) return failure;
  return ApplicationFailure.create({
    type: failure.cause.type ?? 'RelinkFailed',
    message:
      failure.cause.message +
      (loaned.length
        ? returned
          ? ` Loans it had made, and their state now: ${loaned.join('; ')}`
          : ` Loans already made: ${loaned.join(', ')}; return them in Alma.`
        : '') +
      (email.verified
        ? " The patron's email was restored and verified."
        : email.neverChanged
          ? " The patron's email and SMS settings were never changed."
          : ''),
    nonRetryable: true,
    details: failure.cause.details as unknown[] | undefined,
  });
}
