// Plain data the relink exchanges with its activities and its client. Types only: the workflow sandbox
// bundles this file, so it must stay free of I/O and Node built-ins.
import type { StaffInstructions } from './staff-instructions';

/** Where an item is scanned in and loaned: its own library and a desk of that library. */
export interface CirculationDesks {
  /** Default library and desk (ALMA_LIBRARY / ALMA_CIRC_DESK). */
  library?: string;
  circDesk?: string;
  /** Per-library desk map, e.g. { MAIN: 'DEFAULT_CIRC_DESK', SCI: 'SCI_DESK' }; wins over the default. */
  deskByLibrary?: Record<string, string>;
  /**
   * Desks with hold-shelf processing (ALMA_HOLD_SHELF_DESKS): a scan-in there sends place_on_hold_shelf=true, or an
   * item scanned in for the patron's own request would stay in processing and could not be loaned.
   */
  holdShelfDesks?: string[];
}

/** What starts a relink. Durations are Temporal's strings ("24 hours"); unset ones take RELINK_DEFAULTS. */
export interface RelinkInput {
  patronId: string;
  barcodes: string[];
  /** The library's holding address that receives the patron's notices during the relink. */
  holdingEmail: string;
  /** The holding entry's email_type, a code of the EmailTypes code table; unset: DEFAULT_HOLDING_EMAIL_TYPE. */
  holdingEmailType?: string;
  desks: CirculationDesks;
  /** How long to wait for the staff Lost click before the relink becomes overdue (and waits for a staff decision). */
  lostDeadline?: string;
  /**
   * How long the holding address may stay, counted like the Lost deadline from the start of the Lost wait: at this
   * limit an overdue relink returns its loans itself, then restores (RELINK_HOLDING_ADDRESS_LIMIT).
   */
  holdingAddressLimit?: string;
  /** First and longest pause between Alma checks for the Lost click. */
  lostPollInitial?: string;
  lostPollMax?: string;
  /** How long to wait for a request-review decision before ending as needs-attention. */
  reviewDeadline?: string;
  /** Start-to-close timeout of each step's activity: how soon a step lost with a crashed worker runs again. */
  stepTimeout?: string;
  /** How long after the restore a follow-up workflow reads the record again (RELINK_RESTORE_RECHECK). */
  restoreRecheck?: string;
  /**
   * The quiet period between a verified Lost and the restore (RELINK_RESTORE_AFTER): "0" (unset: restore at once), a
   * duration, or "next HH:MM" in the institution's time zone (ALMA_TIME_ZONE, the worker's).
   */
  restoreAfter?: string;
  /** Who declares the loans Lost (RELINK_LOST_MODE): staff-click (unset) or overdue-job (lost-mode.ts). */
  lostMode?: 'staff-click' | 'overdue-job';
  /** overdue-job: the Overdue and Lost Loan profile's lost threshold (RELINK_LOST_AFTER_OVERDUE), e.g. "1 day". */
  lostAfterOverdue?: string;
  /** overdue-job: when the job runs (RELINK_LOST_JOB_AT): "next HH:MM" (ALMA_TIME_ZONE) or a duration. */
  lostJobAt?: string;
  /** overdue-job: how far ahead of the worker's clock the new due date is set; unset: DEFAULT_DUE_DATE_LEAD. */
  dueDateLead?: string;
  /**
   * Alma's webhooks reach this deployment (RELINK_WEBHOOKS, `npm run webhooks`): Alma tells the relink of the Lost
   * click, a staff edit of the patron and a job's end, so staff click Lost and nothing else, and the relink's own
   * checks are the fallback (a poll of hours, WEBHOOK_LOST_POLL).
   */
  webhooks?: boolean;
  /**
   * Set by RelinkClient's start-or-join (update-with-start): the addBarcodes update that carries the same id is the
   * one that started this run, not a join.
   */
  startRequestId?: string;
}

export type RelinkStepName =
  | 'preflight'
  | 'request-review'
  | 'email-swap'
  | 'scan-in'
  | 'loan'
  | 'lost-declaration'
  /** After a give-up, before the restore: the relink's loans are returned while the holding address is in place. */
  | 'return-loans'
  | 'quiet-period'
  | 'restore'
  | 'done';

/**
 * What a relink can wait for (RelinkAwaiting); the worker's gauges count each kind but 'none', so list new ones here.
 * `overdue`: the Lost deadline passed; the holding address stays while staff click Lost or decide on the loans.
 * `quiet-period`: nothing is needed from staff, who may end it early (relink restore-now).
 * `lost-job`: RELINK_LOST_MODE=overdue-job; nothing is needed from staff while Alma's Overdue and Lost Loan job runs.
 * `return-refused`: after a give-up Alma refused to return a loan; the holding address stays until staff return it
 * (or click Lost) in Alma, or choose keep-loans.
 * `staff-loan`: Alma refused the API loan (a policy or a patron limit a staff override gets past); the holding address
 * stays until staff loan the item at the desk in Alma (noticed by a poll of the patron's loans) or give up on it.
 * `restore-refused`: Alma refuses the restore with an answer that will not change (a 4xx but 429); the relink keeps
 * trying every few minutes while staff correct the record or restore it by hand in Alma.
 */
