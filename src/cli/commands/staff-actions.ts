// The staff answers to what a relink awaits: review (proceed or abort), confirm-lost, and cancel. Each one checks
// first that the relink is running and waiting for that answer, then watches briefly for its effect, so staff
// learn at once whether Alma agreed (the queue is clear, the Lost click shows) instead of finding out later.
import { z } from 'zod';
import type { RelinkClient, RelinkProgress, RelinkStatus } from '../../client';
import { temporalSettings, withRelinks, WORKER_ANSWER_MS } from '../context';
import { CliError, EXIT, usageError, type ExitCode } from '../errors';
import { auditLine } from '../format';
import { barcodeSchema, parseOrThrow, workflowIdSchema } from '../input';
import type { Output } from '../output';
import { statusView, type StatusView } from '../view';

type Running = RelinkStatus & { progress: RelinkProgress };

/** A query waits for a worker: with a deadline, no worker is said as such instead of a hang. */
const statusOf = (relinks: RelinkClient, workflowId: string): Promise<RelinkStatus> =>
  relinks.status(workflowId, { timeoutMs: WORKER_ANSWER_MS });

async function runningStatus(relinks: RelinkClient, workflowId: string): Promise<Running> {
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

function notAwaiting(status: Running, what: string): CliError {
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
async function watch(
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

const newEntries = (status: RelinkStatus | undefined, from: number) =>
  (status?.progress?.audit ?? status?.result?.audit ?? []).slice(from);

// --- review ------------------------------------------------------------------------------------------------------

export interface ReviewOptions {
  proceed?: boolean;
  abort?: boolean;
  by?: string;
}

const staffNameSchema = z
  .string()
  .trim()
  .min(1, 'the --by name is empty')
  .max(100, 'the --by name is longer than 100 characters');

export async function reviewCommand(id: string, opts: ReviewOptions, out: Output): Promise<ExitCode> {
  if (!!opts.proceed === !!opts.abort) {
    throw usageError(
      'Say what to do with the request queue: --proceed (it is arranged in Alma; go on) or --abort (stop this relink).',
      `For example: relink review ${id} --proceed --by YOUR_NAME`,
    );
  }
  const workflowId = parseOrThrow(workflowIdSchema, id, 'send the review decision');
  const by = opts.by === undefined ? undefined : parseOrThrow(staffNameSchema, opts.by, 'send the review decision');
  const decision = opts.proceed ? 'proceed' : 'abort';

  return withRelinks(temporalSettings(), async (relinks) => {
    const before = await runningStatus(relinks, workflowId);
    if (before.awaiting !== 'request-review') throw notAwaiting(before, 'a request review');
    const from = before.progress.audit.length;
    const message = await relinks.review(workflowId, { decision, ...(by ? { by } : {}) });

    // "Staff decided" is logged first; a second entry while it still awaits the review means the re-read queue
    // is still blocked. Leaving the request-review step (or closing) means Alma agreed.
    const after =
      decision === 'abort'
        ? await watch(relinks, workflowId, (s) => s.status !== 'RUNNING', 30_000)
        : await watch(
            relinks,
            workflowId,
            (s) =>
              s.status !== 'RUNNING' ||
              s.step !== 'request-review' ||
              (s.awaiting === 'request-review' && newEntries(s, from).length >= 2),
            15_000,
          );
    const entries = newEntries(after, from);
    const result = !after
      ? 'delivered'
      : after.status !== 'RUNNING'
        ? (after.outcome ?? after.status.toLowerCase())
        : after.step === 'request-review'
          ? 'still-blocked'
          : 'proceeding';
    const text = (): string => {
      const lines = [message, ...entries.map(auditLine)];
      if (result === 'still-blocked') {
        lines.push(
          '',
          'The request queue is still in the way (see above). Arrange it in Alma, then run again:',
          `    relink review ${workflowId} --proceed${by ? ` --by ${by}` : ''}`,
          `  or stop the relink: relink review ${workflowId} --abort`,
        );
      } else if (result === 'proceeding') {
        lines.push('', `The queue is clear: the relink goes on. Follow it with: relink status ${workflowId}`);
      } else if (result === 'delivered') {
        lines.push(
          '',
          `The relink has not finished acting on it yet. See the result with: relink status ${workflowId}`,
        );
      } else {
        lines.push(
          '',
          `The relink ended: ${result}. The patron's email is as it was before. See: relink status ${workflowId}`,
        );
      }
      return lines.join('\n');
    };
    out.result({ workflowId, decision, ...(by ? { by } : {}), message, result }, text);
    return result === 'still-blocked' ? EXIT.failed : EXIT.ok;
  });
}

// --- confirm-lost --------------------------------------------------------------------------------------------------

export async function confirmLostCommand(id: string, opts: { barcode?: string }, out: Output): Promise<ExitCode> {
  const workflowId = parseOrThrow(workflowIdSchema, id, 'confirm the Lost click');
  const barcode =
    opts.barcode === undefined ? undefined : parseOrThrow(barcodeSchema, opts.barcode, 'confirm the Lost click');

  return withRelinks(temporalSettings(), async (relinks) => {
    const before = await runningStatus(relinks, workflowId);
    const items = before.progress.items;
    if (barcode && !items.some((i) => i.barcode === barcode)) {
      throw new CliError(
        'refused',
        `Barcode ${barcode} is not part of relink ${workflowId} (its items: ${items.map((i) => i.barcode).join(', ')}).`,
      );
    }
    if (before.awaiting !== 'lost-declaration') throw notAwaiting(before, 'a Lost click');
    const targets = barcode ? [barcode] : items.filter((i) => i.loanId && !i.lostConfirmed).map((i) => i.barcode);
    const from = before.progress.audit.length;

    await relinks.confirmLost(workflowId, barcode);

    // The relink logs the signal, checks Alma, and logs what it found; or confirms everything and moves on.
    const confirmedIn = (s: RelinkStatus) =>
      (s.progress?.items ?? s.result?.items ?? []).filter((i) => i.lostConfirmed).map((i) => i.barcode);
    const after = await watch(
      relinks,
      workflowId,
      (s) =>
        s.status !== 'RUNNING' ||
        s.awaiting !== 'lost-declaration' ||
        targets.every((b) => confirmedIn(s).includes(b)) ||
        newEntries(s, from).length >= 2,
      15_000,
    );
    const confirmed = after ? confirmedIn(after) : [];
    const lostConfirmed = targets.filter((b) => confirmed.includes(b));
    const notYet = targets.filter((b) => !confirmed.includes(b));
    const loanOf = (b: string) => items.find((i) => i.barcode === b)?.loanId;
    const doc = {
      workflowId,
      ...(barcode ? { barcode } : {}),
      checked: !!after,
      lostConfirmed,
      notYetLost: notYet,
      status: after?.status ?? 'RUNNING',
      ...(after?.outcome ? { outcome: after.outcome } : {}),
    };
    const text = (): string => {
      const lines = [
        `Told ${workflowId} that the Lost click is done; it checked Alma:`,
        ...newEntries(after, from).map(auditLine),
        '',
      ];
      if (!after) {
        lines.push(`The relink has not finished checking Alma yet. See the result with: relink status ${workflowId}`);
      } else if (notYet.length === 0) {
        lines.push(
          `Alma shows the Lost click for ${lostConfirmed.join(', ')}.` +
            (after.status === 'RUNNING'
              ? ` The relink goes on. Follow it with: relink status ${workflowId}`
              : ` The relink ended: ${after.outcome}.`),
        );
      } else {
        lines.push(
          `Alma does not show the Lost click yet for ${notYet.map((b) => `${b} (loan ${loanOf(b) ?? '?'})`).join(', ')}.`,
          `In Manage Patron Services > Loans, the loan must show as Lost. The relink keeps checking by itself; after the click run again:`,
          `    relink confirm-lost ${workflowId}${barcode ? ` --barcode ${barcode}` : ''}`,
        );
      }
      return lines.join('\n');
    };
    out.result(doc, text);
    return after && notYet.length === 0 ? EXIT.ok : EXIT.failed;
  });
}

// --- cancel ---------------------------------------------------------------------------------------------------------

export async function cancelCommand(id: string, out: Output): Promise<ExitCode> {
  const workflowId = parseOrThrow(workflowIdSchema, id, 'cancel the relink');
  return withRelinks(temporalSettings(), async (relinks) => {
    await runningStatus(relinks, workflowId);
    await relinks.cancel(workflowId);
    // The restore of the patron's email runs before the relink closes, and the cancellation cannot stop it.
    const closed = await watch(relinks, workflowId, (s) => s.status !== 'RUNNING', 30_000);
    const view: StatusView | undefined = closed ? await statusView(relinks, workflowId) : undefined;
    const doc = {
      workflowId,
      cancelRequested: true,
      closed: !!view,
      ...(view ? { status: view.status, outcome: view.outcome, ...(view.email ? { email: view.email } : {}) } : {}),
    };
    const text = (): string => {
      if (!view) {
        return (
          `Cancellation of ${workflowId} requested. The relink first restores the patron's email (that part cannot ` +
          `be cancelled), then ends. See it with: relink status ${workflowId}`
        );
      }
      const email =
        view.email?.state === 'restored'
          ? `The patron's email was restored${view.email.verified ? ' and verified' : ''}.`
          : view.email?.state === 'unchanged'
            ? "The patron's email had not been changed."
            : `The patron's email: see relink status ${workflowId}.`;
      const loans = view.items.filter((i) => i.loanId && !i.lostConfirmed);
      return [
        `Relink ${workflowId} was cancelled. ${email}`,
        ...(loans.length
          ? [
              `Loans it had made and not seen declared Lost: ${loans.map((i) => `${i.barcode} (loan ${i.loanId})`).join(', ')}; ` +
                'declare them Lost or return them in Alma.',
            ]
          : []),
      ].join('\n');
    };
    out.result(doc, text);
    return EXIT.ok;
  });
}
