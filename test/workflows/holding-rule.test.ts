// The one rule for holding the address, on its own: generated stories of items (what happened to each in Alma, with the
// late answers, repeated signals and give-up events the workflow also feeds it) against an independent account of
// which letters each item can still trigger. Whatever the sequence, the address is never released while an item
// that can still trigger a letter needs it, and never held once none does.
import fc from 'fast-check';
import {
  advance,
  holdingVerdict,
  lettersNowToPatron,
  type ItemEvent,
  type ItemLife,
} from '../../src/workflows/holding-rule';

/** What really happened to one item in Alma, with times: the ground truth the rule is judged by. */
interface Story {
  barcode: string;
  /** When it was loaned to the patron (undefined: never). */
  loanedAt?: number;
  /** How the loan ended, and when: Lost (its fee letter may follow until quietUntil), returned, or kept by staff. */
  end?: { kind: 'lost'; at: number; quietUntil: number } | { kind: 'returned' | 'kept'; at: number };
  /** Alma refused a return at this time (the loan stays active until `end`). */
  refusedAt?: number;
  /** The overdue-job mode moved its due date at this time. */
  movedAt?: number;
  /**
   * Alma refused the API loan at `from`: staff may loan it at the desk any moment (the receipt would follow) until
   * the loan (`loanedAt`) or until they give up on it at `to` (a story never loaned).
   */
  staffWait?: { from: number; to?: number };
}

interface Timed {
  at: number;
  barcode: string;
  event: ItemEvent;
}

const MINUTE = 60_000;

const story = (barcode: string): fc.Arbitrary<Story> =>
  fc
    .record({
      loaned: fc.boolean(),
      loanedAt: fc.integer({ min: 1, max: 100 }),
      endKind: fc.constantFrom('lost', 'returned', 'kept', 'open'),
      endAfter: fc.integer({ min: 1, max: 100 }),
      quiet: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200 })),
      refused: fc.boolean(),
      moved: fc.boolean(),
      deskWait: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 50 })),
      givenUp: fc.boolean(),
    })
    .map(({ loaned, loanedAt, endKind, endAfter, quiet, refused, moved, deskWait, givenUp }): Story => {
      const l = loanedAt * MINUTE;
      if (!loaned) {
        // Refused at the API loan and never loaned: given up by staff, or still waiting.
        return deskWait === undefined
          ? { barcode }
          : { barcode, staffWait: { from: l, ...(givenUp ? { to: l + deskWait * MINUTE } : {}) } };
      }
      const at = l + endAfter * MINUTE;
      const s: Story = { barcode, loanedAt: l };
      if (deskWait !== undefined) s.staffWait = { from: l - deskWait * MINUTE };
      if (moved) s.movedAt = l + 1;
      if (refused && endKind !== 'lost') s.refusedAt = l + 2;
      if (endKind === 'lost') s.end = { kind: 'lost', at, quietUntil: at + quiet * MINUTE };
      else if (endKind !== 'open') s.end = { kind: endKind as 'returned' | 'kept', at };
      return s;
    });

