// The relink as staff tools see it: start (or join) a patron's relink, follow it, answer what it awaits.
// The CLI (src/cli/) and the demo use this; it speaks Temporal, never Alma.
import { randomUUID } from 'node:crypto';
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowContinuedAsNewError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  isGrpcDeadlineError,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  type DataConverter,
} from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { clientDataConverter } from './codec';
import { temporalConnectionOptions, type TemporalSettings } from './config';
import { connectClosable } from './temporal-client-connection';
import { recordedRelink, type RecordedRelink } from './relink-history';
import { searchQuery, type RelinkSearch } from './relink-search';
import { findStuckRelinks, type StuckWorkflowTask } from './stuck-relinks';
import { readDailyQuota, relinkLostLoans, resolvePatron, sweepFind, sweepRestore } from './workflows';
import {
  RelinkAwaiting,
  RelinkBarcodes,
  RelinkOutcome,
  RelinkPatronId,
  RelinkStep,
  addBarcodesUpdate,
  confirmLostSignal,
  progressQuery,
  relinkInputProblems,
  relinkWorkflowId,
  restoreNowUpdate,
  reviewDecisionUpdate,
  loanDecisionUpdate,
  sweepRestoreWorkflowId,
  type Awaiting,
  type DailyQuotaReading,
  type HoldingAddressFinding,
  type RelinkInput,
  type RelinkProgress,
  type RelinkResult,
  type JoinResult,
  type LoanDecision,
  type ReviewDecision,
  type SweepRestoreInput,
  type SweepRestoreResult,
} from './contract';

// What staff tools need of the contract, so they import the relink from this one module.
export {
  barcodeProblem,
  barcodesProblems,
  patronIdProblem,
  relinkInputProblems,
  relinkWorkflowId,
  RESTORE_AT_ONCE,
  type AuditEntry,
  type Awaiting,
  type ContactPlan,
  type ContactState,
  type HoldingAddressFinding,
  type ItemProgress,
  type LoanDecision,
  type RelinkInput,
  type RelinkProgress,
  type RelinkResult,
  type ReviewDecision,
  type SweepRestoreResult,
} from './contract';

