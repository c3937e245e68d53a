// One relink's state and its forward steps, in the order they run: preflight, review the request queues, swap the
// contact details, scan each item in and loan it; then the Lost wait (lost-wait.ts) and, whatever happens, the
// restore (compensation.ts). The workflow function (relink-lost-loans.ts) wires the messages to it and runs it.
import { ActivityFailure, ApplicationFailure, condition, patched, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import {
  markerFor,
  parseRestoreAfter,
  relinkDurations,
  runTagOf,
  type CheckedItem,
  type ContactPlan,
  type JoinResult,
  type LoanDecision,
  type RelinkDurations,
  type RelinkInput,
  type ReviewDecision,
} from '../contract';
import { relinkProxies, type RelinkProxies } from './activity-proxies';
import * as say from './instructions';
import { restore } from './compensation';
import { ensureStillSwapped, ensureSwapped, rereadReportedChange } from './contact-swap';
import { reviewUntilClear } from './request-review';
import { awaitLostDeclarations } from './lost-wait';
import { lostByOverdueJob } from './lost-by-job';
import { quietPeriodBeforeRestore } from './quiet-period';
import { causeOf, failureType, ms, RelinkStop } from './outcomes';
import {
  ACTIVITY_HEARTBEATS,
  FEWER_ROUND_TRIPS,
  ONE_HOLDING_RULE,
  RUN_MARKER,
  STAFF_LOAN_AT_DESK,
  USER_METADATA,
} from './patches';
import { awaitStaffLoan } from './staff-loan';
import { RelinkTracker } from './progress';
import { advance, holdingVerdict, type HoldingVerdict, type ItemEvent, type ItemLife } from './holding-rule';

export class Relink {
  readonly workflowId = workflowInfo().workflowId;
  readonly patronId: string;
  /** In the holding entry's description: the workflow id and, since RUN_MARKER, this run's tag. */
  readonly marker: string;
  readonly durations: RelinkDurations;
  readonly lostDeadlineMs: number;
  /** How long the holding address may stay, from the start of the Lost wait (RELINK_HOLDING_ADDRESS_LIMIT). */
  readonly holdingLimitMs: number;
  readonly pollInitialMs: number;
  readonly pollMaxMs: number;
  readonly reviewDeadlineMs: number;
  /** Relinks started since FEWER_ROUND_TRIPS; their histories differ from the ones recorded before it. */
  readonly lean: boolean;
  /** Activities and timers carry summaries for the Web UI (USER_METADATA). */
  readonly summaries: boolean;
  readonly stepTimeoutMs: number;
  readonly track: RelinkTracker;
  readonly activities: RelinkProxies;

  /** The patron's contact details before the swap; `planFresh` is false once they may have changed since read. */
  plan?: ContactPlan;
  planFresh = false;
  /** Set before the swap is attempted: from then on the restore must run, whatever happens. */
  restoreOwed = false;
  swapped = false;
  /** The restore found the swap never applied: the record was never changed (the audit and a failure say so). */
  neverChanged = false;
  /** What staff should check when the restore could not honour the plan (the record changed meanwhile). */
  restoreAttention?: string;
  /** When (workflow time) Alma last showed the swap in place: by the swap itself or a re-check. */
  swapVerifiedAt = 0;
  /** A swap was sent at least once: Alma may apply one late, so the record is read again after the restore. */
  swapAttempted = false;
  readonly checked = new Map<string, CheckedItem>();
  readonly loans = new Map<string, { loanId: string; loanDate?: string; dueDate?: string }>();
  /** Items whose loan POST may have reached Alma: a failure's answer can be lost after Alma applied it. */
  readonly loanAttempted = new Set<string>();
  /** Items joined while the relink runs, each batch waiting for the main loop to take it. */
  readonly pendingBatches: CheckedItem[][] = [];
  /** Set when the relink begins to finish: no join may land after it. */
  closing = false;
  decision?: ReviewDecision;
  /** A staff decision on the loans while the relink waits for the Lost click: return them, or keep them. */
  loanDecision?: LoanDecision;
  /** Set when the compensation took the return path (RETURN_LOANS_ON_GIVE_UP). */
  loansReturnedAtEnd = false;
  /** Lost-click signals received, and how many of them a check has answered. */
  lostSignals = 0;
  lostSignalsSeen = 0;
  /** Staff ended the quiet period before the restore early (relink restore-now), and who. */
  restoreNowAsked = false;
  restoreNowBy?: string;
  /** overdue-job mode: loans whose due date the relink moved (lost-by-job.ts), and when that wait began. */
  readonly dueDateMoved = new Set<string>();
  lostWaitSince?: number;
  /** Each item's lifecycle, moved only through `lifeEvent`: what the holding rule (holding-rule.ts) reads. */
  readonly lives = new Map<string, ItemLife>();
  /** Alma's webhooks (alma-events.ts): the message ids taken, user updates reported and read, requests reported. */
  readonly almaMessages: string[] = [];
  userEvents = 0;
  userEventsSeen = 0;
  readonly requestReported = new Set<string>();
  /**
   * Alma's reports of its Fines/Fees Notification job's runs: when (workflow time) each was heard, and when the job ran
   * by Alma's message (never later than heard).
   */
  readonly finesJobRuns: { heard: number; ran: number }[] = [];
  /** Set where a quiet period that waits for the job begins (FINES_JOB_RUN_TIME): runs count by `ran`, not `heard`. */
  finesJobByRunTime = false;
  /** Items whose API loan Alma refused, for which staff were asked to loan at the desk (staff-loan.ts). */
  readonly deskLoanAsked = new Set<string>();

  constructor(readonly input: RelinkInput) {
    this.patronId = input.patronId;
    const run = runTagOf(workflowInfo().firstExecutionRunId);
    this.marker = patched(RUN_MARKER) ? markerFor(this.workflowId, run) : markerFor(this.workflowId);
    this.durations = relinkDurations(input);
    this.lostDeadlineMs = ms(this.durations.lostDeadline);
    this.holdingLimitMs = ms(this.durations.holdingAddressLimit);
    this.pollInitialMs = ms(this.durations.lostPollInitial);
    this.pollMaxMs = ms(this.durations.lostPollMax);
    this.reviewDeadlineMs = ms(this.durations.reviewDeadline);
    this.lean = patched(FEWER_ROUND_TRIPS);
    this.stepTimeoutMs = ms(this.durations.stepTimeout);

    this.track = new RelinkTracker(this.workflowId, this.patronId, input.barcodes, this.lean);
    this.track.webhooks = input.webhooks === true;
    const heartbeats = patched(ACTIVITY_HEARTBEATS);
    this.summaries = patched(USER_METADATA);
    this.activities = relinkProxies(this.durations.stepTimeout as Duration, this.track, heartbeats, this.summaries);
  }

  /**
   * Alma confirmed a swap at least once (swapVerifiedAt is set only then): without it, a restore that finds no holding
   * entry writes nothing.
   */
  get swapConfirmed(): boolean {
    return this.swapVerifiedAt > 0;
  }

  get steps() {
    return this.activities.steps;
  }

  /**
   * Whether this run takes the path of a later change (patches.ts). Asked where the paths part, not at start: each id
   * adds a TemporalChangeVersion write to the history the first time it is asked.
   */
  patch(id: string): boolean {
    return patched(id);
  }

  /**
   * Waits on the server after writing the search attributes changed since the last write. A change to the patron's
   * record that Alma reports meanwhile (a webhook) is met at once with a read of the swap, and the wait goes on to its
   * end: callers see a wait as before. Without such a report it is one condition, as it always was.
   */
  async wait(fn: () => boolean, timeout?: number, summary?: string): Promise<boolean> {
    const end = timeout === undefined ? undefined : Date.now() + timeout;
    for (;;) {
      if (this.userEvents !== this.userEventsSeen) await rereadReportedChange(this, end);
      this.track.publish();
      const woken = () => fn() || this.userEvents !== this.userEventsSeen;
      const left = end === undefined ? undefined : Math.max(0, end - Date.now());
      // The timer's summary in the Web UI, for relinks started with USER_METADATA.
      const met =
        left === undefined
          ? await condition(woken).then(() => true)
          : this.summaries && summary
            ? await condition(woken, left, { summary })
            : await condition(woken, left);
      if (fn()) return true;
      if (!met || this.userEvents === this.userEventsSeen) return false;
    }
  }

  /** `fromLookup`: the start's first preflight, which may plan from the patron lookup's read (an input, no command). */
  preflight(barcodes: string[], skipPatron = false, fromLookup = false) {
    const { patronId, marker } = this;
    const { desks, holdingEmail, holdingEmailType } = this.input;
    return this.steps.preflight({
      patronId,
      barcodes,
      desks,
      holdingEmail,
      ...(holdingEmailType ? { holdingEmailType } : {}),
      marker,
      ...(skipPatron ? { skipPatron } : {}),
      ...(fromLookup ? { fromLookup } : {}),
    });
  }

  /** The staff decision received since the last call, if any (a review, or the desk loan's wait). */
  takeDecision(): ReviewDecision | undefined {
    const d = this.decision;
    this.decision = undefined;
    return d;
  }

  /** Moves an item's lifecycle (holding-rule.ts); an event that does not apply leaves it as it is. */
  lifeEvent(barcode: string, event: ItemEvent): void {
    this.lives.set(barcode, advance(this.lives.get(barcode) ?? { state: 'checked' }, event));
  }

  /** A Lost confirmed now: its fee letter may go out until the end of the quiet period that follows it. */
  lostNow(barcode: string): void {
    const at = Date.now();
    const setting = parseRestoreAfter(this.input.restoreAfter);
    // A "next HH:MM" end is computed when the quiet period begins (in the institution's time zone): until then, open.
    const quietUntil =
      typeof setting === 'string' || setting.kind === 'at-once'
        ? at
        : setting.kind === 'duration'
          ? at + setting.ms
          : setting.kind === 'after-fines-job'
            ? at + setting.limitMs
            : Number.POSITIVE_INFINITY;
    this.lifeEvent(barcode, { type: 'lost', at, quietUntil });
  }

  /** When a reported run of the job counts as having run: by Alma's message since FINES_JOB_RUN_TIME. */
  private finesJobRunAt(run: { heard: number; ran: number }): number {
    return this.finesJobByRunTime ? run.ran : run.heard;
  }

  /** Alma reported a run of its Fines/Fees Notification job after `since` (workflow time). */
  finesJobRanSince(since: number): boolean {
    return this.finesJobRuns.some((run) => this.finesJobRunAt(run) > since);
  }

  /**
   * "after-fines-job": once Alma reports the job's run, each Lost before it has had its fee letter, so its quiet
   * period ends then. Returns whether any item's end moved.
   */
  settleQuietByFinesJob(): boolean {
    const setting = parseRestoreAfter(this.input.restoreAfter);
    if (typeof setting === 'string' || setting.kind !== 'after-fines-job') return false;
    // Before FINES_JOB_RUN_TIME: the last run heard, at the moment it was heard.
    const runs = this.finesJobRuns.map((run) => this.finesJobRunAt(run));
    const considered = this.finesJobByRunTime ? runs : runs.slice(-1);
    let moved = false;
    for (const [barcode, life] of this.lives) {
      if (life.state !== 'lost') continue;
      // The first run after this Lost sent its fee letter (a run reported late may be older than the last one heard).
      const ran = Math.min(...considered.filter((at) => at > life.lostAt));
      if (Number.isFinite(ran) && life.quietUntil > ran) {
        this.lifeEvent(barcode, { type: 'quiet-until', until: ran });
        moved = true;
      }
    }
    return moved;
  }

  /** The barcodes among `loans` whose due date the overdue-job mode moved. */
  dueDatesMovedOf(loans: { barcode: string }[]): string[] {
    return loans.filter((l) => this.dueDateMoved.has(l.barcode)).map((l) => l.barcode);
  }

  /** The one rule: must the holding address stay now, until when, and why. */
  verdict(): HoldingVerdict {
    return holdingVerdict(this.lives, Date.now(), { restoreNow: this.restoreNowAsked });
  }

  /**
   * Whether a restore the old flags allow (no open loan) may run now: the rule may still hold the address for an item
   * in its quiet period. Relinks from before the rule restore as they did.
   */
  mayRestoreMidway(): boolean {
    if (this.openLoans().length > 0) return false;
    return !this.verdict().hold || !this.patch(ONE_HOLDING_RULE);
  }

  private noteChecked(items: CheckedItem[]): void {
    for (const item of items) {
      if (!this.lives.has(item.barcode)) this.lives.set(item.barcode, { state: 'checked' });
      this.checked.set(item.barcode, item);
      this.track.update(item.barcode, { phase: 'checked', title: item.title });
    }
  }

  // --- the forward steps ---------------------------------------------------------------------------------------

  async run(): Promise<void> {
    this.track.log(`Relink of ${this.input.barcodes.join(', ')} to patron ${this.patronId} started.`);
    const pre = await this.preflight(this.input.barcodes, false, true);
    this.plan = pre.contactPlan;
    this.planFresh = true;
    this.noteChecked(pre.items);
    this.track.log('Preflight passed: patron active, every item found and relinkable, desks configured.');
    // Audit text only: no command changes.
    for (const warning of pre.loanWarnings ?? []) this.track.log(warning);
    await this.relinkBatch(pre.items);
    // The restore begins after a verified Lost, and after the quiet period when there is one; a join during the quiet
    // period goes back to the Lost wait.
    do {
      await lostByOverdueJob(this);
      await awaitLostDeclarations(this);
    } while (!(await quietPeriodBeforeRestore(this)));
    this.track.outcome = 'completed';
  }

  /** Barcodes joined by a second start for the same patron: checked now, relinked by the main loop. */
  async join(barcodes: string[]): Promise<JoinResult> {
    const alreadyPresent = barcodes.filter((b) => this.track.items.has(b));
    const fresh = [...new Set(barcodes.filter((b) => !this.track.items.has(b)))];
    if (fresh.length === 0) return { workflowId: this.workflowId, started: false, added: [], alreadyPresent };
    for (const b of fresh) this.track.update(b, { phase: 'pending' });
    try {
      const result = await this.preflight(fresh, true);
      // The relink may have begun to finish while the barcodes were checked: nothing would relink them now.
      if (this.closing) throw this.closingFailure();
      this.noteChecked(result.items);
      this.pendingBatches.push(result.items);
    } catch (err) {
      for (const b of fresh) this.track.items.delete(b);
      if (err instanceof ApplicationFailure) throw err;
      const cause = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
      throw ApplicationFailure.nonRetryable(`Not joined: ${cause}`, failureType(err) ?? 'JoinRefused');
    }
    this.track.barcodesChanged();
    this.track.log(`Joined: ${fresh.join(', ')} added to this relink.`);
    return { workflowId: this.workflowId, started: false, added: fresh, alreadyPresent };
  }

  closingFailure(): ApplicationFailure {
    const message = `${this.workflowId} is finishing (step ${this.track.step}); start a new relink afterwards.`;
    return ApplicationFailure.nonRetryable(message, 'RelinkClosing');
  }

  /** Relinks the next batch of joined barcodes, if one waits; says whether it did (the waits then look again). */
  async relinkJoined(): Promise<boolean> {
    const batch = this.pendingBatches.shift();
    if (!batch) return false;
    this.track.await('none');
    await this.relinkBatch(batch);
    return true;
  }

  async relinkBatch(batch: CheckedItem[]): Promise<void> {
    // Items staff aborted at a join's review drop out; the rest of the relink goes on (holding-rule.ts).
    const aborted = new Set(await reviewUntilClear(this, batch, false));
    const items = batch.filter((i) => !aborted.has(i.barcode));
    if (items.length === 0) return;
    await ensureSwapped(this);
    for (const [i, item] of items.entries()) {
      await ensureStillSwapped(this);
      if (!(await this.scanIn(item))) continue;
      await ensureStillSwapped(this);
      if (!(await this.loan(item))) this.goOnWithout(item, i < items.length - 1);
    }
  }

  /**
   * An item given up at its desk loan drops out; the relink goes on when more items follow it or another item still
   * needs the holding address, and ends otherwise (aborted by staff, or needs-attention at the limit).
   */
  private goOnWithout(item: CheckedItem, more: boolean): void {
    const byStaff = this.track.item(item.barcode).phase === 'aborted';
    const what = byStaff
      ? `Staff gave up on the desk loan of ${item.barcode}`
      : `No desk loan of ${item.barcode} within ${this.durations.holdingAddressLimit} (the holding-address limit)`;
    const others = this.verdict();
    if (more || this.pendingBatches.length > 0 || others.hold) {
      this.track.log(`${what}; the relink goes on with its other items.`);
      return;
    }
    throw new RelinkStop(byStaff ? 'aborted' : 'needs-attention', `${what}: it stays scanned in and not loaned.`);
  }

  /** Scans the item in; false when staff aborted its review meanwhile and the relink goes on without it. */
  private async scanIn(item: CheckedItem): Promise<boolean> {
    const { track } = this;
    for (;;) {
      track.enter('scan-in');
      // A request Alma reported on the item or its title (a webhook): its own queue is read too (activity input only).
      const reported = this.requestReported.delete(item.barcode);
      const scan = await this.steps.scanIn({
        patronId: this.patronId,
        item,
        ...(reported ? { requestReported: true } : {}),
      });
      if (scan.scanned) {
        const { patronRequestId } = scan;
        track.update(item.barcode, { phase: 'scanned-in', patronRequestId, blockingRequests: undefined });
        this.lifeEvent(item.barcode, { type: 'scanned-in' });
        const where = `${item.library}/${item.circDesk}${scan.alreadyInPlace ? ' (Alma already had it in place)' : ''}`;
        track.log(`Item ${item.barcode} scanned in at ${where}.`);
        return true;
      }
      // A request arrived after the swap. Give the patron their address back while staff decide, unless a
      // loan of theirs is already waiting for its Lost click (that letter must still go to the holding address).
      track.update(item.barcode, { blockingRequests: scan.blocking });
      if (this.mayRestoreMidway()) await restore(this, 'a request arrived after the swap; waiting for staff');
      if ((await reviewUntilClear(this, [item], true)).length > 0) return false;
      await ensureSwapped(this);
    }
  }

  /** Loans the item; false when Alma refused the API loan and the desk loan staff were asked for was given up. */
  private async loan(item: CheckedItem): Promise<boolean> {
    this.track.enter('loan');
    this.loanAttempted.add(item.barcode);
    const patronRequestId = this.track.item(item.barcode).patronRequestId;
    let loan: { loanId: string; loanDate?: string; dueDate?: string };
    let how: string;
    try {
      const made = await this.steps.loanItem({ patronId: this.patronId, item, patronRequestId });
      loan = made;
      how = made.alreadyExisted ? ' (Alma already had the loan)' : '';
    } catch (err) {
      if (failureType(err) !== 'LoanNeedsStaff' || !this.patch(STAFF_LOAN_AT_DESK)) throw err;
      const end = await awaitStaffLoan(this, item, causeOf(err));
      if ('givenUp' in end) return false;
      loan = end.loan;
      how = ' at the desk by staff';
    }
    this.loans.set(item.barcode, { loanId: loan.loanId, loanDate: loan.loanDate, dueDate: loan.dueDate });
    this.track.update(item.barcode, { phase: 'loaned', loanId: loan.loanId });
    this.lifeEvent(item.barcode, { type: 'loaned' });
    this.track.log(`Item ${item.barcode} loaned to patron ${this.patronId}${how}.`, { loanId: loan.loanId });
    return true;
  }

  /** Loans made, not yet confirmed Lost in Alma and not returned by the compensation. */
  openLoans(): say.OpenLoan[] {
    return [...this.loans.entries()]
      .filter(([b]) => !this.track.item(b).lostConfirmed && this.track.item(b).phase !== 'returned')
      .map(([barcode, l]) => ({ barcode, loanId: l.loanId, title: this.track.item(barcode).title }));
  }
}
