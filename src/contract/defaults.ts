// The relink's defaults, in one place: the workflow applies them to an input that leaves a setting out, and the
// configuration (config.ts) and the documentation quote them.

/** Durations a relink waits or allows, in Temporal's duration strings. */
export const RELINK_DEFAULTS = {
  /** How long the relink waits for the staff Lost click before it ends as needs-attention. */
  lostDeadline: '24 hours',
  /**
   * How long the holding address may stay, from the start of the Lost wait: past the Lost deadline the relink is
   * overdue and waits for staff; at this limit it returns its loans itself and restores.
   */
  holdingAddressLimit: '7 days',
  /** First pause between the relink's own checks of Alma for the Lost click; it doubles up to lostPollMax. */
  lostPollInitial: '1 minute',
  lostPollMax: '30 minutes',
  /** How long the relink waits for a staff decision on a request queue. */
  reviewDeadline: '7 days',
  /** Start-to-close timeout of one step: how soon a step lost with a crashed worker runs again. */
  stepTimeout: '1 minute',
  /**
   * How long after the restore the record is read again: Alma may still apply a write it received before the restore
   * (a swap PUT whose answer was lost), which would bring the holding address back.
   */
  restoreRecheck: '10 minutes',
} as const;

/**
 * The email_type of the holding entry the swap adds: a code of the institution's EmailTypes code table
 * (RELINK_HOLDING_EMAIL_TYPE). Alma ships `work`; an institution may have removed or renamed it.
 */
export const DEFAULT_HOLDING_EMAIL_TYPE = 'work';

export type RelinkDurations = { -readonly [K in keyof typeof RELINK_DEFAULTS]: string };

/** The input's durations with the defaults filled in. */
/**
 * With Alma's webhooks (RelinkInput.webhooks) Alma says when to look, and the relink's own checks are the fallback for
 * a message lost on the way: the first after 30 minutes, then every 4 hours (a Lost wait of a day: about 7 reads,
 * against 50 at the default poll).
 */
export const WEBHOOK_LOST_POLL = { lostPollInitial: '30 minutes', lostPollMax: '4 hours' } as const;

export function relinkDurations(input: Partial<RelinkDurations> & { webhooks?: boolean }): RelinkDurations {
  const poll = input.webhooks ? WEBHOOK_LOST_POLL : RELINK_DEFAULTS;
  return {
    lostDeadline: input.lostDeadline ?? RELINK_DEFAULTS.lostDeadline,
    holdingAddressLimit: input.holdingAddressLimit ?? RELINK_DEFAULTS.holdingAddressLimit,
    lostPollInitial: input.lostPollInitial ?? poll.lostPollInitial,
    lostPollMax: input.lostPollMax ?? poll.lostPollMax,
    reviewDeadline: input.reviewDeadline ?? RELINK_DEFAULTS.reviewDeadline,
    stepTimeout: input.stepTimeout ?? RELINK_DEFAULTS.stepTimeout,
    restoreRecheck: input.restoreRecheck ?? RELINK_DEFAULTS.restoreRecheck,
  };
}
