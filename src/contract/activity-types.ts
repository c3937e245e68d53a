// What the relink asks of its activities and what they answer: the one interface both sides are written against,
// so the workflow imports no activity module. Types only: the workflow sandbox bundles this file.
import type { BlockingRequest, CheckedItem, CirculationDesks, ContactPlan, QueueVerdict } from './types';

export interface PreflightInput {
  patronId: string;
  barcodes: string[];
  desks: CirculationDesks;
  holdingEmail: string;
  /** The holding entry's email_type (RelinkInput.holdingEmailType). */
  holdingEmailType?: string;
  marker: string;
  /** Patron checks are skipped when joining barcodes to a relink that already checked the patron. */
  skipPatron?: boolean;
  /**
   * The start's first preflight: it may plan from the record the patron lookup before the start read, when the same
   * worker made that read moments ago (activities/patron-reads.ts). Any other preflight reads Alma.
   */
  fromLookup?: boolean;
}

export interface PreflightResult {
  items: CheckedItem[];
  /** What makes a refusal of the API loan likely (fees owed, loans held), in staff words: logged before the swap. */
  loanWarnings?: string[];
  /** What the email swap will have to restore, read in the same pass to spare a call. */
  contactPlan?: ContactPlan;
}

export interface ReviewRequestsInput {
  patronId: string;
  items: CheckedItem[];
  /** Read every queue even where Alma's "requested" flag said none (after a staff decision, say). */
  rereadAll?: boolean;
}

export interface SwapContactInput {
  patronId: string;
  workflowId: string;
  plan: ContactPlan;
}

export interface SwapContactResult {
  /** False when Alma already showed the swap (a retry after a crash): nothing was written. */
  written: boolean;
  suppressedEmail: boolean;
  suppressedSmsPhones: number;
}

export interface ScanInInput {
  patronId: string;
  item: CheckedItem;
  /** Alma reported a request on the item or its title since it was checked (a webhook): read its own queue too. */
  requestReported?: boolean;
}

export type ScanInResult =
  | { scanned: true; alreadyInPlace: boolean; patronRequestId?: string; additionalInfo?: string }
  | { scanned: false; blocking: BlockingRequest[] };

export interface LoanItemInput {
  patronId: string;
  item: CheckedItem;
  patronRequestId?: string;
}

export interface LoanItemResult {
  loanId: string;
  dueDate?: string;
  loanDate?: string;
  /** True when Alma already had the loan (a retry after a lost answer): nothing was written. */
  alreadyExisted: boolean;
}

export interface LoanToConfirm {
  barcode: string;
  loanId: string;
  loanDate?: string;
}

export interface LostCheck {
  barcode: string;
  loanId: string;
  lost: boolean;
  by?: 'loan-process-status' | 'lost-item-fee';
  /** False when the loan is no longer active (returned instead of declared lost). */
  loanActive: boolean;
}

export interface RestoreContactInput {
  patronId: string;
  plan: ContactPlan;
  /**
   * A restore after the relink closed (relink sweep --fix): a record that carries another relink's holding entry (a
   * new run has swapped it since) is that relink's, and nothing is written.
   */
  late?: boolean;
  /**
   * False when no swap of the relink was ever confirmed (refused, or failed before it was applied): a record without
   * the relink's holding entry is then left exactly as it is. Absent (older relinks, the follow-up, the sweep):
   * the restore goes by the plan.
   */
  swapConfirmed?: boolean;
  /**
   * The relink's own restore: a refusal Alma will repeat (a 4xx but 429) fails the attempt as RestoreRefused, not
   * retryable, so the workflow shows it to staff (RESTORE_REFUSED) and tries again itself. Absent (older relinks, the
   * follow-up, the sweep): every failure is retried by Temporal.
   */
  reportRefusal?: boolean;
}

export interface RestoreContactResult {
  /** False when Alma already showed what the restore aims at: nothing was written. */
  written: boolean;
  /**
   * True only when the record as Alma holds it after any write (the PUT's answer, or the read when nothing was
   * written) shows the plan's contact details back.
   */
  verified: boolean;
  /**
   * Set when the record cannot show the plan (the original email or SMS phone is no longer there): the holding
   * address is gone all the same, and this says, for staff, what the record shows now and what to check. It holds
   * no address or phone number.
   */
  attention?: string;
  /** True when the swap was never applied (swapConfirmed false, no holding entry): nothing was written. */
  neverChanged?: boolean;
}