export interface StartedRelink {
  workflowId: string;
  /** The patron's Alma primary_id, which the workflow id is made from, whichever identifier was given. */
  patronId: string;
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
  /** This run's id: a patron's relinks over time share the workflow id. */
  runId: string;
  patronId?: string;
  barcodes: string[];
  status: ExecutionStatus;
  step?: string;
  awaiting: Awaiting;
  startTime: string;
  closeTime?: string;
  /** How it ended (RelinkOutcome: completed, aborted, needs-attention, failed, cancelled), once closed. */
  outcome?: string;
  /** Running, but its workflow task fails on every attempt (the worker cannot replay it): stuck-relinks.ts. */
  stuck?: StuckWorkflowTask;
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

export interface RelinkClientOptions {
  /**
   * How long a start that finds the patron's relink finishing (restoring the email) waits for it to end before it
   * starts a fresh one. Default 2 minutes.
   */
  closingWaitMs?: number;
}

/** For calls a worker must answer: with timeoutMs, no worker fails the call (gRPC DEADLINE_EXCEEDED) instead of waiting. */
export interface CallOptions {
  timeoutMs?: number;
}

function causeMessage(err: unknown): string {
  if (err instanceof WorkflowUpdateFailedError && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Temporal's "no such workflow" as the error staff see; undefined for any other error. */
function notFound(err: unknown, workflowId: string, what = 'relink'): RelinkClientError | undefined {
  if (!(err instanceof Error && err.name === 'WorkflowNotFoundError')) return undefined;
  return new RelinkClientError(`No ${what} with id ${workflowId} exists.`, 'not-found');
}

/** How long the lookup of a patron's primary_id may take, worker and Alma included: it is one read. */
const RESOLVE_TIMEOUT = '30 seconds';

/** Why the lookup of a patron's primary_id ended without one, in staff words; undefined for any other error. */
function lookupFailure(err: unknown, identifier: string): RelinkClientError | undefined {
  if (!(err instanceof WorkflowFailedError)) return undefined;
  const cause = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
  if (cause instanceof ApplicationFailure && cause.type === 'PatronNotFound') {
    return new RelinkClientError(`${cause.message} Nothing was started.`, 'refused');
  }
  const why =
    cause instanceof TimeoutFailure
      ? `no answer within ${RESOLVE_TIMEOUT} (is a relink worker running, and Alma answering?)`
      : (cause?.message ?? err.message);
  return new RelinkClientError(
    `Patron ${identifier} could not be looked up in Alma: ${why}. Nothing was started.`,
    'failed',
  );
}

/** The workflow refused a join because the relink is restoring the email on its way out. */
const isClosing = (err: unknown): boolean =>
  err instanceof WorkflowUpdateFailedError &&
  err.cause instanceof ApplicationFailure &&
  err.cause.type === 'RelinkClosing';

/** One update-with-start: the run it reached, and the workflow's answer or its refusal. */
type Attempt = { runId?: string; startRequestId: string } & (
  { answer: JoinResult; refusal?: never } | { refusal: WorkflowUpdateFailedError }
);

/** A listed relink from its visibility record alone (no query to the worker). */
function summaryOf(wf: WorkflowExecutionInfo): RelinkSummary {
  const outcome = wf.typedSearchAttributes.get(RelinkOutcome);
  return {
    workflowId: wf.workflowId,
    runId: wf.runId,
    patronId: wf.typedSearchAttributes.get(RelinkPatronId),
    barcodes: wf.typedSearchAttributes.get(RelinkBarcodes) ?? [],
    status: (wf.status.name ?? 'UNKNOWN') as ExecutionStatus,
    step: wf.typedSearchAttributes.get(RelinkStep),
    awaiting: (wf.typedSearchAttributes.get(RelinkAwaiting) as Awaiting | undefined) ?? 'none',
    startTime: wf.startTime.toISOString(),
    ...(wf.closeTime ? { closeTime: wf.closeTime.toISOString() } : {}),
    ...(outcome ? { outcome } : {}),
  };
}

export class RelinkClient {
  readonly closingWaitMs: number;

  constructor(
    readonly client: Client,
    readonly taskQueue: string,
    /** Base of the Temporal Web UI, e.g. http://127.0.0.1:8233, for links in the output. */
    readonly uiBaseUrl?: string,
    options: RelinkClientOptions = {},
  ) {
    this.closingWaitMs = options.closingWaitMs ?? 2 * 60_000;
  }

  uiUrl(workflowId: string): string | undefined {
    if (!this.uiBaseUrl) return undefined;
    const ns = encodeURIComponent(this.client.options.namespace);
    return `${this.uiBaseUrl.replace(/\/$/, '')}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}`;
  }

  /** Runs `fn` with a deadline on every call it makes to Temporal, when one is given. */
  private within<T>(timeoutMs: number | undefined, fn: () => Promise<T>): Promise<T> {
    return timeoutMs === undefined ? fn() : this.client.connection.withDeadline(Date.now() + timeoutMs, fn);
  }

  /**
   * Starts the patron's relink, or joins their running one: one workflow per patron, so two relinks can never
   * interleave their email swaps (the second would record the holding address as the "original"). The patron may be
   * given by any Alma identifier: the workflow id is made from the primary_id Alma answers for it. Start and join
   * are one call (update-with-start), so the relink cannot close between them. A relink that is finishing refuses
   * the join; then this waits for it to end (at most closingWaitMs) and starts a fresh one.
   * `timeoutMs` bounds the wait for a worker to take the call, not the join's own checks in Alma.
   */
  async start(typed: RelinkInput, { timeoutMs }: CallOptions = {}): Promise<StartedRelink> {
    const input = await this.withPrimaryId(typed, timeoutMs);
    const { patronId } = input;
    const workflowId = relinkWorkflowId(patronId);
    const uiUrl = this.uiUrl(workflowId);
    let attempt = await this.startOrJoin(input, timeoutMs);
    if (isClosing(attempt.refusal)) {
      // It is restoring the patron's email on its way out: once it has ended, the same call starts a fresh relink.
      const ended = await this.closed(workflowId, attempt.runId);
      if (ended) attempt = await this.startOrJoin(input, timeoutMs);
      if (!ended || isClosing(attempt.refusal)) {
        const seconds = Math.round(this.closingWaitMs / 1000);
        const waited = ended ? 'after one wait for it to end' : `after ${seconds} second${seconds === 1 ? '' : 's'}`;
        throw new RelinkClientError(
          `Patron ${input.patronId}'s relink, ${workflowId}, did not take these barcodes: it is finishing, and still ` +
            `was ${waited}. Start them again once it has ended.`,
          'refused',
        );
      }
    }
    if (attempt.refusal && (await this.startedBy(workflowId, attempt))) {
      // Started, and failed at once (its input): as any start, its failure is the relink's outcome.
      return {
        workflowId,
        patronId,
        runId: attempt.runId,
        joined: false,
        added: input.barcodes,
        alreadyPresent: [],
        uiUrl,
      };
    }
    if (attempt.refusal) {
      throw new RelinkClientError(
        `Patron ${input.patronId} already has a running relink, ${workflowId}, and it did not take these barcodes: ${causeMessage(attempt.refusal)}`,
        'refused',
      );
    }
    const { started, added, alreadyPresent } = attempt.answer;
    return { workflowId, patronId, runId: attempt.runId, joined: !started, added, alreadyPresent, uiUrl };
  }

  /**
   * The patron's Alma primary_id from any identifier staff typed (a card barcode, a university id): Alma's
   * GET /users/{user_id} takes any of them. A worker asks Alma (the client holds no Alma key), in a short workflow
   * of one read; a fresh workflow id each time, so repeated lookups never block each other. A patron Alma does not
   * know is refused here, before anything is written.
   */
  async resolvePatron(identifier: string, { timeoutMs }: CallOptions = {}): Promise<string> {
    try {
      const { primaryId } = await this.within(timeoutMs, () =>
        this.client.workflow.execute(resolvePatron, {
          workflowId: `resolve-${identifier}-${randomUUID().slice(0, 8)}`,
          taskQueue: this.taskQueue,
          args: [identifier],
          workflowExecutionTimeout: RESOLVE_TIMEOUT,
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        }),
      );
      return primaryId;
    } catch (err) {
      throw lookupFailure(err, identifier) ?? err;
    }
  }

  /**
   * Alma's calls left today and the worker's floor, for planning a batch: a worker reads them from one answer (the
   * client holds no Alma key) in a short workflow of one read of `patronId`, a patron of the batch.
   */
  async dailyQuota(patronId: string, { timeoutMs }: CallOptions = {}): Promise<DailyQuotaReading> {
    return this.within(timeoutMs, () =>
      this.client.workflow.execute(readDailyQuota, {
        workflowId: `daily-quota-${randomUUID().slice(0, 8)}`,
        taskQueue: this.taskQueue,
        args: [patronId],
        workflowExecutionTimeout: RESOLVE_TIMEOUT,
      }),
    );
  }

  /**
   * The input with the patron's primary_id in place of what was typed. Input the workflow refuses anyway is not
   * looked up: its run fails on it at once, with nothing read or written.
   */
  private async withPrimaryId(input: RelinkInput, timeoutMs: number | undefined): Promise<RelinkInput> {
    if (relinkInputProblems(input).length > 0) return input;
    const patronId = await this.resolvePatron(input.patronId, { timeoutMs });
    return patronId === input.patronId ? input : { ...input, patronId };
  }

  /**
   * Starts a run carrying a fresh start request id, or reaches the running one, and sends the barcodes with it. The
   * run answers the update that carries its own start request id as "started"; any other as a join.
   */
  private async startOrJoin(input: RelinkInput, timeoutMs: number | undefined): Promise<Attempt> {
    const startRequestId = randomUUID();
    const startWorkflowOperation = new WithStartWorkflowOperation(relinkLostLoans, {
      workflowId: relinkWorkflowId(input.patronId),
      taskQueue: this.taskQueue,
      args: [{ ...input, startRequestId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: RelinkPatronId, value: input.patronId },
        { key: RelinkBarcodes, value: input.barcodes },
        { key: RelinkStep, value: 'preflight' },
        { key: RelinkAwaiting, value: 'none' },
      ],
      // The Web UI's summary of the relink (user metadata, encrypted by the payload codec like the input): ids only.
      staticSummary: `Relink lost loans to patron ${input.patronId}: ${input.barcodes.join(', ')}`,
      staticDetails:
        `Re-links the closed lost loans of items ${input.barcodes.join(', ')} to Alma patron ${input.patronId}, ` +
        "with the patron's notices sent to the library's holding address until the email is restored. " +
        `Staff follow it with: relink status ${relinkWorkflowId(input.patronId)}`,
    });
    // Accepted: a worker took it (the deadline is for that). The update's handle names the run it reached, which the
    // start operation's workflow handle does not carry in SDK 1.24.
    const update = await this.within(timeoutMs, () =>
      this.client.workflow.startUpdateWithStart(addBarcodesUpdate, {
        args: [input.barcodes, { startRequestId }],
        waitForStage: 'ACCEPTED',
        startWorkflowOperation,
      }),
    );
    const runId = update.workflowRunId;
    try {
      return { runId, startRequestId, answer: await update.result() };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return { runId, startRequestId, refusal: err };
      throw err;
    }
  }

  /**
   * Whether this attempt started the run that refused it: a run that fails on its input ends before it can answer
   * the update it started with. Read from the run's first event, whose input carries the start request id.
   */
  private async startedBy(workflowId: string, attempt: Attempt): Promise<boolean> {
    const { history } = await this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.client.options.namespace,
      execution: { workflowId, runId: attempt.runId },
      maximumPageSize: 1,
    });
    const payloads = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    const runInput = await decodeFromPayloadsAtIndex<RelinkInput | undefined>(
      this.client.options.loadedDataConverter,
      0,
      payloads,
    );
    return runInput?.startRequestId === attempt.startRequestId;
  }

  /** Waits at most closingWaitMs for the run to close, whatever its outcome; false when it is still running. */
  private async closed(workflowId: string, runId: string | undefined): Promise<boolean> {
    const run = this.client.workflow.getHandle(workflowId, runId, { followRuns: false });
    try {
      await this.within(this.closingWaitMs, () => run.result());
    } catch (err) {
      if (isGrpcDeadlineError(err)) return false;
      if (!(err instanceof WorkflowFailedError || err instanceof WorkflowContinuedAsNewError)) throw err;
    }
    return true;
  }

  async progress(workflowId: string, { timeoutMs }: CallOptions = {}): Promise<RelinkProgress> {
    try {
      return await this.within(timeoutMs, () => this.client.workflow.getHandle(workflowId).query(progressQuery));
    } catch (err) {
      throw notFound(err, workflowId) ?? err;
    }
  }

  /**
   * Status, step and awaited action from the server alone (the search attributes the workflow keeps current), with
   * no query: nothing for the worker to answer, so it is cheap enough to poll.
   */
  async summary(workflowId: string, runId?: string): Promise<RelinkStatus> {
    let description: WorkflowExecutionDescription;
    try {
      description = await this.client.workflow.getHandle(workflowId, runId).describe();
    } catch (err) {
      throw notFound(err, workflowId) ?? err;
    }
    return {
      workflowId,
      status: (description.status.name ?? 'UNKNOWN') as ExecutionStatus,
      step: description.typedSearchAttributes.get(RelinkStep),
      awaiting: (description.typedSearchAttributes.get(RelinkAwaiting) as Awaiting | undefined) ?? 'none',
      uiUrl: this.uiUrl(workflowId),
    };
  }

  /**
   * The status with the progress a worker answers (running) or the result (closed); `timeoutMs` bounds it all.
   * `runId`: that run of the patron's relinks (default the latest).
   */
  async status(workflowId: string, { timeoutMs, runId }: CallOptions & { runId?: string } = {}): Promise<RelinkStatus> {
    return this.within(timeoutMs, () => this.currentStatus(workflowId, runId));
  }

  private async currentStatus(workflowId: string, runId?: string): Promise<RelinkStatus> {
    const handle = this.client.workflow.getHandle(workflowId, runId);
    const out = await this.summary(workflowId, runId);
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

  /** `closedSince`: only relinks closed after that time (with includeClosed). `search`: relink-search.ts's filters. */
  async list(
    filter: {
      awaiting?: Awaiting;
      includeClosed?: boolean;
      closedSince?: Date;
      limit?: number;
      search?: RelinkSearch;
    } = {},
  ): Promise<RelinkSummary[]> {
    const query = searchQuery({
      ...filter.search,
      ...(filter.includeClosed ? {} : { statuses: ['running'] as const }),
      ...(filter.includeClosed && filter.closedSince ? { closedSince: filter.closedSince } : {}),
      ...(filter.awaiting ? { awaiting: filter.awaiting } : {}),
    });
    const out: RelinkSummary[] = [];
    for await (const wf of this.client.workflow.list({ query })) {
      out.push(summaryOf(wf));
      if (out.length >= (filter.limit ?? 500)) break;
    }
    await this.markStuck(out);
    return out;
  }

  /**
   * One page of a search, in the order visibility gives (running first, then the most recently closed), and the
   * token of the next page (none on the last). The token is Temporal's, opaque; a forged one is refused by the server.
   */
  async search(
    search: RelinkSearch,
    { pageSize = 25, pageToken }: { pageSize?: number; pageToken?: Uint8Array } = {},
  ): Promise<{ relinks: RelinkSummary[]; nextPageToken?: Uint8Array }> {
    const { workflowService, options } = this.client;
    const response = await workflowService.listWorkflowExecutions({
      namespace: options.namespace,
      query: searchQuery(search),
      pageSize,
      nextPageToken: pageToken ?? Buffer.alloc(0),
    });
    const relinks = await Promise.all(
      response.executions.map(async (raw) =>
        summaryOf(await executionInfoFromRaw(raw, options.loadedDataConverter, raw, options.namespace)),
      ),
    );
    await this.markStuck(relinks);
    const next = response.nextPageToken;
    return { relinks, ...(next && next.length ? { nextPageToken: next } : {}) };
  }

  private async markStuck(relinks: RelinkSummary[]): Promise<void> {
    const running = relinks.filter((r) => r.status === 'RUNNING').map((r) => r.workflowId);
    if (!running.length) return;
    const { workflowService, options } = this.client;
    for (const { workflowId, ...stuck } of await findStuckRelinks(workflowService, options.namespace, running)) {
      relinks.find((r) => r.workflowId === workflowId)!.stuck = stuck;
    }
  }

  async review(workflowId: string, decision: ReviewDecision): Promise<string> {
    try {
      return await this.client.workflow.getHandle(workflowId).executeUpdate(reviewDecisionUpdate, { args: [decision] });
    } catch (err) {
      throw notFound(err, workflowId) ?? new RelinkClientError(causeMessage(err), 'refused');
    }
  }

  /** Ends a relink's quiet period before the restore early (relink restore-now); refused outside it. */
  async restoreNow(workflowId: string, by?: string): Promise<string> {
    try {
      return await this.client.workflow
        .getHandle(workflowId)
        .executeUpdate(restoreNowUpdate, { args: [by ? { by } : {}] });
    } catch (err) {
      throw notFound(err, workflowId) ?? new RelinkClientError(causeMessage(err), 'refused');
    }
  }

  /** `by`: the staff member who clicked Lost, for the audit. */
  async confirmLost(workflowId: string, barcode?: string, by?: string): Promise<void> {
    const status = await this.summary(workflowId);
    if (status.status !== 'RUNNING') {
      throw new RelinkClientError(`${workflowId} is not running (${status.status.toLowerCase()}).`, 'refused');
    }
    // return-refused: staff returned the item (or clicked Lost) in Alma; the relink tries the return again.
    // staff-loan: staff loaned the item at the desk (Alma refused the API loan); the relink looks for the loan.
    if (!['lost-declaration', 'overdue', 'return-refused', 'lost-job', 'staff-loan'].includes(status.awaiting)) {
      throw new RelinkClientError(
        `${workflowId} is not waiting for a Lost click (it is at step ${status.step}).`,
        'refused',
      );
    }
    await this.client.workflow
      .getHandle(workflowId)
      .signal(confirmLostSignal, { ...(barcode ? { barcode } : {}), ...(by ? { by } : {}) });
  }

  /**
   * Staff decision on the loans of a relink that waits for the Lost click or is overdue: it returns the loans (scans
   * the items in while the holding address is in place), restores the patron's email and ends. Same as a cancel
   * there; an update, so a tool (the desk page) gets the relink's answer or its refusal.
   */
  async returnLoans(workflowId: string, by?: string): Promise<string> {
    return this.loanDecision(workflowId, { decision: 'return-loans', ...(by ? { by } : {}) });
  }

  /**
   * Staff decision to end the relink leaving its loans active and not lost (audited, with `by`): the patron's email is
   * restored, and from then on Alma's letters about those loans go to the patron. Answers that warning.
   */
  async keepLoans(workflowId: string, by?: string): Promise<string> {
    return this.loanDecision(workflowId, { decision: 'keep-loans', ...(by ? { by } : {}) });
  }

  private async loanDecision(workflowId: string, decision: LoanDecision): Promise<string> {
    try {
      return await this.client.workflow.getHandle(workflowId).executeUpdate(loanDecisionUpdate, { args: [decision] });
    } catch (err) {
      throw notFound(err, workflowId) ?? new RelinkClientError(causeMessage(err), 'refused');
    }
  }

  async cancel(workflowId: string): Promise<void> {
    try {
      await this.client.workflow.getHandle(workflowId).cancel();
    } catch (err) {
      throw notFound(err, workflowId, 'running relink') ?? err;
    }
  }

  // --- relink sweep: what the workflow cannot guard (a Terminate, a history lost with a cluster) ---------------------

  /**
   * The patrons whose record carries the holding address, with the relinks their markers name: Alma's user search,
   * run on a worker (the client holds no Alma key). Ids only, no address or number.
   */
  async sweepFind(holdingEmail: string, { timeoutMs }: CallOptions = {}): Promise<HoldingAddressFinding[]> {
    try {
      return await this.within(timeoutMs, () =>
        this.client.workflow.execute(sweepFind, {
          workflowId: `sweep-find-${randomUUID().slice(0, 8)}`,
          taskQueue: this.taskQueue,
          args: [{ holdingEmail }],
          workflowExecutionTimeout: '10 minutes',
        }),
      );
    } catch (err) {
      // The search's own cause (the quota floor, a key without the right), not "Workflow execution failed".
      if (!(err instanceof WorkflowFailedError)) throw err;
      const cause = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
      throw new RelinkClientError(
        `The search for holding addresses failed: ${cause?.message ?? err.message}`,
        'failed',
      );
    }
  }

  /**
   * The contact plan a closed relink's run recorded before its swap (the run whose marker is `marker`, the one found on
   * the record), and the loans it made, from its history; undefined when that is gone.
   */
  async recordedRelink(workflowId: string, marker?: string): Promise<RecordedRelink | undefined> {
    return recordedRelink(this.client, workflowId, marker);
  }

  /**
   * Restores a patron left swapped by a relink that is not running, on a worker: by the relink's plan when given,
   * else by its marker alone. One run per relink id at a time (a second sweep meets the first's run and its answer).
   */
  async sweepRestore(input: SweepRestoreInput, { timeoutMs }: CallOptions = {}): Promise<SweepRestoreResult> {
    try {
      return await this.within(timeoutMs, () =>
        this.client.workflow.execute(sweepRestore, {
          // A new relink of the patron waits for this run before its swap (contact-swap.ts).
          workflowId: sweepRestoreWorkflowId(input.workflowId),
          taskQueue: this.taskQueue,
          args: [input],
          workflowExecutionTimeout: '5 minutes',
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      const cause = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
      throw new RelinkClientError(`The restore failed: ${cause?.message ?? err.message}`, 'failed');
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
  const connection = await connectClosable({ ...temporalConnectionOptions(temporal), connectTimeout: '5 seconds' });
  const client = new Client({ connection, namespace: temporal.TEMPORAL_NAMESPACE, dataConverter: converter });
  return {
    relinks: new RelinkClient(client, temporal.RELINK_TASK_QUEUE, temporal.TEMPORAL_UI_URL),
    close: () => connection.close(),
  };
}
