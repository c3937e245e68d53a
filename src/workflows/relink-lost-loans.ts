// The relink of closed lost loans to one patron, in order: preflight, request review, email swap, scan in,
// loan, the staff Lost click (confirmed through Alma), and — whatever happens — the restore of the patron's email.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  addBarcodesUpdate,
  barcodesProblems,
  confirmLostSignal,
  markerFor,
  progressQuery,
  relinkInputProblems,
  reviewDecisionUpdate,
  type CheckedItem,
  type ContactPlan,
  type JoinResult,
  type QueueVerdict,
  type RelinkActivities,
  type RelinkInput,
  type RelinkResult,
  type ReviewDecision,
} from '../contract';
import { RelinkTracker } from './progress';

// Forward steps: Alma's transient errors (429, 5xx, network) retry with backoff; business errors are
// non-retryable ApplicationFailures raised by the activities themselves.
// An activity is a few Alma calls; the timeout is how soon a step stuck on a crashed worker is retried elsewhere.
function activitiesFor(stepTimeout: Duration) {
  return {
    // Forward steps: Alma's transient errors (429, 5xx, network) retry with backoff; business errors are
    // non-retryable ApplicationFailures raised by the activities themselves.
    steps: proxyActivities<RelinkActivities>({
      startToCloseTimeout: stepTimeout,
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
      // On a cancel, wait for the step in flight to end before the restore runs: a swap or loan that Alma applies
      // after the restore would leave the holding address in place, or send the loan letter to the patron. (Left
      // unset, the SDK sends TRY_CANCEL, which gives up on the step at once, whatever its doc comment says.)
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    }),
    // The compensation never gives up: every failure retries, with the pause capped so it resumes soon after Alma
    // does. The restore, and (after a failure or a cancel) the report of loans Alma made without answering.
    compensation: proxyActivities<RelinkActivities>({
      startToCloseTimeout: stepTimeout,
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
    }),
  };
}

/**
 * The patched() id of the change that took out round trips carrying nothing: the request-review activity when no
 * item is requested, and one search attribute write per change instead of one per wait. Relinks started before it
 * replay on the old path (test/histories/v1-*). One id for both: every id adds a TemporalChangeVersion write.
 */
const FEWER_ROUND_TRIPS = 'fewer-round-trips';