export interface RecheckSwapInput {
  patronId: string;
  workflowId: string;
  /** The plan recorded before the swap; the recheck never changes it. */
  plan: ContactPlan;
}

export interface RecheckSwapResult {
  /** True when the swap had been undone (a SIS load, a staff edit) and was written again. */
  reswapped: boolean;
  /** When reswapped: what had undone it, in staff words, without an address or number. */
  what?: string;
}

export interface FindLoansInput {
  patronId: string;
  items: CheckedItem[];
}

export interface FoundLoan {
  barcode: string;
  loanId: string;
  loanDate?: string;
  dueDate?: string;
}

export interface ResolvePatronResult {
  /** The patron's Alma primary_id, whichever of their identifiers was asked for. */
  primaryId: string;
}

/** Alma's daily API quota as a worker sees it: for planning a batch (relink batch) before anything starts. */
export interface DailyQuotaReading {
  /** X-Exl-Api-Remaining of a fresh answer: calls left today for the whole institution; absent if Alma sent none. */
  remaining?: number;
  /** The worker's floor (ALMA_MIN_DAILY_REMAINING): below it no relink starts, so the restores keep their calls. */
  floor: number;
}

/** A patron whose record carries the holding address, with no address or number: what the sweep reports on. */
export interface HoldingAddressFinding {
  patronId: string;
  /** The relinks its holding entries' markers name; empty when the address has no marker (added by hand). */
  workflowIds: string[];
  /** Those markers whole, each naming its run (absent from workers before run markers). */
  markers?: string[];
}

export interface RestoreFromMarkerInput {
  patronId: string;
  marker: string;
}

export interface RestoreFromMarkerResult {
  /** False when the record had no entry with the marker: nothing was written. */
  written: boolean;
  /**
   * Always set: without the relink's plan the original preferred email and SMS phones are unknown, so this says what
   * the record shows now and what staff must check. It holds no address or number.
   */
  attention: string;
}

export interface SetDueDateInput {
  patronId: string;
  loanId: string;
  barcode: string;
  /** ISO date-time: the due date the loan gets (moving it back before a give-up's return). */
  dueDate?: string;
  /**
   * Or: this long after the moment of the call (the overdue-job mode). Computed in the activity, not the workflow: a
   * step that waited in line would otherwise send a date already past, which Alma refuses (401681).
   */
  dueInMs?: number;
  /** 'earlier': leave a loan already due by then as it is (the overdue-job mode only ever moves it earlier). */
  only?: 'earlier';
}

export interface SetDueDateResult {
  barcode: string;
  loanId: string;
  /** changed: written now; unchanged: Alma already had it; lost / not-active: the loan is Lost or closed, left alone. */
  outcome: 'changed' | 'unchanged' | 'lost' | 'not-active';
  /** The loan's due date in Alma now (changed, unchanged). */
  dueDate?: string;
}

export interface ReturnLoanInput {
  patronId: string;
  /** Where to scan it in (its own library and desk) and what it was before the relink (processType). */
  item: CheckedItem;
  loanId: string;
  /**
   * The due date the loan had before the overdue-job mode moved it to now: put back before the scan-in (while still
   * ahead), or the return would find the loan overdue and may charge the patron an overdue fine.
   */
  dueDateBefore?: string;
}

export interface ReturnLoanResult {
  barcode: string;
  loanId: string;
  /**
   * returned: scanned in now; already-returned: Alma showed the loan closed (a retry, or staff returned it);
   * lost: Alma shows it Lost (a click the relink had not seen), so it is not returned.
   */
  outcome: 'returned' | 'already-returned' | 'lost';
  /** The item's base status and process type in Alma now, and where the scan sent it. */
  inPlace?: boolean;
  processType?: string;
  destination?: string;
  /**
   * With dueDateBefore: moved-back before the scan-in; past: that date had passed, so the loan was returned overdue;
   * refused: Alma refused to move it back, and the loan was returned as it was.
   */
  dueDateBack?: 'moved-back' | 'past' | 'refused';
}

