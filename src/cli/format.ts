// Text for people at a terminal: tables, the audit trail, what to do in Alma next. Plain characters, no colour,
// so the output reads the same in a terminal, a log file or an email to a colleague.
import Table from 'cli-table3';
import type { AuditEntry, ItemProgress, RelinkSummary, StartedRelink } from '../client';
import { stuckText } from '../stuck-relinks';
import { AWAITING_WORDS as WAITING_FOR, LOST_CLICK_WAITS } from '../contract';
import type { SweepRow } from './commands/sweep';
import type { StatusView } from './view';

export function table(head: string[], rows: string[][]): string {
  const t = new Table({
    head,
    style: { head: [], border: [] },
    // No rule between rows: compact enough for a relink of many items.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  t.push(...rows);
  return t.toString();
}

/** Word-wraps a paragraph for a terminal, every line indented. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

const clip = (text: string | undefined, max: number) =>
  !text ? '' : text.length > max ? `${text.slice(0, max - 1)}…` : text;

export function itemsTable(items: ItemProgress[]): string {
  return table(
    ['Barcode', 'Title', 'Phase', 'Loan id', 'Lost confirmed'],
    items.map((i) => [
      i.barcode,
      clip(i.title, 40),
      i.phase,
      i.loanId ?? '',
      i.lostConfirmed ? `yes${i.lostConfirmedBy === 'lost-item-fee' ? ' (fee)' : ''}` : 'no',
    ]),
  );
}

export function auditLine(entry: AuditEntry): string {
  const ids = entry.almaIds
    ? Object.entries(entry.almaIds)
        .map(([k, v]) => ` [${k} ${v}]`)
        .join('')
    : '';
  return `  ${entry.at.slice(0, 19).replace('T', ' ')}Z  ${entry.step.padEnd(16)} ${entry.message}${ids}`;
}

const AWAITING_WORDS: Record<string, string> = {
  'request-review': "a staff decision on another patron's request",
  'lost-declaration': 'a staff member\'s "Lost" click in Alma',
  overdue: 'past the Lost deadline: a "Lost" click in Alma, or a staff decision to return or keep the loans',
  'quiet-period': "nothing: Alma's jobs run before the restore; relink restore-now ends it early",
  'lost-job': "nothing: Alma's Overdue and Lost Loan job is to declare the loans Lost; a Lost click still works",
  'return-refused': 'Alma refused to return a loan: a return (or a Lost click) done in Alma, or a keep-loans decision',
  'staff-loan':
    "Alma refused the relink's loan: a staff member's loan of the item at the desk in Alma (with an override)",
  'restore-refused': "Alma refuses the restore: the patron's record corrected (or restored by hand) in Alma",
  none: 'nothing from staff',
};

const EMAIL_WORDS = (view: StatusView): string => {
  if (!view.email) return 'unknown (no worker answered for this closed relink)';
  const running = view.status === 'RUNNING';
  switch (view.email.state) {
    case 'holding-address':
      return "the library's holding address is in place; the patron's own is restored when the relink ends";
    case 'restored':
      return `restored${view.email.verified ? ' and verified' : ' (not yet verified)'}`;
    default:
      return running ? 'not changed yet' : 'never changed';
  }
};

/** What the relink waits for, in Alma's words, and the commands that answer it. */
export function whatToDoText(
  view: Pick<StatusView, 'workflowId' | 'awaiting' | 'awaitingInstructions' | 'nextCommands' | 'webhooks'>,
): string {
  if (view.awaiting === 'none') return '';
  const lines = [`What to do now (the relink waits for ${WAITING_FOR[view.awaiting]}):`];
  if (view.awaitingInstructions) lines.push(wrap(view.awaitingInstructions, 100, '  '));
  if (view.awaiting === 'restore-refused') {
    // The relink is already ending: nothing to run; it tries the restore again by itself.
    lines.push('  Nothing to run: the relink tries again by itself and ends once the record is restored.');
    return lines.join('\n');
  }
  // A quiet period needs nothing from staff: its command is only there to end it early.
  const next =
    view.awaiting === 'quiet-period'
      ? '  To end it early, run:'
      : view.awaiting === 'lost-job'
        ? view.webhooks
          ? '  To finish sooner, click Lost in Alma (Alma tells the relink); only if it has not moved on in a few minutes:'
          : '  To finish sooner, click Lost in Alma, then run:'
        : view.webhooks && LOST_CLICK_WAITS.includes(view.awaiting)
          ? '  Alma tells the relink of the click; only if it has not moved on in a few minutes, run:'
          : '  When that is done, run:';
  lines.push(next, ...(view.nextCommands ?? []).map((c) => `    ${c}`));
  if (view.awaiting === 'return-refused') {
    // The relink is already stopping: a cancel changes nothing, and the only other way out is keep-loans.
    lines.push(
      "  Or end it keeping the loans active and not lost (Alma's letters about them then reach the patron):",
      `    relink cancel ${view.workflowId} --keep-loans --by <your name>`,
    );
    return lines.join('\n');
  }
  if (view.awaiting === 'staff-loan') {
    // Giving up concerns this item: the relink goes on with its other items, or restores and ends.
    lines.push(
      '  To give up on this item instead (it stays scanned in and not loaned):',
      `    relink review ${view.workflowId} --abort`,
    );
    return lines.join('\n');
  }
  lines.push(
    view.awaiting === 'request-review'
      ? "  To stop the relink instead (the patron's email is restored if it was changed):"
      : "  To stop the relink instead (its loans are returned first, then the patron's email is restored):",
    `    relink cancel ${view.workflowId}`,
  );
  if (view.awaiting === 'overdue') {
    // The one way to leave a loan active and not lost: explicit, audited, and its consequence said.
    lines.push(
      "  Or end it keeping the loans active and not lost (Alma's letters about them then reach the patron):",
      `    relink cancel ${view.workflowId} --keep-loans --by <your name>`,
    );
  }
  return lines.join('\n');
}

export function outcomeText(view: StatusView): string {
  if (!view.outcome) return '';
  if (view.outcome === 'cancelled') return 'cancelled (by staff or an admin)';
  if (view.failure)
    return `${view.outcome}${view.failure.type ? ` (${view.failure.type})` : ''}: ${view.failure.message}`;
  return `${view.outcome}${view.reason ? ` — ${view.reason}` : ''}`;
}

export function statusText(view: StatusView): string {
  const head = [
    `Relink ${view.workflowId} (patron ${view.patronId})`,
    `  Status:    ${view.status}${view.step ? ` at step ${view.step}` : ''}`,
    ...(view.status === 'RUNNING' ? [`  Awaiting:  ${view.awaiting} (${AWAITING_WORDS[view.awaiting]})`] : []),
    ...(view.outcome ? [`  Outcome:   ${outcomeText(view)}`] : []),
    `  Email:     ${EMAIL_WORDS(view)}`,
    ...(view.uiUrl ? [`  Web UI:    ${view.uiUrl}`] : []),
  ];
  const parts = [head.join('\n')];
  if (view.items.length) parts.push(itemsTable(view.items));
  const todo = whatToDoText(view);
  if (todo) parts.push(todo);
  if (view.audit.length) parts.push(['Audit trail:', ...view.audit.map(auditLine)].join('\n'));
  return parts.join('\n\n');
}

/** `typed`: the identifier staff gave, named beside the primary id when it was another (a card barcode). */
export function startedText(started: StartedRelink, typed: string): string {
  const patronId = typed === started.patronId ? typed : `${started.patronId} (given as ${typed})`;
  const lines = started.joined
    ? [
        `Patron ${patronId} already had a running relink, ${started.workflowId}: ` +
          (started.added.length ? `added ${started.added.join(', ')}` : 'nothing added') +
          (started.alreadyPresent.length ? `; already in it: ${started.alreadyPresent.join(', ')}` : '') +
          '.',
      ]
    : [`Started relink ${started.workflowId} for patron ${patronId}: ${started.added.join(', ')}.`];
  if (started.uiUrl) lines.push(`Web UI: ${started.uiUrl}`);
  lines.push(`Follow it with: relink status ${started.workflowId}`);
  return lines.join('\n');
}

export function listText(relinks: RelinkSummary[], filter: { awaiting?: string; all?: boolean }): string {
  if (relinks.length === 0) {
    const what = filter.awaiting ? `awaiting ${filter.awaiting}` : '';
    return filter.all
      ? `No relinks ${what}`.trim() + '.'
      : `No running relinks ${what}`.trim() + '. (relink list --all shows closed ones too.)';
  }
  const rows = table(
    ['Workflow id', 'Patron', 'Barcodes', 'Status', 'Step', 'Awaiting', 'Started (UTC)'],
    relinks.map((r) => [
      r.workflowId,
      r.patronId ?? '',
      r.barcodes.join(' '),
      r.stuck ? `${r.status}, STUCK` : r.status,
      r.step ?? '',
      r.awaiting,
      r.startTime.slice(0, 19).replace('T', ' '),
    ]),
  );
  const stuck = relinks.filter((r) => r.stuck);
  if (stuck.length === 0) return rows;
  // Nothing moves these until the worker is rolled back (or mended): say so under the table.
  return [
    rows,
    ['Stuck:', ...stuck.map((r) => wrap(`${r.workflowId}: ${stuckText(r.stuck!)}`, 100, '  '))].join('\n'),
  ].join('\n\n');
}

/** The end of `relink start --wait`: how it ended, the items, the patron's email. */
export function finalText(view: StatusView): string {
  const parts = [`Relink ${view.workflowId} ended: ${outcomeText(view) || view.status}`];
  if (view.items.length) parts.push(itemsTable(view.items));
  parts.push(`Patron's email: ${EMAIL_WORDS(view)}`);
  if (view.outcome !== 'completed') parts.push(`See the whole record with: relink status ${view.workflowId}`);
  return parts.join('\n\n');
}

const RESTORE_BY: Record<string, string> = { plan: "the relink's plan", marker: 'the marker alone' };

/** relink sweep: a row per holding entry found, then what staff must check, then the count. */
export function sweepText(rows: SweepRow[], { holdingEmail, fix }: { holdingEmail: string; fix: boolean }): string {
  if (rows.length === 0) return `No patron carries the holding address ${holdingEmail}.`;
  const parts = [
    table(
      ['Patron', 'Relink id', 'State', 'Restore by'],
      rows.map((r) => [
        r.patronId,
        r.workflowId ?? '(no marker)',
        r.state,
        r.restoreBy ? RESTORE_BY[r.restoreBy]! : '',
      ]),
    ),
  ];
  const noted = rows.filter((r) => r.note && r.state === 'needs attention');
  if (noted.length) {
    parts.push(
      ['Needs attention:', ...noted.map((r) => wrap(`${r.workflowId ?? r.patronId}: ${r.note}`, 100, '  '))].join('\n'),
    );
  }
  const returned = rows.filter((r) => r.returns?.length);
  if (returned.length) {
    parts.push(
      [
        'The loans of those relinks, returned before any restore while the holding address was in place:',
        ...returned.flatMap((r) =>
          r.returns!.map((l) =>
            wrap(`${r.workflowId}: ${l.barcode}${l.loanId ? ` (loan ${l.loanId})` : ''}: ${l.stateNow}`, 100, '  '),
          ),
        ),
      ].join('\n'),
    );
  }
  const n = (state: SweepRow['state']) => rows.filter((r) => r.state === state).length;
  const patrons = new Set(rows.map((r) => r.patronId)).size;
  const counts = [
    `${n('running')} running (left alone)`,
    `${n('not running')} not running`,
    ...(fix ? [`${n('restored')} restored`] : []),
    `${n('needs attention')} needing attention`,
  ];
  const last = [`${patrons} patron${patrons === 1 ? '' : 's'} with the holding address: ${counts.join(', ')}.`];
  if (!fix && n('not running') > 0) last.push('Restore those not running with: relink sweep --fix');
  parts.push(last.join('\n'));
  return parts.join('\n\n');
}
