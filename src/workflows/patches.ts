// The patched() ids of the workflow's changes. Each change to the workflow's commands gets its own id, and the
// histories recorded before it (test/histories/) keep replaying on the old path.

/*
 * FEWER_ROUND_TRIPS gates two changes (the round trips and the unanswered-loan read) because both landed in the same
 * release: no relink ran on a version with one and not the other. From then on every change has an id of its own.
 */

/**
 * Took out round trips carrying nothing: the request-review activity when no item is requested, one search attribute
 * write per wait instead of one per change, and (after a failure or a cancel) the read of loans Alma made without
 * answering. Relinks started before it replay on the old path (test/histories/v1-*).
 */
export const FEWER_ROUND_TRIPS = 'fewer-round-trips';

/** A Lost-click signal that arrives while Alma is being checked triggers another check instead of being dropped. */
export const COUNT_LOST_SIGNALS = 'count-lost-signals';

/** The Lost check retries through an Alma outage until the relink's own Lost deadline, not for ~25 minutes. */
export const LOST_CHECK_RIDES_OUT_OUTAGES = 'lost-check-rides-out-outages';

/** After the restore, the relink starts recheckRestore (abandoned), which undoes a write Alma applies late. */
export const RESTORE_RECHECK = 'restore-recheck';

/** The swap is read again (recheckSwap) before every write that sends a letter and at each Lost poll. */
export const RECHECK_SWAP = 'recheck-swap';

/** Every activity gets a heartbeat timeout, so a cancel or a dead worker reaches a step in flight within 20 s. */
export const ACTIVITY_HEARTBEATS = 'activity-heartbeats';

/** Before its first swap, a relink cancels an earlier relink's recheckRestore of the same patron (same marker). */
export const SUPERSEDE_RECHECK = 'supersede-recheck';

/**
 * The request review always reads the items' bibs for title-level requests, which Alma's item "requested" flag may not
 * count: the reviewRequests activity runs even when no item is flagged requested.
 */
export const TITLE_LEVEL_REQUESTS = 'title-level-requests';

/**
 * Past the Lost deadline the relink does not restore with an active, non-lost loan: it becomes overdue, keeps the
 * holding address and waits for the Lost click or a staff decision, until the holding-address limit.
 */
export const OVERDUE_AT_LOST_DEADLINE = 'overdue-at-lost-deadline';

/**
 * A relink that gives up after a loan (cancel, failure, the holding-address limit) returns its loans (returnLoan)
 * while the holding address is still in place, then restores; unless staff chose to keep them (loanDecision).
 */
export const RETURN_LOANS_ON_GIVE_UP = 'return-loans-on-give-up';

/** At its end the relink writes RelinkOutcome (with RelinkStep done), which the worker's needs-attention gauge counts. */
export const OUTCOME_SEARCH_ATTRIBUTE = 'outcome-search-attribute';

/** Each activity and timer carries a summary for the Web UI (user metadata, through the payload codec). */
export const USER_METADATA = 'user-metadata';

/**
 * RELINK_RESTORE_AFTER: a quiet period between a verified Lost and the restore (quiet-period.ts), with its timer, the
 * restoreNow update and, for "next HH:MM", the quietPeriodEnd activity. Asked only by relinks that have one.
 */
export const QUIET_PERIOD = 'quiet-period';

/**
 * A return Alma refuses after a give-up no longer ends in the restore with the loan active: the holding address stays
 * (awaiting return-refused) until the loan is returned or Lost in Alma, or staff choose keep-loans.
 */
export const HOLD_ON_REFUSED_RETURN = 'hold-on-refused-return';

/** sweepRestore returns the loans a terminated relink's history names (unless Lost) before it restores. */
export const SWEEP_RETURNS_LOANS = 'sweep-returns-loans';

/**
 * RELINK_LOST_MODE=overdue-job (lost-by-job.ts): the due date moved, the wait for Alma's Overdue and Lost Loan job, the
 * fallback to the staff click; and the due date moved back before a give-up's return. Asked only by relinks in that
 * mode.
 */
export const LOST_BY_OVERDUE_JOB = 'lost-by-overdue-job';

/**
 * One rule for holding the address (holding-rule.ts): a request at a join's scan-in, a join's review aborted, a
 * failure or a give-up no longer restore while another item is Lost and in its quiet period (the fee letter); a join
 * aborted at its review leaves the other items' relink going; the quiet period ends at the last item's own end.
 * Asked only where the rule and the old flags (openLoans) part.
 */
export const ONE_HOLDING_RULE = 'one-holding-rule';

/**
 * The swap's re-read inside a wait (the Lost wait, the quiet period, the wait for Alma's job) retries until the wait's
 * end and never ends the wait: a refused or failed re-read is logged and read again at the next poll.
 */
export const WAITS_OUTLAST_REREADS = 'waits-outlast-rereads';

/** Loans kept at a staff decision (keep-loans) get back the due date the overdue-job mode moved, before the restore. */
export const KEEP_LOANS_DUE_DATE_BACK = 'keep-loans-due-date-back';

/**
 * The wait for Alma's Overdue and Lost Loan job is bounded by the holding-address limit: a joined loan the job could
 * not declare Lost before it keeps its due date and waits for the staff click instead.
 */
export const LOST_JOB_WITHIN_LIMIT = 'lost-job-within-limit';

/**
 * The holding entry's marker carries the run's tag (markerFor's `run`, runTagOf), so a sweep, a follow-up or a late
 * retry of an earlier run of the patron's relink never takes this run's entry for its own. Asked once, as the relink
 * starts; relinks started before it keep the workflow id alone in their marker.
 */
export const RUN_MARKER = 'run-marker';

/**
 * Before its first swap, a relink waits while relink sweep --fix restores an earlier run of the same patron
 * (sweep-restore-<relink id>), then reads the record again: a signal to that workflow, a timer between two.
 */
export const AWAIT_SWEEP_RESTORE = 'await-sweep-restore';

/**
 * A loan Alma refuses to the API where a staff override gets past it (LoanNeedsStaff: an API-restricted loan policy,
 * a patron limit computed at the loan) no longer ends the relink with the item scanned in: the holding address stays
 * and the relink waits for staff to loan the item at the desk (staff-loan.ts), polling the patron's loans. Asked only
 * where such a refusal arrives.
 */
export const STAFF_LOAN_AT_DESK = 'staff-loan-at-desk';

/**
 * A restore Alma refuses with an answer that will not change (a 4xx but 429, RestoreRefused) is shown to staff: the
 * relink awaits restore-refused with what to do by hand in Alma, and tries again itself after a pause (a timer).
 * Asked when such a refusal arrives; before it, the restore's retries were Temporal's, unseen.
 */
export const RESTORE_REFUSED = 'restore-refused';

/**
 * Alma's webhooks (almaEventSignal, issue 27): a message wakes the wait it concerns (a loan's, a job's), makes the next
 * wait read the swap at once (a user update) or the scan-in read the item's queue (a request). Asked in the signal's
 * handler: a relink that received such a signal before its worker had the handler replays it unheard.
 */
export const ALMA_WEBHOOKS = 'alma-webhooks';

/**
 * "after-fines-job" takes a run of the Fines/Fees Notification job at the time Alma's message gives (the job's end),
 * not at the message's arrival: a message retried by Alma hours late (the listener answered 503) told of a run
 * before a later Lost, and ended that Lost's quiet period before its fee letter had gone out. Asked where a quiet
 * period that waits for the job begins, and where the rule holds the address after a failure.
 */
export const FINES_JOB_RUN_TIME = 'fines-job-run-time';