export const AWAITING_KINDS = [
  'none',
  'request-review',
  'lost-declaration',
  'overdue',
  'quiet-period',
  'return-refused',
  'lost-job',
  'staff-loan',
  'restore-refused',
] as const;
export type Awaiting = (typeof AWAITING_KINDS)[number];

/** The waits a staff member's Lost click answers (in the overdue-job mode staff may click while Alma's job is awaited). */
export const LOST_CLICK_WAITS: readonly string[] = ['lost-declaration', 'overdue', 'lost-job'] satisfies Awaiting[];

export type Outcome = 'completed' | 'aborted' | 'needs-attention';

export type ItemPhase =
  | 'pending'
  | 'checked'
  | 'awaiting-review'
  | 'scanned-in'
  /** Alma refused the API loan: waiting for staff to loan it at the desk in Alma. */
  | 'awaiting-staff-loan'
  | 'loaned'
  | 'lost-confirmed'
  | 'aborted'
  | 'failed'
  /** The relink gave up after the loan and returned it (scanned the item in) before the restore. */
  | 'returned';

/** What preflight learnt about an item: enough to scan it in and loan it without another lookup. */
export interface CheckedItem {
  barcode: string;
  mmsId: string;
  holdingId: string;
  itemPid: string;
  title: string;
  /** The library that circulates the item: its temporary location's while it is in one, else its own. */
  library: string;
  circDesk: string;
  processType: string;
  /** Alma's own "this item has requests" flag, which saves a queue read when false. */
  requested: boolean;
  /** The desk has hold-shelf processing: its scan-in says place_on_hold_shelf=true. Unset in relinks started before. */
  placeOnHoldShelf?: boolean;
  /** The item is in a temporary location (of `library`). */
  inTempLocation?: boolean;
  /**
   * When the preflight sent its read of the item (epoch ms, the worker's clock): the scan-in trusts `requested: false`
   * for the item's own queue only moments after it (absent from items checked before: the queue is read).
   */
  checkedAt?: number;
}

/** An active request that stands between the item and the patron. Ids only: no other patron's name. */
export interface BlockingRequest {
  requestId: string;
  requestType: string;
  status: string;
  placeInQueue?: number;
  /** 'title': a title-level request on the item's bib, which a scan-in of any of its items fulfils. */
  level?: 'item' | 'title';
}

/** What an item's request queue means for the relink. */
export interface QueueVerdict {
  /** Other patrons' active requests that a scan-in would fulfil before this patron. */
  blocking: BlockingRequest[];
  /** The patron's own request on the item, which the scan-in and loan should fulfil. */
  patronRequestId?: string;
}

export interface ItemProgress {
  barcode: string;
  title?: string;
  phase: ItemPhase;
  loanId?: string;
  lostConfirmed: boolean;
  /** How the Lost click was confirmed in Alma. */
  lostConfirmedBy?: 'loan-process-status' | 'lost-item-fee';
  blockingRequests?: BlockingRequest[];
  /** The patron's own request on the item, fulfilled by the scan-in and loan. */
  patronRequestId?: string;
  error?: string;
  /** After a give-up: the item's state in Alma now, and what staff should do there, in staff words. */
  stateNow?: string;
}

export interface AuditEntry {
  at: string;
  step: RelinkStepName;
  message: string;
  /** Alma ids worth keeping: loan ids, request ids, tracking ids of errors. */
  almaIds?: Record<string, string>;
}

/**
 * One email or phone entry of the patron's record, as the plan saw it: enough to find it again after staff edits
 * and to tell apart two entries with the same address.
 */
export interface ContactEntryRef {
  /** The email address, or the phone number as Alma wrote it. */
  address: string;
  /** The first email_type or phone_type code, e.g. personal, mobile. */
  type?: string;
  /** Internal or External. */
  segment?: string;
  /** Its index in the record's list (emails without a holding entry). */
  position?: number;
}

/**
 * The patron's contact details as they were before the swap, read from Alma and kept in workflow history so the
 * restore knows exactly what to put back, even after a crash.
 */
