// How the relink calls its activities: the retry and cancellation policy of the forward steps and of the
// compensation, and a wrapper that publishes the search attributes before each call.
import { ActivityCancellationType, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { activitySummary } from './summaries';
import type { RelinkActivities } from '../contract';
import type { RelinkTracker } from './progress';

export interface RelinkProxies {
  /**
   * Forward steps: Alma's transient errors (429, 5xx, network) retry with backoff; business errors are
   * non-retryable ApplicationFailures raised by the activities themselves.
   */
  steps: RelinkActivities;
  /**
   * The restore and, after a failure or a cancel, the report of loans Alma made without answering, the return of the
   * loans and the swap's re-read before it.
   */
  compensation: Pick<
    RelinkActivities,
    'restoreContact' | 'findLoans' | 'returnLoan' | 'recheckSwap' | 'setDueDate' | 'quietPeriodEnd'
  >;
  /** The checks inside a wait (the Lost check, the desk loan's), retried whatever the error until `deadlineMs` from now. */
  lostCheckUntil(deadlineMs: number): Pick<RelinkActivities, 'checkLostDeclared' | 'recheckSwap' | 'findLoans'>;
}

/**
 * An activity is a few Alma calls; its timeout is how soon a step stuck on a crashed worker is retried elsewhere.
 * Each call first writes the tracker's unpublished search attributes, so admins see the step it runs.
 */
export function relinkProxies(
  stepTimeout: Duration,
  track: RelinkTracker,
  heartbeats: boolean,
  summaries = false,
): RelinkProxies {
  const alive = heartbeats ? HEARTBEAT : {};
  // With summaries, each call carries its own (the Web UI's activity summary): the options are given per call.
  // Calls of each activity in this run, for numbered summaries (counted in workflow code, so deterministic).
  const callCounts = new Map<string, number>();
  const labelled = <T extends object>(activities: T, options: ActivityOptions) =>
    publishingFirst(activities, track, summaries ? options : undefined, callCounts);
  const stepOptions: ActivityOptions = {
    startToCloseTimeout: stepTimeout,
    ...alive,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
    // On a cancel, wait for the step in flight to end before the restore runs: a swap or loan that Alma applies
    // after the restore would leave the holding address in place, or send the loan letter to the patron. (Left
    // unset, the SDK sends TRY_CANCEL, which gives up on the step at once, whatever its doc comment says.)
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
  const compensationOptions = compensationActivityOptions(stepTimeout, heartbeats);
  return {
    steps: labelled(proxyActivities<RelinkActivities>(stepOptions), stepOptions),
    compensation: labelled(proxyActivities<RelinkActivities>(compensationOptions), compensationOptions),
    lostCheckUntil: (deadlineMs) => {
      const options: ActivityOptions = {
        startToCloseTimeout: stepTimeout,
        ...alive,
        // An Alma outage during the Lost wait is ridden out until the relink's own deadline, whatever its length.
        scheduleToCloseTimeout: deadlineMs,
        retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      };
      return labelled(proxyActivities<RelinkActivities>(options), options);
    },
  };
}

/**
 * Activities heartbeat every 5 s (activities/deps.ts): a cancel reaches an attempt, which aborts its Alma call, and a
 * worker that died is noticed, within 20 s instead of at the step timeout.
 */
const HEARTBEAT = { heartbeatTimeout: '20 seconds' } as const;

/** The compensation never gives up: every failure retries, with the pause capped so it resumes soon after Alma does. */
export function compensationActivities(stepTimeout: Duration, heartbeats = true): RelinkActivities {
  return proxyActivities<RelinkActivities>(compensationActivityOptions(stepTimeout, heartbeats));
}

function compensationActivityOptions(stepTimeout: Duration, heartbeats: boolean): ActivityOptions {
  return {
    startToCloseTimeout: stepTimeout,
    ...(heartbeats ? HEARTBEAT : {}),
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  };
}

/**
 * The same activities, each writing the tracker's unpublished search attributes before it is scheduled; with
 * `options`, each call also carries its summary for the Web UI.
 */
function publishingFirst<T extends object>(
  activities: T,
  track: RelinkTracker,
  options?: ActivityOptions,
  callCounts = new Map<string, number>(),
): T {
  return new Proxy(activities, {
    get(target, name) {
      const fn: unknown = Reflect.get(target, name);
      if (typeof fn !== 'function') return fn;
      return (...args: unknown[]) => {
        track.publish();
        const calls = (callCounts.get(String(name)) ?? 0) + 1;
        callCounts.set(String(name), calls);
        const summary = options ? activitySummary(String(name), calls) : undefined;
        if (!summary) return (fn as (...a: unknown[]) => unknown)(...args);
        const call = fn as unknown as { executeWithOptions(o: ActivityOptions, a: unknown[]): Promise<unknown> };
        return call.executeWithOptions({ ...options, summary }, args);
      };
    },
  });
}

/**
 * The staff tools' short workflows (the patron lookup, the sweep): a staff member waits on the answer, so a few tries
 * and then the failure, which the tool reports; business errors are non-retryable as anywhere.
 */
export function staffToolActivities(stepTimeout: Duration): RelinkActivities {
  return proxyActivities<RelinkActivities>({
    startToCloseTimeout: stepTimeout,
    ...HEARTBEAT,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 6 },
  });
}