/** The events the workflow feeds the rule for a story, in time order, plus noise: repeats and late answers. */
function eventsOf(s: Story, noise: { at: number; event: ItemEvent }[]): Timed[] {
  const out: Timed[] = [{ at: 0, barcode: s.barcode, event: { type: 'reviewed' } }];
  const push = (at: number, event: ItemEvent) => out.push({ at, barcode: s.barcode, event });
  const wait = s.staffWait;
  if (s.loanedAt === undefined && wait) {
    push(wait.from - 1, { type: 'scanned-in' });
    push(wait.from, { type: 'loan-refused' });
    if (wait.to !== undefined) push(wait.to, { type: 'not-loaned' });
  } else if (s.loanedAt === undefined) {
    push(1, { type: 'not-loaned' });
  } else {
    push((wait?.from ?? s.loanedAt) - 1, { type: 'scanned-in' });
    if (wait) push(wait.from, { type: 'loan-refused' });
    push(s.loanedAt, { type: 'loaned' });
    if (s.movedAt !== undefined) push(s.movedAt, { type: 'due-date-moved' });
    if (s.refusedAt !== undefined) push(s.refusedAt, { type: 'return-refused' });
    if (s.end?.kind === 'lost') push(s.end.at, { type: 'lost', at: s.end.at, quietUntil: s.end.quietUntil });
    if (s.end?.kind === 'returned') push(s.end.at, { type: 'returned' });
    if (s.end?.kind === 'kept') push(s.end.at, { type: 'kept' });
  }
  // The workflow ends a desk loan's wait only by the loan or by giving up (not-loaned), and a give-up's blanket
  // not-loaned comes at the relink's end: none before the wait is over.
  const waitEnd = wait ? (s.loanedAt ?? wait.to ?? Number.POSITIVE_INFINITY) : 0;
  for (const n of noise) {
    if (wait && n.event.type === 'not-loaned' && n.at < waitEnd) continue;
    push(n.at, n.event);
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The independent account: can this item still trigger a letter that must reach the holding address at `t`? */
function needsAddress(s: Story, t: number): boolean {
  // Waiting for a desk loan: its receipt may go out any moment.
  const wait = s.staffWait;
  if (wait && t >= wait.from && t < (s.loanedAt ?? wait.to ?? Number.POSITIVE_INFINITY)) return true;
  if (s.loanedAt === undefined || t < s.loanedAt) return false;
  if (!s.end || t < s.end.at) return true; // an active loan: due-date, overdue and Lost letters
  return s.end.kind === 'lost' && t < s.end.quietUntil; // the fee letter of the Lost
}

const noiseEvent: fc.Arbitrary<ItemEvent> = fc.oneof(
  // Late or repeated answers and the give-up's blanket events, which must never move a settled item.
  fc.constant<ItemEvent>({ type: 'not-loaned' }),
  fc.constant<ItemEvent>({ type: 'scanned-in' }),
  fc.constant<ItemEvent>({ type: 'reviewed' }),
  fc.constant<ItemEvent>({ type: 'due-date-back' }),
);

/** Repeats of an event already true by then (a second Lost check, the loan found again by findLoans). */
function repeats(s: Story): { at: number; event: ItemEvent }[] {
  const out: { at: number; event: ItemEvent }[] = [];
  if (s.loanedAt !== undefined && s.end) out.push({ at: s.end.at + 1, event: { type: 'loaned' } });
  if (s.end?.kind === 'lost') {
    out.push({ at: s.end.at + 2, event: { type: 'lost', at: s.end.at + 2, quietUntil: s.end.at + 2 } });
    out.push({ at: s.end.at + 3, event: { type: 'returned' } });
  }
  return out;
}

const stories = fc
  .uniqueArray(fc.constantFrom('A', 'B', 'C', 'D'), { minLength: 1, maxLength: 4 })
  .chain((barcodes) =>
    fc.tuple(
      fc.tuple(...barcodes.map(story)),
      fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 * MINUTE }), event: noiseEvent }), { maxLength: 6 }),
    ),
  );

function timeline([items, noise]: [Story[], { at: number; event: ItemEvent }[]]): Timed[] {
  return items
    .flatMap((s, i) => eventsOf(s, [...repeats(s), ...noise.filter((_, k) => k % items.length === i)]))
    .sort((a, b) => a.at - b.at);
}