/** One activity per step; each reads Alma first and writes only what is still needed. */
export interface RelinkActivities {
  preflight(input: PreflightInput): Promise<PreflightResult>;
  reviewRequests(input: ReviewRequestsInput): Promise<Record<string, QueueVerdict>>;
  swapContact(input: SwapContactInput): Promise<SwapContactResult>;
  scanIn(input: ScanInInput): Promise<ScanInResult>;
  loanItem(input: LoanItemInput): Promise<LoanItemResult>;
  checkLostDeclared(input: { patronId: string; loans: LoanToConfirm[] }): Promise<LostCheck[]>;
  /** Before each write that sends a letter and at each Lost poll: one read, and the swap again only if undone. */
  recheckSwap(input: RecheckSwapInput): Promise<RecheckSwapResult>;
  restoreContact(input: RestoreContactInput): Promise<RestoreContactResult>;
  findLoans(input: FindLoansInput): Promise<FoundLoan[]>;
  /** After a give-up, before the restore: returns (scans in) the relink's loan unless Alma shows it Lost. */
  returnLoan(input: ReturnLoanInput): Promise<ReturnLoanResult>;
  /** overdue-job mode: the loan's due date (read first; Lost or closed loans are left alone). One or two calls. */
  setDueDate(input: SetDueDateInput): Promise<SetDueDateResult>;
  /** After the restore: whether a write Alma applied late brought this relink's holding entry back. One read. */
  holdingEntryBack(input: RestoreContactInput): Promise<boolean>;
  /** Before a start, for the client: the primary_id of the patron any identifier names (a card barcode). One read. */
  resolvePatron(input: { identifier: string }): Promise<ResolvePatronResult>;
  /** For relink batch: the calls Alma has left today and the worker's floor, from one read of a patron. */
  readDailyQuota(input: { patronId: string }): Promise<DailyQuotaReading>;
  /** For relink sweep: the patrons Alma's user search finds with the holding address, and their markers. Reads. */
  findHoldingAddresses(input: { holdingEmail: string }): Promise<HoldingAddressFinding[]>;
  /** For relink sweep, when the relink's history is gone: removes the marked entry, conservatively. */
  restoreFromMarker(input: RestoreFromMarkerInput): Promise<RestoreFromMarkerResult>;
  /**
   * The end of a quiet period "next HH:MM" (RELINK_RESTORE_AFTER): that wall-clock time in the worker's ALMA_TIME_ZONE,
   * after now. No Alma call: the workflow may not read a time zone's rules, which change with the worker's Node.
   */
  quietPeriodEnd(input: { hour: number; minute: number; after?: string }): Promise<{ until: string; timeZone: string }>;
}

/** The business failures activities raise (non-retryable ApplicationFailure types) and the workflow's own. */
export type RelinkFailureType =
  | 'PatronNotFound'
  | 'PatronInactive'
  | 'PatronBlocked'
  | 'ItemNotFound'
  | 'ItemOnLoan'
  | 'ItemNotRelinkable'
  | 'ItemNotLoanable'
  /** A patron limit refused the loan (401161 loan limit, 401198 a parallel loan): about the patron, not the item. */
  | 'PatronLoanLimit'
  /**
   * Alma refused the API loan where staff at a desk can get past it with an override (60340 API-restricted by the
   * library's policy, 401652 a limit computed at the loan, the patron-limit codes): the relink asks staff to loan.
   */
  | 'LoanNeedsStaff'
  | 'DeskNotConfigured'
  | 'RequestQueueBlocked'
  | 'ContactChanged'
  | 'HoldingAddressAlreadyPresent'
  /** The record has two or more preferred emails: the plan could not put it back exactly (contact.ts planRefusal). */
  | 'SeveralPreferredEmails'
  /** An account type Alma's user PUT refuses (401855, "Internal with external authentication"): found at preflight. */
  | 'AccountTypeNotSupported'
  | 'AlmaUnauthorized'
  | 'AlmaDailyLimit'
  | 'AlmaRejected'
  /** The due-date PUT refused (401681: a date in the past; 401824). */
  | 'DueDateRefused'
  /** The workflow's own: a join or start-or-join that reached a relink after it began to finish. */
  | 'RelinkClosing';
