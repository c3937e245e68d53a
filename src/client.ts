// The relink as staff tools see it: start (or join) a patron's relink, follow it, answer what it awaits.
// The CLI (src/cli/) and the demo use this; it speaks Temporal, never Alma.
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, type DataConverter } from '@temporalio/common';
import { clientDataConverter } from './codec';
import { temporalConnectionOptions, type TemporalSettings } from './config';
import { relinkLostLoans } from './workflows';
import {
  RelinkAwaiting,
  RelinkBarcodes,
  RelinkPatronId,
  RelinkStep,
  addBarcodesUpdate,
  confirmLostSignal,
  equalsClause,
  progressQuery,
  relinkWorkflowId,
  reviewDecisionUpdate,
  type Awaiting,
  type RelinkInput,
  type RelinkProgress,
  type RelinkResult,
  type ReviewDecision,
} from './contract';

export interface StartedRelink {
  workflowId: string;
  runId?: string;
  /** True when the patron already had a running relink and these barcodes joined it. */
  joined: boolean;
  added: string[];
  alreadyPresent: string[];
  uiUrl?: string;
}

export type ExecutionStatus =
  'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW' | 'UNKNOWN';

export interface RelinkStatus {
  workflowId: string;
  status: ExecutionStatus;
  step?: string;
  awaiting: Awaiting;
  progress?: RelinkProgress;
  result?: RelinkResult;
  /** Once closed: completed / aborted / needs-attention from the result, or the failure. */
  outcome?: string;
  failure?: { type?: string; message: string };
  uiUrl?: string;
}

export interface RelinkSummary {
  workflowId: string;
  patronId?: string;
  barcodes: string[];
  status: ExecutionStatus;
  step?: string;
  awaiting: Awaiting;
  startTime: string;
}

/** A relink operation that Temporal or the workflow refused, with a message staff can act on. */
export class RelinkClientError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'refused' | 'failed',
  ) {
    super(message);
  }
}

