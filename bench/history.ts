// What a relink's event history says about its timing: when it started, when it reached the Lost wait, when the
// staff signal arrived, when it closed, and each activity's schedule, start and completion. All times are the
// server's, on the same machine clock as the simulator's call log.
import type { History } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import { RelinkAwaiting } from '../src/contract';

export interface ActivityTiming {
  type: string;
  scheduledMs: number;
  startedMs?: number;
  completedMs?: number;
  /** Attempt that completed (1 = first try). */
  attempt: number;
  /** Failed attempts' messages (retried or final). */
  failures: string[];
}

export interface RelinkTimeline {
  startMs: number;
  /** The workflow task that set RelinkAwaiting = lost-declaration. */
  awaitingLostMs?: number;
  /** The first confirmLost signal. */
  signalMs?: number;
  closeMs?: number;
  closedAs?: 'completed' | 'failed' | 'other';
  activities: ActivityTiming[];
  /** Workflow tasks that timed out: a sticky task no poller took within 10 s, or a worker that never answered. */
  workflowTaskTimeouts: number;
  /** Each workflow task: how long it waited for a worker's poll, and how long the worker took to answer it. */
  workflowTasks: Array<{ waitMs: number; runMs: number }>;
}

type Event = NonNullable<History['events']>[number];

const timeOf = (e: Event) => tsToMs(e.eventTime as never);

function searchAttribute(e: Event, name: string): unknown {
  const payload = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[name];
  if (!payload?.data) return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data).toString('utf8'));
  } catch {
    return undefined;
  }
}

type Failure = NonNullable<NonNullable<Event['activityTaskFailedEventAttributes']>['failure']>;

/** The failure's type, which stays readable: its message is encrypted with the payloads (src/codec). */
const failureText = (f: Failure | null | undefined): string =>
  f?.applicationFailureInfo?.type ?? f?.cause?.applicationFailureInfo?.type ?? f?.message ?? 'failed';

export function timelineOf(history: History): RelinkTimeline {
  const events = history.events ?? [];
  const timeline: RelinkTimeline = {
    startMs: timeOf(events[0]!),
    activities: [],
    workflowTaskTimeouts: 0,
    workflowTasks: [],
  };
  let wftScheduled: number | undefined;
  let wftStarted: number | undefined;
  const bySchedule = new Map<string, ActivityTiming>();
  for (const e of events) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) {
      const a: ActivityTiming = {
        type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?',
        scheduledMs: timeOf(e),
        attempt: 1,
        failures: [],
      };
      bySchedule.set(id, a);
      timeline.activities.push(a);
    } else if (e.activityTaskStartedEventAttributes) {
      const a = bySchedule.get(String(e.activityTaskStartedEventAttributes.scheduledEventId));
      if (a) {
        a.startedMs = timeOf(e);
        a.attempt = e.activityTaskStartedEventAttributes.attempt ?? 1;
        // Earlier attempts that failed and were retried leave only their last failure here.
        const last = e.activityTaskStartedEventAttributes.lastFailure;
        if (last && a.attempt > 1) a.failures.push(failureText(last));
      }
    } else if (e.activityTaskCompletedEventAttributes) {
      const a = bySchedule.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId));
      if (a) a.completedMs = timeOf(e);
    } else if (e.activityTaskFailedEventAttributes) {
      const a = bySchedule.get(String(e.activityTaskFailedEventAttributes.scheduledEventId));
      a?.failures.push(failureText(e.activityTaskFailedEventAttributes.failure));
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      if (timeline.awaitingLostMs === undefined && searchAttribute(e, RelinkAwaiting.name) === 'lost-declaration') {
        timeline.awaitingLostMs = timeOf(e);
      }
    } else if (e.workflowExecutionSignaledEventAttributes) {
      if (e.workflowExecutionSignaledEventAttributes.signalName === 'confirmLost' && timeline.signalMs === undefined) {
        timeline.signalMs = timeOf(e);
      }
    } else if (e.workflowTaskScheduledEventAttributes) {
      wftScheduled = timeOf(e);
    } else if (e.workflowTaskStartedEventAttributes) {
      wftStarted = timeOf(e);
    } else if (e.workflowTaskCompletedEventAttributes) {
      if (wftScheduled !== undefined && wftStarted !== undefined)
        timeline.workflowTasks.push({ waitMs: wftStarted - wftScheduled, runMs: timeOf(e) - wftStarted });
    } else if (e.workflowTaskTimedOutEventAttributes) {
      timeline.workflowTaskTimeouts++;
    } else if (e.workflowExecutionCompletedEventAttributes) {
      timeline.closeMs = timeOf(e);
      timeline.closedAs = 'completed';
    } else if (e.workflowExecutionFailedEventAttributes) {
      timeline.closeMs = timeOf(e);
      timeline.closedAs = 'failed';
    }
  }
  return timeline;
}

/**
 * Each activity's step: from the moment the workflow could move on (its start, the previous activity's completion,
 * or the staff signal) to the activity's completion, split into the workflow task that scheduled it, the dispatch
 * to the worker, and the execution (which holds the Alma calls).
 */
export interface ActivityStep {
  type: string;
  stepMs: number;
  workflowTaskMs: number;
  dispatchMs: number;
  executionMs: number;
}

export function activitySteps(t: RelinkTimeline): ActivityStep[] {
  const steps: ActivityStep[] = [];
  let anchor = t.startMs;
  for (const a of t.activities) {
    if (a.completedMs === undefined || a.startedMs === undefined) continue;
    if (t.signalMs !== undefined && t.signalMs <= a.scheduledMs && t.signalMs > anchor) anchor = t.signalMs;
    steps.push({
      type: a.type,
      stepMs: a.completedMs - anchor,
      workflowTaskMs: a.scheduledMs - anchor,
      dispatchMs: a.startedMs - a.scheduledMs,
      executionMs: a.completedMs - a.startedMs,
    });
    anchor = a.completedMs;
  }
  return steps;
}
