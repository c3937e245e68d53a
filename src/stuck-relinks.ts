// A running relink the worker cannot go on with: its workflow task fails on every attempt, the server retries it
// without end, and the relink stays RUNNING with the holding address and its loans as they are. The usual cause is
// nondeterminism: a worker upgrade whose workflow code cannot replay the relink's history (a change without its
// patched() id); the remedy is to roll the worker back (docs/operations.md). Read from Temporal, the same for every
// worker and tool: DescribeWorkflowExecution's pending workflow task and its attempt, and the cause of the last
// WorkflowTaskFailed in the history (the server writes the first failure of a streak only, not its retries).
import { temporal as proto } from '@temporalio/proto';
import type { WorkflowService } from '@temporalio/client';

/** The relink workflow's type, and the query of the running ones (the gauges and the checks below). */
export const RELINK_WORKFLOW_TYPE = 'relinkLostLoans';
export const RUNNING_RELINKS = `WorkflowType = '${RELINK_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

/**
 * From the second attempt on: one failure in a row is enough, since a replay fails the same way every time; a task
 * that merely timed out (a worker killed mid-task) is not counted, as the next worker takes it up.
 */
export const STUCK_AFTER_ATTEMPTS = 2;

export type StuckCause = 'nondeterminism' | 'workflow-error' | 'other';
export const STUCK_CAUSES: readonly StuckCause[] = ['nondeterminism', 'workflow-error', 'other'];

export interface StuckWorkflowTask {
  cause: StuckCause;
  /** The pending workflow task's attempt: how many times it has failed, plus one. */
  attempts: number;
  /** When the streak's first failure was written (ISO). */
  since?: string;
}

export interface StuckRelink extends StuckWorkflowTask {
  workflowId: string;
}

const { WorkflowTaskFailedCause, EventType, WorkflowExecutionStatus } = proto.api.enums.v1;

/** The relink's workflow task, when it fails again and again; undefined when it moves (or has ended). */
export async function stuckWorkflowTask(
  service: WorkflowService,
  namespace: string,
  execution: { workflowId: string; runId?: string },
): Promise<StuckWorkflowTask | undefined> {
  const described = await service.describeWorkflowExecution({ namespace, execution });
  const status = described.workflowExecutionInfo?.status;
  const attempts = described.pendingWorkflowTask?.attempt ?? 0;
  if (status !== WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING || attempts < STUCK_AFTER_ATTEMPTS) {
    return undefined;
  }
  const runId = described.workflowExecutionInfo?.execution?.runId ?? execution.runId;
  const { history } = await service.getWorkflowExecutionHistoryReverse({
    namespace,
    execution: { workflowId: execution.workflowId, runId },
    maximumPageSize: 20,
  });
  for (const event of history?.events ?? []) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
      const cause = event.workflowTaskFailedEventAttributes?.cause;
      const seconds = Number(event.eventTime?.seconds ?? 0);
      return {
        cause:
          cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR
            ? 'nondeterminism'
            : cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE
              ? 'workflow-error'
              : 'other',
        attempts,
        ...(seconds ? { since: new Date(seconds * 1000).toISOString() } : {}),
      };
    }
    // The last task before the streak ended well or timed out: these attempts are timeouts, not failures.
    if (
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ||
      event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
    ) {
      return undefined;
    }
  }
  return { cause: 'other', attempts };
}

/**
 * The running relinks whose workflow task fails again and again: those named, or every running one. One
 * DescribeWorkflowExecution each (a few at a time), and a short history read for those that fail.
 */
export async function findStuckRelinks(
  service: WorkflowService,
  namespace: string,
  workflowIds?: string[],
): Promise<StuckRelink[]> {
  const ids = workflowIds ?? (await runningRelinkIds(service, namespace));
  const stuck: StuckRelink[] = [];
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const workflowId = ids[next++]!;
      try {
        const task = await stuckWorkflowTask(service, namespace, { workflowId });
        if (task) stuck.push({ workflowId, ...task });
      } catch (err) {
        // Closed and gone between the list and the read: nothing stuck there.
        if ((err as { code?: number }).code !== 5) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, ids.length) }, lane));
  return stuck.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
}

async function runningRelinkIds(service: WorkflowService, namespace: string): Promise<string[]> {
  const ids: string[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await service.listWorkflowExecutions({
      namespace,
      query: RUNNING_RELINKS,
      pageSize: 500,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const e of page.executions ?? []) if (e.execution?.workflowId) ids.push(e.execution.workflowId);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return ids;
}

/** What staff read of a stuck relink (relink list, status, doctor, the desk). */
export function stuckText(s: StuckWorkflowTask): string {
  if (s.cause === 'nondeterminism') {
    return (
      'stuck: the worker cannot replay it (nondeterminism, after a worker upgrade); roll the worker back ' +
      '(docs/operations.md). The holding address and its loans stay as they are until then.'
    );
  }
  const why = s.cause === 'workflow-error' ? 'an error in the workflow code' : 'its workflow task fails';
  return `stuck: the worker fails it on every try (${why}); see the worker's log. The holding address stays until then.`;
}