function causeMessage(err: unknown): string {
  if (err instanceof WorkflowUpdateFailedError && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

const isNotFound = (err: unknown) => err instanceof Error && err.name === 'WorkflowNotFoundError';

export class RelinkClient {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
    /** Base of the Temporal Web UI, e.g. http://127.0.0.1:8233, for links in the output. */
    readonly uiBaseUrl?: string,
  ) {}

  uiUrl(workflowId: string): string | undefined {
    if (!this.uiBaseUrl) return undefined;
    const ns = encodeURIComponent(this.client.options.namespace);
    return `${this.uiBaseUrl.replace(/\/$/, '')}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}`;
  }

  /**
   * Starts the patron's relink, or joins their running one: one workflow per patron, so two relinks can never
   * interleave their email swaps (the second would record the holding address as the "original").
   */
  async start(input: RelinkInput): Promise<StartedRelink> {
    const workflowId = relinkWorkflowId(input.patronId);
    try {
      const handle = await this.client.workflow.start(relinkLostLoans, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: [
          { key: RelinkPatronId, value: input.patronId },
          { key: RelinkBarcodes, value: input.barcodes },
          { key: RelinkStep, value: 'preflight' },
          { key: RelinkAwaiting, value: 'none' },
        ],
      });
      return {
        workflowId,
        runId: handle.firstExecutionRunId,
        joined: false,
        added: input.barcodes,
        alreadyPresent: [],
        uiUrl: this.uiUrl(workflowId),
      };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    try {
      const joined = await this.client.workflow
        .getHandle(workflowId)
        .executeUpdate(addBarcodesUpdate, { args: [input.barcodes] });
      return { ...joined, workflowId, joined: true, uiUrl: this.uiUrl(workflowId) };
    } catch (err) {
      throw new RelinkClientError(
        `Patron ${input.patronId} already has a running relink, ${workflowId}, and it did not take these barcodes: ${causeMessage(err)}`,
        'refused',
      );
    }
  }

  async progress(workflowId: string): Promise<RelinkProgress> {
    try {
      return await this.client.workflow.getHandle(workflowId).query(progressQuery);
    } catch (err) {
      if (isNotFound(err)) throw new RelinkClientError(`No relink with id ${workflowId} exists.`, 'not-found');
      throw err;
    }
  }

  /**
   * Status, step and awaited action from the server alone (the search attributes the workflow keeps current), with
   * no query: nothing for the worker to answer, so it is cheap enough to poll.
   */
  async summary(workflowId: string): Promise<RelinkStatus> {
    let description: WorkflowExecutionDescription;
    try {
      description = await this.client.workflow.getHandle(workflowId).describe();
    } catch (err) {
      if (isNotFound(err)) throw new RelinkClientError(`No relink with id ${workflowId} exists.`, 'not-found');
      throw err;
    }
    return {
      workflowId,
      status: (description.status.name ?? 'UNKNOWN') as ExecutionStatus,
      step: description.typedSearchAttributes.get(RelinkStep),
      awaiting: (description.typedSearchAttributes.get(RelinkAwaiting) as Awaiting | undefined) ?? 'none',
      uiUrl: this.uiUrl(workflowId),
    };
  }

  async status(workflowId: string): Promise<RelinkStatus> {
    const handle = this.client.workflow.getHandle(workflowId);
    const out = await this.summary(workflowId);
    const status = out.status;
    if (status === 'RUNNING') {
      out.progress = await this.progress(workflowId);
      out.step = out.progress.step;
      out.awaiting = out.progress.awaiting;
      return out;
    }
    try {
      out.result = (await handle.result()) as RelinkResult;
      out.outcome = out.result.outcome;
    } catch (err) {
      const cause = err instanceof WorkflowFailedError ? err.cause : err;
      out.outcome =
        cause instanceof CancelledFailure ? 'cancelled' : cause instanceof TerminatedFailure ? 'terminated' : 'failed';
      out.failure = {
        type:
          cause instanceof ApplicationFailure
            ? (cause.type ?? undefined)
            : cause instanceof Error
              ? cause.name
              : undefined,
        message: cause instanceof Error ? cause.message : String(cause),
      };
    }
    return out;
  }

  async list(filter: { awaiting?: Awaiting; includeClosed?: boolean; limit?: number } = {}): Promise<RelinkSummary[]> {
    const clauses = [`WorkflowType = 'relinkLostLoans'`];
    if (!filter.includeClosed) clauses.push(`ExecutionStatus = 'Running'`);
    if (filter.awaiting) clauses.push(equalsClause(RelinkAwaiting, filter.awaiting));
    const out: RelinkSummary[] = [];
    for await (const wf of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      out.push({
        workflowId: wf.workflowId,
        patronId: wf.typedSearchAttributes.get(RelinkPatronId),
        barcodes: wf.typedSearchAttributes.get(RelinkBarcodes) ?? [],
        status: (wf.status.name ?? 'UNKNOWN') as ExecutionStatus,
        step: wf.typedSearchAttributes.get(RelinkStep),
        awaiting: (wf.typedSearchAttributes.get(RelinkAwaiting) as Awaiting | undefined) ?? 'none',
        startTime: wf.startTime.toISOString(),
      });
      if (out.length >= (filter.limit ?? 500)) break;
    }
    return out;
  }

  async review(workflowId: string, decision: ReviewDecision): Promise<string> {
    try {
      return await this.client.workflow.getHandle(workflowId).executeUpdate(reviewDecisionUpdate, { args: [decision] });
    } catch (err) {
      if (isNotFound(err)) throw new RelinkClientError(`No relink with id ${workflowId} exists.`, 'not-found');
      throw new RelinkClientError(causeMessage(err), 'refused');
    }
  }

  async confirmLost(workflowId: string, barcode?: string): Promise<void> {
    const status = await this.summary(workflowId);
    if (status.status !== 'RUNNING') {
      throw new RelinkClientError(`${workflowId} is not running (${status.status.toLowerCase()}).`, 'refused');
    }
    if (status.awaiting !== 'lost-declaration') {
      throw new RelinkClientError(
        `${workflowId} is not waiting for a Lost click (it is at step ${status.step}).`,
        'refused',
      );
    }
    await this.client.workflow.getHandle(workflowId).signal(confirmLostSignal, barcode ? { barcode } : {});
  }

  async cancel(workflowId: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(workflowId).cancel();
    } catch (err) {
      if (isNotFound(err)) throw new RelinkClientError(`No running relink with id ${workflowId} exists.`, 'not-found');
      throw err;
    }
  }

  /** Polls the relink's progress and calls back on each change until it closes; returns its final status. */
  async follow(
    workflowId: string,
    onChange: (progress: RelinkProgress) => void,
    { intervalMs = 1000 }: { intervalMs?: number } = {},
  ): Promise<RelinkStatus> {
    let last = '';
    for (;;) {
      const status = await this.status(workflowId);
      const progress = status.progress ?? undefined;
      if (progress) {
        const key = JSON.stringify([progress.step, progress.awaiting, progress.items, progress.audit.length]);
        if (key !== last) {
          last = key;
          onChange(progress);
        }
      }
      if (status.status !== 'RUNNING') return status;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/**
 * Connects a RelinkClient as configured: TLS or an API key when set, and the payload codec (keys from the
 * environment, or the development key for a Temporal server on this machine). Close it when done.
 */
export async function connectRelinkClient(
  temporal: TemporalSettings,
  { dataConverter }: { dataConverter?: DataConverter } = {},
): Promise<{ relinks: RelinkClient; close(): Promise<void> }> {
  const converter = dataConverter ?? clientDataConverter(temporal.TEMPORAL_ADDRESS);
  const connection = await Connection.connect({ ...temporalConnectionOptions(temporal), connectTimeout: '5 seconds' });
  const client = new Client({ connection, namespace: temporal.TEMPORAL_NAMESPACE, dataConverter: converter });
  return {
    relinks: new RelinkClient(client, temporal.RELINK_TASK_QUEUE, temporal.TEMPORAL_UI_URL),
    close: () => connection.close(),
  };
}
