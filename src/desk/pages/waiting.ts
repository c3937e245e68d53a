// "Waiting for you", the home page: every relink that waits for staff, oldest first, with what to do in Alma (the
// instructions the relink itself gives) and the buttons that answer it. Relinks that ended failed or needing
// attention in the last days come first, marked, with what to check, until a staff member marks them seen.
import type { Express } from 'express';
import { z } from 'zod';
import type { ItemProgress, RelinkClient, RelinkProgress, RelinkSummary } from '../../client';
import { workflowIdSchema } from '../../staff-input/rules';
import { stuckText } from '../../stuck-relinks';
import { actionsFor, type DeskAction } from '../actions';
import { NotFound } from '../errors';
import type { Forms } from '../forms';
import { render } from '../render';
import { seenKey, type SeenMarks } from '../seen-marks';
import type { StaffLog } from '../staff-log';
import { deskInstructions } from '../words';

/** How far back ended relinks that need attention are shown. */
const NEEDS_ATTENTION_DAYS = 3;
/** A relink whose worker does not answer within this still shows, without its details. */
const QUERY_MS = 5_000;

export interface WaitingCard {
  workflowId: string;
  /** Ended relinks: the run, which the Seen button marks. */
  runId?: string;
  patronId: string;
  barcodes: string[];
  items: ItemProgress[];
  step?: string;
  awaiting: string;
  /** What it waits for, in the desk's words (running relinks). */
  waitingFor?: string;
  instructions?: string;
  /** A running relink's progress with its instructions as steps: the page words them for the desk (deskInstructions). */
  progress?: RelinkProgress;
  startTime: string;
  mark?: 'needs-attention' | 'failed' | 'return-refused' | 'overdue' | 'stuck' | 'restore-refused';
  reason?: string;
  actions: DeskAction[];
}

/** What a card says the relink waits for, in the desk's words. */
const WAITING_FOR: Record<string, string> = {
  'lost-declaration': 'your Lost click',
  'request-review': 'your request review',
  overdue: 'your Lost click, or your decision on the loans',
  'return-refused': 'the item to be returned in Alma (Alma refused the return)',
  'quiet-period': 'nothing: the quiet period before the restore',
  'lost-job': "nothing: Alma's Overdue and Lost Loan job",
  'staff-loan': 'your loan of the item at the desk in Alma (Alma refused the relink’s loan)',
  'restore-refused': "the patron's record to be corrected in Alma (Alma refuses the restore)",
};

/** Marked relinks first (needs attention, then overdue), then the oldest first. */
const RANKS: Record<string, number> = {
  stuck: 0,
  'needs-attention': 0,
  failed: 0,
  'return-refused': 0,
  overdue: 1,
  'restore-refused': 0,
};
const rank = (c: WaitingCard) => RANKS[c.mark ?? ''] ?? 2;

/**
 * A relink the worker cannot go on with (stuck-relinks.ts): no query is answered and no staff action moves it, so the
 * card says so, as relink list does, and offers none.
 */
function stuckCard(s: RelinkSummary): WaitingCard {
  return {
    workflowId: s.workflowId,
    patronId: s.patronId ?? '',
    barcodes: s.barcodes,
    items: [],
    ...(s.step ? { step: s.step } : {}),
    awaiting: s.awaiting,
    instructions: stuckText(s.stuck!),
    startTime: s.startTime,
    mark: 'stuck',
    actions: [],
  };
}

export class WaitingList {
  /** Outcomes of closed runs never change: read each once. */
  private readonly outcomes = new Map<string, { reason?: string; items: ItemProgress[] }>();

  constructor(
    private readonly relinks: RelinkClient,
    private readonly seen: SeenMarks,
  ) {}

