// The one rule for holding the address. Each item of a relink has a lifecycle (ItemLife, moved only by `advance`),
// and whether the holding address must stay, until when and why is one pure function of those values and the clock
// (`holdingVerdict`). The restore runs only when the verdict releases the address, or when staff override it
// (restore-now, keep-loans, a cancel), and then `lettersNowToPatron` says which letters may reach the patron.
// Pure: no SDK, no clock of its own; the workflow passes Date.now() (Temporal's deterministic clock).

/** Where an item is in its relink. Only `advance` moves it. */
export type ItemLife =
  /** Preflight passed: nothing written for it yet. */
  | { state: 'checked' }
  /** Its request queues are clear; the scan-in comes next. */
  | { state: 'reviewed' }
  /** Scanned in (Alma cleared its Missing or Lost status); not loaned. No letter of its own can follow. */
  | { state: 'scanned-in' }
  /** Scanned in, the API loan refused: staff may loan it at the desk any moment, and the loan receipt would follow. */
  | { state: 'staff-loan' }
  /** On loan to the patron, not Lost: Alma writes about it (due date, overdue, Lost) until it is Lost or returned. */
  | { state: 'loaned'; dueDateMoved: boolean }
  /** Alma refused the return after a give-up: still on loan, as `loaned`. */
  | { state: 'return-refused'; dueDateMoved: boolean }
  /** Lost confirmed at `lostAt`; the Fines/Fees Notification about its fee may go out until `quietUntil`. */
  | { state: 'lost'; lostAt: number; quietUntil: number }
  /** Returned by the relink's give-up: the return's receipt went to the holding address. */
  | { state: 'returned' }
  /** Still on loan at a staff decision (keep-loans): Alma's letters about it go to the patron once restored. */
  | { state: 'kept'; dueDateMoved: boolean }
  /** Never loaned: aborted at its review, refused, or given up before its loan. */
  | { state: 'not-loaned' };

export type ItemState = ItemLife['state'];

export type ItemEvent =
  | { type: 'reviewed' }
  | { type: 'scanned-in' }
  /** Alma refused the API loan; staff are asked to loan the item at the desk. */
  | { type: 'loan-refused' }
  | { type: 'loaned' }
  | { type: 'due-date-moved' }
  /** The relink's own due date is back on the loan (keep-loans, the return). */
  | { type: 'due-date-back' }
  /** `quietUntil`: the end of the quiet period for this Lost (lostAt when the relink has none). */
  | { type: 'lost'; at: number; quietUntil: number }
  /** The quiet period's end, once known (a "next HH:MM" end is computed when the quiet period begins). */
  | { type: 'quiet-until'; until: number }
  | { type: 'returned' }
  | { type: 'return-refused' }
  | { type: 'kept' }
  | { type: 'not-loaned' };

/**
 * The one transition function. An event that does not apply to the state (a late answer, a repeated signal) leaves
 * the item as it is: a Lost item is never "loaned" again, a returned one never Lost.
 */
export function advance(life: ItemLife, event: ItemEvent): ItemLife {
  const moved = 'dueDateMoved' in life ? life.dueDateMoved : false;
  switch (event.type) {
    case 'reviewed':
      return life.state === 'checked' ? { state: 'reviewed' } : life;
    case 'scanned-in':
      return life.state === 'checked' || life.state === 'reviewed' ? { state: 'scanned-in' } : life;
    case 'loan-refused':
      return life.state === 'scanned-in' ? { state: 'staff-loan' } : life;
    case 'loaned':
      // A loan found after a lost answer (findLoans) may arrive from any state before the loan.
      return ['checked', 'reviewed', 'scanned-in', 'staff-loan', 'not-loaned'].includes(life.state)
        ? { state: 'loaned', dueDateMoved: false }
        : life;
    case 'due-date-moved':
      return life.state === 'loaned' ? { state: 'loaned', dueDateMoved: true } : life;
    case 'due-date-back':
      return life.state === 'loaned' || life.state === 'return-refused' || life.state === 'kept'
        ? { ...life, dueDateMoved: false }
        : life;
    case 'lost':
      return onLoan(life)
        ? { state: 'lost', lostAt: event.at, quietUntil: Math.max(event.at, event.quietUntil) }
        : life;
    case 'quiet-until':
      return life.state === 'lost' ? { ...life, quietUntil: Math.max(life.lostAt, event.until) } : life;
    case 'returned':
      return onLoan(life) ? { state: 'returned' } : life;
    case 'return-refused':
      return life.state === 'loaned' ? { state: 'return-refused', dueDateMoved: moved } : life;
    case 'kept':
      return life.state === 'loaned' || life.state === 'return-refused' ? { state: 'kept', dueDateMoved: moved } : life;
    case 'not-loaned':
      return ['checked', 'reviewed', 'scanned-in', 'staff-loan'].includes(life.state) ? { state: 'not-loaned' } : life;
  }
}