/** The same activities, each writing the tracker's unpublished search attributes before it is scheduled. */
function publishingFirst<T extends object>(activities: T, track: RelinkTracker): T {
  return new Proxy(activities, {
    get(target, name) {
      const fn: unknown = Reflect.get(target, name);
      if (typeof fn !== 'function') return fn;
      return (...args: unknown[]) => {
        track.publish();
        return (fn as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}

/** Ends the relink without failing it: staff aborted, or a deadline passed. */
class RelinkStop extends Error {
  constructor(
    readonly outcome: 'aborted' | 'needs-attention',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Durations like "24 hours" or "1 minute" in milliseconds; a malformed one fails the relink before any Alma call. */
function ms(duration: string): number {
  try {
    return msToNumber(duration as Duration);
  } catch {
    throw ApplicationFailure.nonRetryable(`"${duration}" is not a duration like "24 hours"`, 'InvalidInput');
  }
}

/** The Alma error code and tracking id an activity attached to its failure, for the audit trail. */
function almaIdsOf(err: unknown): Record<string, string> | undefined {
  if (!(err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)) return undefined;
  const details = (err.cause.details?.[0] ?? {}) as Record<string, unknown>;
  const ids = Object.fromEntries(
    ['almaCode', 'trackingId']
      .filter((k) => typeof details[k] === 'string' && details[k])
      .map((k) => [k, String(details[k])]),
  );
  return Object.keys(ids).length ? ids : undefined;
}

const failureType = (err: unknown): string | undefined =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? (err.cause.type ?? undefined) : undefined;

export async function relinkLostLoans(input: RelinkInput): Promise<RelinkResult> {
  const { workflowId } = workflowInfo();
  const problems = relinkInputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`Cannot relink: ${problems.join('; ')}.`, 'InvalidInput');
  }
  const { patronId, holdingEmail, desks } = input;
  const marker = markerFor(workflowId);
  const lostDeadlineMs = ms(input.lostDeadline ?? '24 hours');
  const pollInitialMs = ms(input.lostPollInitial ?? '1 minute');
  const pollMaxMs = ms(input.lostPollMax ?? '30 minutes');
  const reviewDeadlineMs = ms(input.reviewDeadline ?? '7 days');

  const lean = patched(FEWER_ROUND_TRIPS);
  const track = new RelinkTracker(workflowId, patronId, input.barcodes, lean);
  // Every activity and every wait writes the search attributes changed since the last one first.
  const proxies = activitiesFor((input.stepTimeout ?? '1 minute') as Duration);
  const steps = publishingFirst(proxies.steps, track);
  const { restoreContact, findLoans } = publishingFirst(proxies.compensation, track);
  const wait = (fn: () => boolean, timeout?: number): Promise<boolean> => {
    track.publish();
    return timeout === undefined ? condition(fn).then(() => true) : condition(fn, timeout);
  };
  let plan: ContactPlan | undefined;
  let planFresh = false;
  /** Set before the swap is attempted: from then on the restore must run, whatever happens. */
  let restoreOwed = false;
  let swapped = false;
  const checked = new Map<string, CheckedItem>();
  const loans = new Map<string, { loanId: string; loanDate?: string }>();
  /** Items whose loan POST may have reached Alma: a failure's answer can be lost after Alma applied it. */
  const loanAttempted = new Set<string>();
  const pendingBatches: CheckedItem[][] = [];
  let joinsInFlight = 0;
  let closing = false;
  let decision: ReviewDecision | undefined;
  let lostSignals = 0;

  setHandler(progressQuery, () => track.snapshot());
  setHandler(confirmLostSignal, (request) => {
    lostSignals++;
    track.log(`Staff reported the Lost click${request?.barcode ? ` for ${request.barcode}` : ''}; checking Alma now.`);
  });
  setHandler(
    reviewDecisionUpdate,
    (d) => {
      decision = d;
      return `Decision "${d.decision}" received; ${d.decision === 'proceed' ? 're-reading the request queue' : 'aborting the relink'}.`;
    },
    {
      validator: (d) => {
        if (track.awaiting !== 'request-review') {
          throw new Error(`${workflowId} is not waiting for a request review (it is at step ${track.step}).`);
        }
        if (d?.decision !== 'proceed' && d?.decision !== 'abort') throw new Error('decision must be proceed or abort');
      },
    },
  );
  setHandler(
    addBarcodesUpdate,
    async (barcodes, options?): Promise<JoinResult> => {
      // Start-or-join sends this update with every start: on the run it started, it only confirms the start.
      if (options?.startRequestId && options.startRequestId === input.startRequestId) {
        return { workflowId, started: true, added: [...input.barcodes], alreadyPresent: [] };
      }
      const alreadyPresent = barcodes.filter((b) => track.items.has(b));
      const fresh = [...new Set(barcodes.filter((b) => !track.items.has(b)))];
      if (fresh.length === 0) return { workflowId, started: false, added: [], alreadyPresent };
      joinsInFlight++;
      for (const b of fresh) track.update(b, { phase: 'pending' });
      try {
        const result = await steps.preflight({
          patronId,
          barcodes: fresh,
          desks,
          holdingEmail,
          marker,
          skipPatron: true,
        });
        for (const item of result.items) {
          checked.set(item.barcode, item);
          track.update(item.barcode, { phase: 'checked', title: item.title });
        }
        pendingBatches.push(result.items);
        track.barcodesChanged();
        track.log(`Joined: ${fresh.join(', ')} added to this relink.`);
        return { workflowId, started: false, added: fresh, alreadyPresent };
      } catch (err) {
        for (const b of fresh) track.items.delete(b);
        const cause = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
        throw ApplicationFailure.nonRetryable(`Not joined: ${cause}`, failureType(err) ?? 'JoinRefused');
      } finally {
        joinsInFlight--;
      }
    },
    {
      validator: (barcodes, _options?) => {
        const problems = barcodesProblems(barcodes);
        if (problems.length) throw new Error(`Cannot join: ${problems.join('; ')}.`);
        if (closing) {
          throw ApplicationFailure.nonRetryable(
            `${workflowId} is finishing (step ${track.step}); start a new relink afterwards.`,
            'RelinkClosing',
          );
        }
      },
    },
  );

  // --- the steps ----------------------------------------------------------------------------------------------

  async function reviewUntilClear(items: CheckedItem[], rereadAll: boolean): Promise<void> {
    track.enter('request-review');
    // When Alma's "requested" flag (read by the preflight) is off on every item there is no queue to read, and the
    // activity would be a round trip through the server with no Alma call in it. Histories of relinks started before
    // this change have that activity, so they replay on the old path.
    let verdicts =
      lean && !rereadAll && items.every((i) => !i.requested)
        ? Object.fromEntries(items.map((i): [string, QueueVerdict] => [i.barcode, { blocking: [] }]))
        : await steps.reviewRequests({ patronId, items, rereadAll });
    for (;;) {
      const blocked = items.filter((i) => (verdicts[i.barcode]?.blocking.length ?? 0) > 0);
      for (const item of items) {
        const v = verdicts[item.barcode];
        track.update(item.barcode, {
          phase: v?.blocking.length ? 'awaiting-review' : 'checked',
          blockingRequests: v?.blocking.length ? v.blocking : undefined,
          patronRequestId: v?.patronRequestId,
        });
      }
      if (blocked.length === 0) {
        track.await('none');
        return;
      }
      const queues = blocked
        .map(
          (i) =>
            `${i.barcode} ("${i.title}"): ${verdicts[i.barcode]!.blocking.map((r) => `request ${r.requestId} (${r.requestType}, ${r.status})`).join(', ')}`,
        )
        .join('; ');
      track.log(`Another patron's request would be fulfilled by the scan-in: ${queues}.`);
      track.await(
        'request-review',
        `In Alma, review the request queue of ${queues} (Fulfillment > Manage Requests / the item's Requests list): ` +
          `cancel or move those requests so none stands before patron ${patronId}. ` +
          `Then run: relink review ${workflowId} --proceed   (or --abort to stop this relink).`,
      );
      decision = undefined;
      planFresh = false;
      if (!(await wait(() => decision !== undefined, reviewDeadlineMs))) {
        throw new RelinkStop(
          'needs-attention',
          `No request-review decision within ${input.reviewDeadline ?? '7 days'}.`,
        );
      }
      track.log(`Staff decided to ${decision!.decision}${decision!.by ? ` (${decision!.by})` : ''}.`);
      track.await('none');
      if (decision!.decision === 'abort') {
        for (const item of blocked) track.update(item.barcode, { phase: 'aborted' });
        throw new RelinkStop(
          'aborted',
          `Staff aborted the relink at the request review of ${blocked.map((i) => i.barcode).join(', ')}.`,
        );
      }
      verdicts = await steps.reviewRequests({ patronId, items, rereadAll: true });
    }
  }

  async function ensureSwapped(): Promise<void> {
    if (swapped) return;
    track.enter('email-swap');
    for (let attempt = 1; ; attempt++) {
      if (!plan || !planFresh) {
        plan = (await steps.preflight({ patronId, barcodes: [], desks, holdingEmail, marker })).contactPlan;
        planFresh = true;
      }
      restoreOwed = true; // the restore is registered before the swap, so a crash mid-swap is still undone
      try {
        const result = await steps.swapContact({ patronId, workflowId, plan: plan! });
        swapped = true;
        Object.assign(track.contact, {
          swapped: true,
          restored: false,
          verified: false,
          suppressedEmail: result.suppressedEmail,
          suppressedSmsPhones: result.suppressedSmsPhones,
        });
        track.log(
          (result.suppressedEmail
            ? 'Preferred email switched to the holding address'
            : 'Patron had no preferred email: the holding address was added, nothing to suppress') +
            (result.suppressedSmsPhones
              ? `; SMS switched off on ${result.suppressedSmsPhones} phone(s).`
              : '; no SMS phone to suppress.'),
        );
        return;
      } catch (err) {
        if (failureType(err) !== 'ContactChanged' || attempt >= 3) throw err;
        track.log("The patron's contact details changed since they were read; reading them again.");
        planFresh = false;
      }
    }
  }

  async function restore(why: string): Promise<void> {
    track.enter('restore');
    track.log(`Restoring the patron's email and SMS settings (${why}).`);
    for (;;) {
      try {
        const result = await restoreContact({ patronId, plan: plan! });
        Object.assign(track.contact, {
          swapped: false,
          restored: true,
          verified: result.verified,
          lastRestoreError: undefined,
        });
        track.log(
          result.written
            ? 'Original email and SMS settings restored and verified.'
            : 'Alma already showed the original email and SMS settings (verified).',
        );
        restoreOwed = false;
        swapped = false;
        return;
      } catch (err) {
        // Unreachable with an unlimited retry policy, unless the activity is cut short by its timeouts: keep going.
        track.contact.lastRestoreError = err instanceof Error ? err.message : String(err);
        track.publish();
        await sleep('1 minute');
      }
    }
  }

  /** After a failure or a cancel: learn from Alma which loans the relink made but never heard back about. */
  async function reportUnansweredLoans(): Promise<void> {
    const unsure = [...loanAttempted].filter((b) => !loans.has(b) && checked.has(b)).map((b) => checked.get(b)!);
    if (unsure.length === 0) return;
    for (const found of await findLoans({ patronId, items: unsure })) {
      loans.set(found.barcode, { loanId: found.loanId, loanDate: found.loanDate });
      track.update(found.barcode, { phase: 'loaned', loanId: found.loanId });
      track.log(
        `Alma shows ${found.barcode} on loan to patron ${patronId}: this relink's loan went through although ` +
          `Alma's answer was lost. Declare it Lost or return it in Alma.`,
        { loanId: found.loanId },
      );
    }
  }

  async function relinkBatch(items: CheckedItem[]): Promise<void> {
    await reviewUntilClear(items, false);
    await ensureSwapped();
    for (const item of items) {
      for (;;) {
        track.enter('scan-in');
        const scan = await steps.scanIn({ patronId, item });
        if (scan.scanned) {
          track.update(item.barcode, {
            phase: 'scanned-in',
            patronRequestId: scan.patronRequestId,
            blockingRequests: undefined,
          });
          track.log(
            `Item ${item.barcode} scanned in at ${item.library}/${item.circDesk}${scan.alreadyInPlace ? ' (Alma already had it in place)' : ''}.`,
          );
          break;
        }
        // A request arrived after the swap. Give the patron their address back while staff decide, unless a
        // loan of theirs is already waiting for its Lost click (that letter must still go to the holding address).
        track.update(item.barcode, { blockingRequests: scan.blocking });
        if (![...loans.keys()].some((b) => !track.item(b).lostConfirmed))
          await restore('a request arrived after the swap; waiting for staff');
        await reviewUntilClear([item], true);
        await ensureSwapped();
      }
      track.enter('loan');
      loanAttempted.add(item.barcode);
      const loan = await steps.loanItem({ patronId, item, patronRequestId: track.item(item.barcode).patronRequestId });
      loans.set(item.barcode, { loanId: loan.loanId, loanDate: loan.loanDate });
      track.update(item.barcode, { phase: 'loaned', loanId: loan.loanId });
      track.log(
        `Item ${item.barcode} loaned to patron ${patronId}${loan.alreadyExisted ? ' (Alma already had the loan)' : ''}.`,
        { loanId: loan.loanId },
      );
    }
  }

  function lostInstructions(): string {
    const open = [...loans.entries()].filter(([b]) => !track.item(b).lostConfirmed);
    const list = open.map(([b, l]) => `${b} ("${track.item(b).title ?? ''}", loan ${l.loanId})`).join('; ');
    return (
      `In Alma: Fulfillment > Manage Patron Services, patron ${patronId}, Loans tab: on the loan of ${list} ` +
      `open the row actions (⋯) and choose "Lost". Then run: relink confirm-lost ${workflowId}. ` +
      `(The relink also checks Alma by itself and stops waiting after ${input.lostDeadline ?? '24 hours'}.)`
    );
  }

  async function awaitLostDeclarations(): Promise<void> {
    const deadline = Date.now() + lostDeadlineMs;
    let pause = pollInitialMs;
    for (;;) {
      if (pendingBatches.length > 0) {
        track.await('none');
        await relinkBatch(pendingBatches.shift()!);
        continue;
      }
      const open = [...loans.entries()].filter(([b]) => !track.item(b).lostConfirmed);
      if (open.length === 0) {
        // Let a join that is still being checked land before the relink closes.
        await wait(() => joinsInFlight === 0);
        if (pendingBatches.length === 0) return;
        continue;
      }
      track.enter('lost-declaration');
      track.await('lost-declaration', lostInstructions());
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new RelinkStop(
          'needs-attention',
          `No Lost click was confirmed within ${input.lostDeadline ?? '24 hours'} for ${open.map(([b, l]) => `${b} (loan ${l.loanId})`).join(', ')}; the loans are active and not lost.`,
        );
      }
      const signalsBefore = lostSignals;
      await wait(() => lostSignals !== signalsBefore || pendingBatches.length > 0, Math.min(pause, remaining));
      if (pendingBatches.length > 0) continue;
      const byStaff = lostSignals !== signalsBefore;
      const checks = await steps.checkLostDeclared({
        patronId,
        loans: open.map(([barcode, l]) => ({ barcode, loanId: l.loanId, loanDate: l.loanDate })),
      });
      let confirmedNow = 0;
      for (const check of checks) {
        if (!check.loanActive) {
          throw new RelinkStop(
            'needs-attention',
            `The loan ${check.loanId} of ${check.barcode} is no longer active in Alma (returned instead of declared lost?).`,
          );
        }
        if (check.lost) {
          confirmedNow++;
          track.update(check.barcode, { phase: 'lost-confirmed', lostConfirmed: true, lostConfirmedBy: check.by });
          track.log(
            `Lost confirmed in Alma for ${check.barcode} (${check.by === 'lost-item-fee' ? 'lost-item fee' : 'loan status LOST'}).`,
            { loanId: check.loanId },
          );
        }
      }
      if (byStaff && confirmedNow === 0) track.log('Alma does not show the Lost click yet; checking again shortly.');
      pause = byStaff ? pollInitialMs : Math.min(pause * 2, pollMaxMs);
    }
  }

  // --- the run ----------------------------------------------------------------------------------------------

  let failure: unknown;
  try {
    track.log(`Relink of ${input.barcodes.join(', ')} to patron ${patronId} started.`);
    const pre = await steps.preflight({ patronId, barcodes: input.barcodes, desks, holdingEmail, marker });
    plan = pre.contactPlan;
    planFresh = true;
    for (const item of pre.items) {
      checked.set(item.barcode, item);
      track.update(item.barcode, { phase: 'checked', title: item.title });
    }
    track.log('Preflight passed: patron active, every item found and relinkable, desks configured.');
    await relinkBatch(pre.items);
    await awaitLostDeclarations();
    track.outcome = 'completed';
  } catch (err) {
    if (err instanceof RelinkStop) {
      track.outcome = err.outcome;
      track.reason = err.reason;
      track.log(err.reason);
    } else {
      failure = err;
      const cause =
        err instanceof ActivityFailure && err.cause
          ? err.cause.message
          : err instanceof Error
            ? err.message
            : String(err);
      track.reason = isCancellation(err) ? 'Cancelled.' : cause;
      track.log(isCancellation(err) ? 'The relink was cancelled.' : `Failed: ${cause}`, almaIdsOf(err));
      for (const item of track.items.values()) {
        if (item.phase !== 'loaned' && item.phase !== 'lost-confirmed' && item.phase !== 'aborted')
          item.phase = 'failed';
      }
    }
  } finally {
    closing = true;
    track.await('none');
    // The compensation runs in every outcome, and a cancellation of the workflow cannot stop it.
    if (restoreOwed) await CancellationScope.nonCancellable(() => restore(track.outcome ?? 'the relink ended early'));
    // Relinks started before the change replay without this read (FEWER_ROUND_TRIPS gates the new commands).
    if (lean && track.outcome !== 'completed') await CancellationScope.nonCancellable(() => reportUnansweredLoans());
    track.enter('done');
    track.publish();
  }

  if (failure) {
    // Fail with the original cause so its type (PatronNotFound, ItemOnLoan, …) reaches the caller.
    if (failure instanceof ActivityFailure && failure.cause instanceof ApplicationFailure) {
      const loaned = [...loans.entries()].map(([b, l]) => `${b} (loan ${l.loanId})`);
      throw ApplicationFailure.create({
        type: failure.cause.type ?? 'RelinkFailed',
        message:
          failure.cause.message +
          (loaned.length
            ? ` Loans already made: ${loaned.join(', ')}; declare them Lost or return them in Alma.`
            : '') +
          (track.contact.restored ? " The patron's email was restored and verified." : ''),
        nonRetryable: true,
        details: failure.cause.details as unknown[] | undefined,
      });
    }
    throw failure;
  }

  return {
    outcome: track.outcome!,
    ...(track.reason ? { reason: track.reason } : {}),
    items: track.snapshot().items,
    emailRestored: track.contact.restored,
    emailVerified: track.contact.verified,
    audit: track.audit,
  };
}
