// What review, confirm-lost and cancel share: each checks first that the relink is running (and waiting for that
// answer), then watches briefly for its effect, so staff learn at once whether Alma agreed (the queue is clear, the
// Lost click shows) instead of finding out later.
import type { RelinkClient, RelinkProgress, RelinkStatus } from '../../client';
import { WORKER_ANSWER_MS } from '../context';
import { CliError } from '../errors';

/** A running relink's status, with the progress its worker answered. */
export type Running = RelinkStatus & { progress: RelinkProgress };

/** A query waits for a worker: with a deadline, no worker is said as such instead of a hang. */
const statusOf = (relinks: RelinkClient, workflowId: string): Promise<RelinkStatus> =>
  relinks.status(workflowId, { timeoutMs: WORKER_ANSWER_MS });

/** The relink's status; refused, with where to look, when it has already ended. */
export async function runningStatus(relinks: RelinkClient, workflowId: string): Promise<Running> {
  const status = await statusOf(relinks, workflowId);
  if (status.status !== 'RUNNING' || !status.progress) {
    throw new CliError(
      'refused',
      `Relink ${workflowId} has already ended (${status.outcome ?? status.status.toLowerCase()}).`,
      {
        hint: `See how it ended with: relink status ${workflowId}`,
      },
    );
  }
  return status as Running;
}

/** The refusal when the relink waits for something other than `what` (or for nothing). */
export function notAwaiting(status: Running, what: string): CliError {
  const awaiting = status.awaiting === 'none' ? 'nothing from staff' : status.awaiting;
  return new CliError(
    'refused',
    `Relink ${status.workflowId} is not waiting for ${what}: it is at step ${status.step}, awaiting ${awaiting}.`,
    {
      hint: `See what it waits for with: relink status ${status.workflowId}`,
    },
  );
}

/** Polls the relink until `done` holds or the time is up (then undefined: the effect is not known yet). */
export async function watch(
  relinks: RelinkClient,
  workflowId: string,
  done: (status: RelinkStatus) => boolean,
  timeoutMs: number,
): Promise<RelinkStatus | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await statusOf(relinks, workflowId);
    if (done(status)) return status;
    await new Promise((r) => setTimeout(r, 300));
  }
  return undefined;
}

/** The audit entries written since the answer was sent (entry `from` on). */
export const newEntries = (status: RelinkStatus | undefined, from: number) =>
  (status?.progress?.audit ?? status?.result?.audit ?? []).slice(from);
