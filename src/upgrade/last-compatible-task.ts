// Where a relink's history and the current workflow code part (relink unstick). A history cut right after a
// WorkflowTaskCompleted event replays without error as long as every task before that one issued the commands the
// history holds (the last task's own commands are not compared: nothing follows them). So the largest such cut that
// replays names the first task the current code would do differently, and resetting the relink to its
// WorkflowTaskCompleted has the current code run that task again, with everything before it kept. A cut that replays
// implies every shorter one does, so a binary search over the completed tasks finds it in a few replays.
import type { DataConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal as proto } from '@temporalio/proto';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';

type History = proto.api.history.v1.IHistory;
type HistoryEvent = proto.api.history.v1.IHistoryEvent;
const { EventType } = proto.api.enums.v1;

export interface ReplayCode {
  workflowBundle: ReplayWorkerOptions['workflowBundle'];
  /** The relink data converter (payload codec): a production history's payloads are encrypted. */
  dataConverter?: DataConverter;
}

/** One thing the release the relink ran on did, from its history, in words with no patron data. */
export interface HistoryStep {
  eventId: number;
  text: string;
}

export type CompatibleTask =
  | { kind: 'replays'; tasks: number }
  | {
      kind: 'diverges';
      /** The WorkflowTaskCompleted event to reset to: the first task the current code would do differently. */
      eventId: number;
      /** What the release it ran on did in that task (the commands the current code does not issue alike). */
      releaseDid: HistoryStep[];
      /** The replay's own account of the difference (Temporal's nondeterminism message, first line). */
      divergence: string;
      /** What comes after the reset point: activities run again, signals reapplied, updates not reapplied. */
      after: AfterReset;
    };

export interface AfterReset {
  /** Activities the history has after the point, in order: the current code runs its own steps again. */
  activities: HistoryStep[];
  /** Signals received after the point: reapplied by the reset. */
  signals: HistoryStep[];
  /** Updates (staff answers) accepted after the point: not reapplied, staff may need to answer again. */
  updates: HistoryStep[];
}

/**
 * Finds the first workflow task of `history` (as fetched, or its JSON as `temporal workflow show --output json` writes
 * it) the current code does not replay alike, or says that it all replays.
 */
export async function lastCompatibleTask(
  history: History | unknown,
  code: ReplayCode,
  workflowId = 'relink-replay',
): Promise<CompatibleTask> {
  const events = asHistory(history).events ?? [];
  const completed = events.filter(isType(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).map(idOf);
  const whole = await divergence(events, code, workflowId);
  if (whole === undefined) return { kind: 'replays', tasks: completed.length };
  if (completed.length === 0) throw new Error(`${workflowId}: no workflow task completed, nothing to reset to`);
  // completed[lo] replays (checked below), completed[hi] does not (or hi is the whole history).
  let lo = 0;
  let hi = completed.length;
  let firstFailure = whole;
  const first = await divergence(cut(events, completed[0]!), code, workflowId);
  if (first !== undefined) throw new Error(`${workflowId}: even its first workflow task does not replay: ${first}`);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const failed = await divergence(cut(events, completed[mid]!), code, workflowId);
    if (failed === undefined) lo = mid;
    else [hi, firstFailure] = [mid, failed];
  }
  const eventId = completed[lo]!;
  const next = completed[lo + 1] ?? Infinity;
  const inTask = events.filter((e) => idOf(e) > eventId && idOf(e) < next);
  const later = events.filter((e) => idOf(e) > eventId);
  return {
    kind: 'diverges',
    eventId,
    releaseDid: steps(inTask, commandText),
    divergence: firstLine(firstFailure),
    after: {
      activities: steps(later, (e) => activityName(e) && `activity ${activityName(e)}`),
      signals: steps(later, (e) => e.workflowExecutionSignaledEventAttributes?.signalName),
      updates: steps(later, (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name),
    },
  };
}

/** Replays `events`: undefined when they replay, else the nondeterminism message. Other replay errors are thrown. */
async function divergence(events: HistoryEvent[], code: ReplayCode, workflowId: string): Promise<string | undefined> {
  try {
    await Worker.runReplayHistory({ ...code, replayName: 'relink-unstick' }, { events }, workflowId);
    return undefined;
  } catch (err) {
    if (err instanceof Error && err.name === 'DeterminismViolationError') return err.message;
    throw err;
  }
}

function asHistory(history: History | unknown): History {
  const events = (history as History | undefined)?.events;
  return events?.length && typeof events[0]?.eventType === 'string' ? historyFromJSON(history) : (history as History);
}

const idOf = (e: HistoryEvent): number => Number(e.eventId ?? 0);
const isType = (type: number) => (e: HistoryEvent) => e.eventType === type;
const cut = (events: HistoryEvent[], lastId: number) => events.filter((e) => idOf(e) <= lastId);
/** Core's own sentence (activity types, ids): the SDK wraps it in a debug dump of the failure. */
const firstLine = (message: string) =>
  (/Nondeterminism error: (.*?)(?:", |$)/m.exec(message)?.[1] ?? message.split('\n')[0]!).slice(0, 300);
const activityName = (e: HistoryEvent) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined;

function steps(events: HistoryEvent[], text: (e: HistoryEvent) => string | null | undefined | false): HistoryStep[] {
  return events.flatMap((e) => {
    const t = text(e);
    return t ? [{ eventId: idOf(e), text: t }] : [];
  });
}

/** A command a workflow task issued, as the event it left (markers and search attributes are bookkeeping). */
function commandText(e: HistoryEvent): string | undefined {
  if (e.activityTaskScheduledEventAttributes) return `scheduled activity ${activityName(e)}`;
  if (e.timerStartedEventAttributes) return 'started a timer';
  if (e.timerCanceledEventAttributes) return 'cancelled a timer';
  if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
    return `started child workflow ${e.startChildWorkflowExecutionInitiatedEventAttributes.workflowType?.name}`;
  }
  if (e.requestCancelExternalWorkflowExecutionInitiatedEventAttributes) return 'asked another workflow to cancel';
  if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) return 'signalled another workflow';
  if (e.workflowExecutionCompletedEventAttributes) return 'completed';
  if (e.workflowExecutionFailedEventAttributes) return 'failed';
  return undefined;
}