const onLoan = (life: ItemLife): boolean =>
  life.state === 'loaned' || life.state === 'return-refused' || life.state === 'kept';

/** A letter Alma may still send about an item, in staff words. */
export type Letter = 'loan-letters' | 'lost-fee-letter' | 'loan-receipt';

export const LETTER_WORDS: Record<Letter, string> = {
  'loan-receipt': "the loan receipt of a loan staff may make at the desk (Alma refused the relink's own)",
  'loan-letters': "Alma's letters about an active loan (due-date reminders, overdue notices, the Lost Loan letter)",
  'lost-fee-letter': 'the Fines/Fees Notification about the lost-item fee',
};

/** Why the address stays: which item, which letter, and until when (undefined: until something happens to it). */
export interface HoldReason {
  barcode: string;
  letter: Letter;
  until?: number;
}

export type HoldingVerdict =
  | { hold: true; reasons: HoldReason[]; /** The earliest the verdict can change by the clock alone. */ until?: number }
  | { hold: false };

/** Staff decisions that release the address whatever the items need. */
export interface Overrides {
  /** relink restore-now: the quiet period ends now. */
  restoreNow?: boolean;
}

/** What one item needs of the holding address at `now`, if anything. */
export function itemNeed(barcode: string, life: ItemLife, now: number, overrides: Overrides = {}): HoldReason | null {
  switch (life.state) {
    case 'loaned':
    case 'return-refused':
      return { barcode, letter: 'loan-letters' };
    case 'staff-loan':
      return { barcode, letter: 'loan-receipt' };
    case 'lost':
      return now < life.quietUntil && !overrides.restoreNow
        ? { barcode, letter: 'lost-fee-letter', until: life.quietUntil }
        : null;
    default:
      // A kept loan's letters go to the patron at staff's choice; the rest can trigger no letter.
      return null;
  }
}

/** Must the holding address stay at `now`, until when, and why. The only place this is decided. */
export function holdingVerdict(
  items: ReadonlyMap<string, ItemLife>,
  now: number,
  overrides: Overrides = {},
): HoldingVerdict {
  const reasons: HoldReason[] = [];
  for (const [barcode, life] of items) {
    const need = itemNeed(barcode, life, now, overrides);
    if (need) reasons.push(need);
  }
  if (reasons.length === 0) return { hold: false };
  // The clock alone can end the hold only when every reason has a time; it ends at the last of them.
  const timed = reasons.every((r) => r.until !== undefined);
  return { hold: true, reasons, ...(timed ? { until: Math.max(...reasons.map((r) => r.until!)) } : {}) };
}

/**
 * Once the address is released at `now` (by the rule or by staff): the letters that may now reach the patron, item by
 * item. Empty when the rule released it by itself; what staff chose to let through otherwise.
 */
export function lettersNowToPatron(
  items: ReadonlyMap<string, ItemLife>,
  now: number,
): { barcode: string; letter: Letter; note?: string }[] {
  const letters: { barcode: string; letter: Letter; note?: string }[] = [];
  for (const [barcode, life] of items) {
    if (life.state === 'kept' || life.state === 'loaned' || life.state === 'return-refused') {
      const note = life.dueDateMoved
        ? 'its due date is still the one the relink moved: Alma’s Overdue and Lost Loan job will declare it Lost'
        : undefined;
      letters.push({ barcode, letter: 'loan-letters', ...(note ? { note } : {}) });
    } else if (life.state === 'lost' && now < life.quietUntil) {
      letters.push({ barcode, letter: 'lost-fee-letter' });
    }
  }
  return letters;
}

/** "Item X: the Fines/Fees Notification …" lines for the audit and the desk. */
export function describeLetters(letters: ReturnType<typeof lettersNowToPatron>): string {
  return letters.map((l) => `${l.barcode}: ${LETTER_WORDS[l.letter]}${l.note ? ` (${l.note})` : ''}`).join('; ');
}

/** "Holding the address: 1234 (the Fines/Fees … until 2026-…)" for the audit. */
export function describeHold(reasons: HoldReason[], iso: (ms: number) => string): string {
  return reasons
    .map((r) => `${r.barcode}: ${LETTER_WORDS[r.letter]}${r.until !== undefined ? ` until ${iso(r.until)}` : ''}`)
    .join('; ');
}