  async cards(): Promise<WaitingCard[]> {
    const [running, closed] = await Promise.all([
      this.relinks.list(),
      // RelinkOutcome and the execution status, from visibility: only the runs to show are read further.
      this.relinks.list({
        includeClosed: true,
        closedSince: new Date(Date.now() - NEEDS_ATTENTION_DAYS * 24 * 3600_000),
        search: { statuses: ['needs-attention', 'failed'] },
      }),
    ]);
    const waiting = await Promise.all(
      running
        .filter((s) => s.awaiting !== 'none' || s.stuck)
        .map((s) => (s.stuck ? stuckCard(s) : this.waitingCard(s))),
    );
    const seen = await this.seen.seen(closed.map((s) => seenKey(s.workflowId, s.runId)));
    const unseen = closed.filter((s) => !seen.has(seenKey(s.workflowId, s.runId)));
    const ended = await Promise.all(unseen.map((s) => this.endedCard(s, running)));
    return [...ended.filter((c): c is WaitingCard => !!c), ...waiting].sort(
      (a, b) => rank(a) - rank(b) || a.startTime.localeCompare(b.startTime),
    );
  }
  private async waitingCard(s: RelinkSummary): Promise<WaitingCard> {
    const progress = await this.relinks.progress(s.workflowId, { timeoutMs: QUERY_MS }).catch(() => undefined);
    const awaiting = progress?.awaiting ?? s.awaiting;
    return {
      workflowId: s.workflowId,
      patronId: progress?.patronId ?? s.patronId ?? '',
      barcodes: s.barcodes,
      items: progress?.items ?? [],
      step: progress?.step ?? s.step,
      awaiting,
      waitingFor: WAITING_FOR[awaiting] ?? awaiting.replace(/-/g, ' '),
      ...(progress?.awaitingInstructions ? { instructions: progress.awaitingInstructions } : {}),
      ...(progress?.awaitingSteps ? { progress } : {}),
      startTime: s.startTime,
      // An overdue relink (past its Lost deadline, waiting for a decision) is marked; a refused return comes first.
      ...(awaiting === 'overdue' ? { mark: 'overdue' as const } : {}),
      ...(awaiting === 'return-refused' ? { mark: 'return-refused' as const } : {}),
      // The patron's notices still go to the holding address while Alma refuses the restore: on top too.
      ...(awaiting === 'restore-refused' ? { mark: 'restore-refused' as const } : {}),
      actions: actionsFor(awaiting),
    };
  }

  private async endedCard(s: RelinkSummary, running: RelinkSummary[]): Promise<WaitingCard | undefined> {
    // A newer relink of the same patron is the one to look at.
    if (running.some((r) => r.workflowId === s.workflowId)) return undefined;
    const failed = s.outcome !== 'needs-attention';
    const key = seenKey(s.workflowId, s.runId);
    let ended = this.outcomes.get(key);
    if (!ended) {
      const status = await this.relinks
        .status(s.workflowId, { runId: s.runId, timeoutMs: QUERY_MS })
        .catch(() => undefined);
      // Unread now (Temporal busy): the next refresh reads it; the card shows meanwhile without its reason.
      const reason = failed ? status?.failure?.message : status?.result?.reason;
      ended = { ...(reason ? { reason } : {}), items: status?.result?.items ?? [] };
      if (status) this.outcomes.set(key, ended);
    }
    return {
      workflowId: s.workflowId,
      runId: s.runId,
      patronId: s.patronId ?? '',
      barcodes: s.barcodes,
      items: ended.items,
      awaiting: 'none',
      startTime: s.startTime,
      mark: failed ? 'failed' : 'needs-attention',
      ...(ended.reason ? { reason: ended.reason } : {}),
      actions: [],
    };
  }
}

const seenSchema = z.object({ workflowId: workflowIdSchema, runId: z.string().uuid() });

export function waitingPage(
  app: Express,
  { relinks, seen, forms, log }: { relinks: RelinkClient; seen: SeenMarks; forms: Forms; log: StaffLog },
): void {
  const list = new WaitingList(relinks, seen);
  app.get('/', async (req, res) => {
    const cards = (await list.cards()).map(({ progress, ...c }) =>
      progress ? { ...c, instructions: deskInstructions(progress, res.locals.when) } : c,
    );
    const fragment = req.query.fragment === '1';
    // ?fragment=1: the list alone, for the page's own refresh script.
    res.send(render(fragment ? 'waiting-list' : 'waiting', { req, res, title: 'Waiting for you', cards, fragment }));
  });

  // "Seen": an ended relink leaves the home page for everyone, and the staff log says who took it off.
  app.post('/seen', forms.parse, forms.protect, async (req, res) => {
    const parsed = seenSchema.safeParse(req.body);
    if (!parsed.success) throw new NotFound('The desk has no such relink to mark seen.');
    const { workflowId, runId } = parsed.data;
    const staff = res.locals.staff as string;
    await seen.mark(seenKey(workflowId, runId), staff);
    log({ staff, action: 'mark-seen', workflowId, runId });
    req.session!.flash = `Marked relink ${workflowId} as seen: it no longer shows here.`;
    res.redirect(303, '/');
  });
}
