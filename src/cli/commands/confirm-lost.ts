// relink confirm-lost: staff clicked Lost in Alma; the relink checks Alma at once and says what it found.
import type { RelinkClient, RelinkStatus } from '../../client';
import { LOST_CLICK_WAITS } from '../../contract';
import { temporalSettings, withRelinks } from '../context';
import { CliError, EXIT, type ExitCode } from '../errors';
import { auditLine } from '../format';
import { barcodeSchema, parseOrThrow, workflowIdSchema } from '../input';
import type { Output } from '../output';
import { newEntries, notAwaiting, runningStatus, watch, type Running } from './running-relink';

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
    if (before.awaiting === 'return-refused' || before.awaiting === 'staff-loan') {
      return doneInAlma(relinks, before, DONE_IN_ALMA[before.awaiting], out);
    }
    if (!LOST_CLICK_WAITS.includes(before.awaiting)) {
      throw notAwaiting(before, 'a Lost click');
    }
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
        !LOST_CLICK_WAITS.includes(s.awaiting) ||
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

/** What staff did in Alma for a wait that is not the Lost click's, and what the relink's look at Alma answers. */
interface DoneInAlma {
  wait: 'return-refused' | 'staff-loan';
  told: string;
  /** The result document's name for "the wait is over". */
  field: 'released' | 'loanFound';
  over: (workflowId: string) => string;
  notYet: (workflowId: string) => string;
}

const DONE_IN_ALMA: Record<DoneInAlma['wait'], DoneInAlma> = {
  // After a give-up Alma refused a return and the relink holds the holding address: staff returned the item (or
  // clicked Lost) in Alma; the relink tries the return again at once, which reads Alma first.
  'return-refused': {
    wait: 'return-refused',
    told: 'that the item is returned or Lost in Alma; it tried the return again',
    field: 'released',
    over: (id) =>
      `Alma shows no active loan left to return: the relink restores the patron's email. See: relink status ${id}`,
    notYet: (id) =>
      'Alma still refuses the return: return the item in Alma (Fulfillment > Return Items), then run again:\n' +
      `    relink confirm-lost ${id}`,
  },
  // Alma refused the relink's loan and staff loaned the item at the desk: the relink looks for the loan at once.
  'staff-loan': {
    wait: 'staff-loan',
    told: 'that the item is loaned at the desk; it checked Alma',
    field: 'loanFound',
    over: (id) => `Alma shows the loan: the relink goes on. Follow it with: relink status ${id}`,
    notYet: (id) =>
      'Alma shows no loan of the item to the patron yet: loan it in Manage Patron Services, then run again:\n' +
      `    relink confirm-lost ${id}`,
  },
};

async function doneInAlma(relinks: RelinkClient, before: Running, how: DoneInAlma, out: Output): Promise<ExitCode> {
  const { workflowId } = before;
  const from = before.progress.audit.length;
  await relinks.confirmLost(workflowId);
  const left = (s: RelinkStatus) => s.status !== 'RUNNING' || s.awaiting !== how.wait;
  const after = await watch(relinks, workflowId, (s) => left(s) || newEntries(s, from).length >= 2, 15_000);
  const over = !!after && left(after);
  const doc = { workflowId, checked: !!after, [how.field]: over, status: after?.status ?? 'RUNNING' };
  const text = (): string =>
    [
      `Told ${workflowId} ${how.told}:`,
      ...newEntries(after, from).map(auditLine),
      '',
      !after
        ? `The relink has not finished checking Alma yet. See the result with: relink status ${workflowId}`
        : over
          ? how.over(workflowId)
          : how.notYet(workflowId),
    ].join('\n');
  out.result(doc, text);
  return over ? EXIT.ok : EXIT.failed;
}