describe('the one rule for holding the address', () => {
  it('holds the address exactly while an item can still trigger a letter, whatever the sequence of events', () => {
    fc.assert(
      fc.property(stories, fc.array(fc.integer({ min: 0, max: 500 * MINUTE }), { maxLength: 8 }), (input, probes) => {
        const [items] = input;
        const events = timeline(input);
        const lives = new Map<string, ItemLife>(items.map((s) => [s.barcode, { state: 'checked' }]));
        // Judge after each event, and at instants between events (the clock alone ends a quiet period).
        const instants = [...events.map((e) => e.at), ...probes].sort((a, b) => a - b);
        let next = 0;
        for (const t of instants) {
          while (next < events.length && events[next]!.at <= t) {
            const e = events[next++]!;
            lives.set(e.barcode, advance(lives.get(e.barcode)!, e.event));
          }
          const needed = items.filter((s) => needsAddress(s, t)).map((s) => s.barcode);
          const verdict = holdingVerdict(lives, t);
          expect({ t, hold: verdict.hold }).toEqual({ t, hold: needed.length > 0 });
          if (verdict.hold) expect(verdict.reasons.map((r) => r.barcode).sort()).toEqual(needed.sort());
        }
      }),
      { numRuns: 500 },
    );
  });

  it('says when the clock alone ends a hold: the last quiet period, and only when every reason is timed', () => {
    fc.assert(
      fc.property(stories, (input) => {
        const [items] = input;
        const events = timeline(input);
        const lives = new Map<string, ItemLife>(items.map((s) => [s.barcode, { state: 'checked' }]));
        for (const e of events) lives.set(e.barcode, advance(lives.get(e.barcode)!, e.event));
        const t = Math.max(0, ...events.map((e) => e.at));
        const verdict = holdingVerdict(lives, t);
        if (!verdict.hold || verdict.until === undefined) return;
        // Nothing happens after `until` but the clock: the rule releases then, and not a moment before.
        expect(holdingVerdict(lives, verdict.until).hold).toBe(false);
        expect(holdingVerdict(lives, verdict.until - 1).hold).toBe(true);
        expect(verdict.reasons.every((r) => r.letter === 'lost-fee-letter')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('lets staff end quiet periods (restore-now) but never a hold for an active loan', () => {
    fc.assert(
      fc.property(stories, fc.integer({ min: 0, max: 400 * MINUTE }), (input, t) => {
        const [items] = input;
        const lives = new Map<string, ItemLife>(items.map((s) => [s.barcode, { state: 'checked' }]));
        for (const e of timeline(input).filter((e) => e.at <= t)) {
          lives.set(e.barcode, advance(lives.get(e.barcode)!, e.event));
        }
        const onLoan = items.filter((s) => needsAddress(s, t) && !(s.end?.kind === 'lost' && s.end.at <= t));
        expect(holdingVerdict(lives, t, { restoreNow: true }).hold).toBe(onLoan.length > 0);
      }),
      { numRuns: 500 },
    );
  });

  it('names, at a release, the letters that may now reach the patron: kept loans and quiet periods cut short', () => {
    const lives = new Map<string, ItemLife>([
      ['A', { state: 'lost', lostAt: 0, quietUntil: 10 * MINUTE }],
      ['B', { state: 'kept', dueDateMoved: true }],
      ['C', { state: 'returned' }],
    ]);
    expect(lettersNowToPatron(lives, 5 * MINUTE).map((l) => [l.barcode, l.letter, !!l.note])).toEqual([
      ['A', 'lost-fee-letter', false],
      ['B', 'loan-letters', true],
    ]);
    expect(lettersNowToPatron(lives, 10 * MINUTE).map((l) => l.barcode)).toEqual(['B']);
  });

  it('never moves a settled item: a Lost item is not loaned again, a returned one is not Lost', () => {
    const lost: ItemLife = { state: 'lost', lostAt: 5, quietUntil: 9 };
    for (const type of ['loaned', 'returned', 'kept', 'not-loaned', 'return-refused', 'scanned-in'] as const) {
      expect(advance(lost, { type } as ItemEvent)).toEqual(lost);
    }
    const returned: ItemLife = { state: 'returned' };
    expect(advance(returned, { type: 'lost', at: 1, quietUntil: 2 })).toEqual(returned);
  });
});
