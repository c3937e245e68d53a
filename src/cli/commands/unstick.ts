// relink unstick <id> [--yes]: the way out for a relink stuck on a nondeterminism error when no patch can save it
// (two releases that wrote the same step two ways with nothing in the history to tell them apart, e.g. 134653d). It
// replays the relink's history with this installation's workflow code to find the first workflow task the code does
// differently (src/upgrade/last-compatible-task.ts), says what it found, and with --yes resets the relink to that task
// (ResetWorkflowExecution): the current workers then carry it on from there. Steps after the point run again, which is
// safe because every activity reads Alma first and writes only what is still needed. Without --yes nothing changes.
import { createHash } from 'node:crypto';
import { temporal as proto } from '@temporalio/proto';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { RelinkClient } from '../../client';
import { stuckText, stuckWorkflowTask, type StuckWorkflowTask } from '../../stuck-relinks';
import { lastCompatibleTask, type HistoryStep, type ReplayCode } from '../../upgrade/last-compatible-task';
import { installedReplayCode } from '../../upgrade/replay-code';
import { temporalSettings, withRelinks } from '../context';
import { CliError, EXIT, type ExitCode } from '../errors';
import { parseOrThrow, workflowIdSchema } from '../input';
import type { Output } from '../output';

export interface UnstickOptions {
  yes?: boolean;
}

export interface UnstickDeps {
  /** The workflow code to replay with; default: this installation's (what its workers run). */
  replayCode?: ReplayCode;
}

const { ResetReapplyType, ResetReapplyExcludeType } = proto.api.enums.v1;

export async function unstickCommand(
  id: string,
  opts: UnstickOptions,
  out: Output,
  deps: UnstickDeps = {},
): Promise<ExitCode> {
  const workflowId = parseOrThrow(workflowIdSchema, id, 'unstick the relink');
  const settings = temporalSettings();
  return withRelinks(settings, async (relinks) => {
    const { runId, stuck } = await stuckOnNondeterminism(relinks, workflowId);
    const { client } = relinks;
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    quietReplays();
    const code = deps.replayCode ?? (await installedReplayCode(settings.TEMPORAL_ADDRESS));
    const found = await lastCompatibleTask(history, code, workflowId);
    if (found.kind === 'replays') {
      throw new CliError(
        'refused',
        `Nothing to do: this installation's workflow code replays the whole history of ${workflowId} ` +
          `(${found.tasks} workflow tasks), yet its workers cannot.`,
        {
          hint:
            'Run relink unstick from the release the relink workers run (the same checkout or image), or roll the ' +
            'workers back if they run a newer one (docs/operations.md, "Rolling the worker back").',
        },
      );
    }
    const { eventId, releaseDid, divergence, after } = found;
    let newRunId: string | undefined;
    if (opts.yes) {
      const request = proto.api.workflowservice.v1.ResetWorkflowExecutionRequest.fromObject({
        namespace: client.options.namespace,
        workflowExecution: { workflowId, runId },
        reason: `relink unstick: reset to workflow task ${eventId}, the last the current workflow code replays alike`,
        workflowTaskFinishEventId: eventId,
        // The same run and point give the same request id: a second --yes (a retry) resets once.
        requestId: createHash('sha256').update(`relink-unstick:${runId}:${eventId}`).digest('hex').slice(0, 32),
        // Signals after the point (Lost confirmations) are reapplied; staff answers (updates) are not.
        resetReapplyType: ResetReapplyType.RESET_REAPPLY_TYPE_SIGNAL,
        resetReapplyExcludeTypes: [ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE],
      });
      newRunId = (await client.workflowService.resetWorkflowExecution(request)).runId ?? undefined;
    }
    const doc = {
      workflowId,
      runId,
      stuck,
      resetTo: { eventId, releaseDid, currentCode: divergence },
      after,
      reset: !!opts.yes,
      ...(newRunId ? { newRunId } : {}),
    };
    out.result(doc, () => {
      const answers = after.updates.length
        ? [
            `  - staff answers given after it are not: ${listed(after.updates)}. The relink asks again where it ` +
              `needs one; answer it again (relink status ${workflowId}).`,
          ]
        : [];
      const signals = after.signals.length ? [`  - signals after it are reapplied: ${listed(after.signals)}.`] : [];
      return [
        `Relink ${workflowId} is stuck: its workers cannot replay it (a nondeterminism error, ${stuck.attempts} ` +
          `attempts${stuck.since ? ` since ${stuck.since}` : ''}).`,
        `The current workflow code agrees with its history until the workflow task that completed at event ` +
          `${eventId}: in that task the release it ran on ${listed(releaseDid)}; the current code does otherwise ` +
          `(Temporal: ${divergence}).`,
        '',
        `${opts.yes ? 'Reset' : 'A reset'} to event ${eventId}: the current workers run that task again and carry the ` +
          'relink on from there;',
        after.activities.length
          ? `  - the steps taken after it (${activityNames(after.activities)}) run again as the current code needs ` +
            'them: each reads Alma first and writes only what is still needed, so running them again is safe;'
          : '  - no step ran after it;',
        ...signals,
        ...answers,
        '',
        newRunId
          ? `Relink ${workflowId} was reset (new run ${newRunId}). Follow it with: relink status ${workflowId}`
          : `Nothing was changed. To reset it: relink unstick ${workflowId} --yes`,
      ].join('\n');
    });
    return EXIT.ok;
  });
}

/** The relink's current run, refused unless it is running and stuck on a nondeterminism error. */
async function stuckOnNondeterminism(
  relinks: RelinkClient,
  workflowId: string,
): Promise<{ runId: string; stuck: StuckWorkflowTask }> {
  const summary = await relinks.summary(workflowId);
  if (summary.status !== 'RUNNING') {
    throw new CliError('refused', `Relink ${workflowId} is not running (${summary.status.toLowerCase()}).`, {
      hint: `See how it ended with: relink status ${workflowId}; a patron left swapped: relink sweep`,
    });
  }
  const { client } = relinks;
  const description = await client.workflow.getHandle(workflowId).describe();
  const stuck = await stuckWorkflowTask(client.workflowService, client.options.namespace, {
    workflowId,
    runId: description.runId,
  });
  if (!stuck) {
    throw new CliError('refused', `Relink ${workflowId} is not stuck: its workers carry it on.`, {
      hint: `See what it does with: relink status ${workflowId}`,
    });
  }
  if (stuck.cause !== 'nondeterminism') {
    throw new CliError(
      'refused',
      `Relink ${workflowId} is stuck, but not on a nondeterminism error: a reset would fail the same way. ` +
        stuckText(stuck),
    );
  }
  return { runId: description.runId, stuck };
}

/** Replays fail by design here: the SDK's warnings about them are not news for staff. */
function quietReplays(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      // The native side logs each failed replay as a warning of its own, straight to the console unless forwarded.
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
    });
  } catch {
    // Already installed (a test process, or a second command in one process).
  }
}

const listed = (steps: HistoryStep[]) => steps.map((s) => `${s.text} (event ${s.eventId})`).join(', ') || 'did nothing';

/** Activity names in order of first appearance, with how often each ran: "setDueDate ×4, returnLoan ×4". */
function activityNames(steps: HistoryStep[]): string {
  const counts = new Map<string, number>();
  for (const s of steps) {
    const name = s.text.replace(/^activity /, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ');
}