export interface ContactPlan {
  /** The preferred email address before the swap, or null when the patron had none. */
  originalPreferredEmail: string | null;
  /** Phone numbers that had preferred_sms before the swap. */
  originalSmsPhones: string[];
  /**
   * The preferred email entry before the swap (null: none). Absent from plans recorded by older relinks, which the
   * restore then reads from originalPreferredEmail.
   */
  preferredEmailEntry?: ContactEntryRef | null;
  /** The phone entries that had preferred_sms. Absent from older plans: originalSmsPhones then. */
  smsPhoneEntries?: ContactEntryRef[];
  /** Written into the holding email's description so the restore removes exactly what the swap added. */
  marker: string;
  holdingEmail: string;
  /** The holding entry's email_type. Absent from older plans: DEFAULT_HOLDING_EMAIL_TYPE. */
  holdingEmailType?: string;
}

export interface ContactState {
  swapped: boolean;
  restored: boolean;
  verified: boolean;
  /** What the swap suppressed, for the audit: nothing when the patron had no email or SMS phone. */
  suppressedEmail?: boolean;
  suppressedSmsPhones?: number;
  lastRestoreError?: string;
}

export interface RelinkProgress {
  workflowId: string;
  patronId: string;
  step: RelinkStepName;
  awaiting: Awaiting;
  /** For staff: what to do in Alma and how to tell the relink, as steps each place words its own way. */
  awaitingSteps?: StaffInstructions;
  /** The same, worded for the Web UI (the desk's button and the CLI's command): what older relinks answer alone. */
  awaitingInstructions?: string;
  items: ItemProgress[];
  contact: ContactState;
  audit: AuditEntry[];
  outcome?: Outcome;
  reason?: string;
  /** Alma's webhooks tell this relink of the Lost click (RelinkInput.webhooks): staff need not say they clicked. */
  webhooks?: boolean;
}

export interface RelinkResult {
  outcome: Outcome;
  reason?: string;
  items: ItemProgress[];
  emailRestored: boolean;
  emailVerified: boolean;
  audit: AuditEntry[];
}

/** Passed with the addBarcodes update by RelinkClient's start-or-join. */
export interface JoinOptions {
  /** The startRequestId of the start this update travelled with (see RelinkInput.startRequestId). */
  startRequestId?: string;
}

export interface ReviewDecision {
  decision: 'proceed' | 'abort';
  /** Who decided, for the audit (a staff user name); optional. */
  by?: string;
}

/**
 * A staff decision on the loans of a relink that waits for the Lost click (or is overdue): `return-loans` ends it
 * with the loans returned before the restore; `keep-loans` ends it leaving them active and not lost, which sends the
 * patron Alma's letters about them from then on. `by` is recorded in the audit.
 */
export interface LoanDecision {
  decision: 'return-loans' | 'keep-loans';
  /** Who decided (a staff user name), for the audit. */
  by?: string;
}

/** Staff end the quiet period early (relink restore-now). */
export interface RestoreNowRequest {
  /** Who asked, for the audit (a staff user name); optional. */
  by?: string;
}

export interface JoinResult {
  workflowId: string;
  /** True when this call started the relink; false when it joined a running one. */
  started: boolean;
  added: string[];
  alreadyPresent: string[];
}

/** What the follow-up workflow that reads the record again after the restore is given. */
export interface RestoreRecheckInput {
  relinkWorkflowId: string;
  patronId: string;
  plan: ContactPlan;
  /** How long to wait first (RELINK_RESTORE_RECHECK). */
  after: string;
  stepTimeout: string;
}

export interface RestoreRecheckResult {
  /** clean: the record still shows the restore; restored-again: a late write had brought the holding address back. */
  outcome: 'clean' | 'restored-again';
  audit: AuditEntry[];
}

/** What relink sweep --fix asks of the worker for one patron left swapped by a relink that is not running. */
/** A loan a relink made or tried to make, read from its history; no loanId when Alma's answer never came. */
export interface RecordedLoan {
  item: CheckedItem;
  loanId?: string;
  /** The loan's own due date, when the overdue-job mode moved it (a setDueDate in the history): put back first. */
  dueDateBefore?: string;
}

export interface SweepRestoreInput {
  patronId: string;
  /** The relink whose marker the holding entry carries. */
  workflowId: string;
  /** The relink's plan, read from its history; absent when the history is gone and only the marker is known. */
  plan?: ContactPlan;
  /** The relink's loans, from its history: returned (unless Lost) before the restore, while the holding address is in place. */
  loans?: RecordedLoan[];
  /** The marker found on the record (the run's own); absent from sweeps started before run markers. */
  marker?: string;
}

export interface SweepRestoreResult {
  /** What the restore went by: the relink's own plan, or the marker alone. */
  from: 'plan' | 'marker';
  written: boolean;
  /** True only when a read after any write shows the plan's contact details back (never from the marker alone). */
  verified: boolean;
  /** What staff must check, without an address or number. */
  attention?: string;
  /** Each recorded loan: its barcode, loan id and state now (returned, Lost, or why it is still on loan). */
  returns?: { barcode: string; loanId?: string; stateNow: string }[];
}
