// Client-side guard for Alma's per-second threshold. Calls are spaced at least 1000/N ms apart (measured between
// the actual starts), so no 1-second window ever holds more than N starts, even in a burst. A token bucket would
// let 2N through around a refill; spacing is smooth and simple. Alma's limit is institution-wide, so keep N low.
// A caller may bound its wait (a step's deadline) and give up (a cancel): it then leaves the line at once, takes no
// slot, and delays nobody behind it.
//
// Two lines share the slots: a caller in the `closing` line goes before every caller in the `opening` line, and
// each line is served in arrival order. Calls that end or protect a patron's email swap (the scan-in and loan of a
// swapped relink, the re-check, the restore) are `closing`: under load they no longer queue behind every other
// relink's preflight, so the time letters go to the holding address stays short (issue 17). A third line, `staff`,
// goes before both: the single reads a person waits on at a start (the patron lookup, a batch's quota reading), which
// at the sandbox's 10 calls a second would otherwise wait past their 30 s behind dozens of running relinks.
//
// Several workers share one institution-wide limit, each with its share (1/N). N streams each spaced 1000·N/R ms
// apart add up to R a second only while they stay apart: two whose starts fall together reach Alma in the same
// instant, and the least jitter then puts one call more of each stream into some second (R + N in the worst case).
// `align` gives each worker its own slot of a shared grid on the wall clock (slot k of N starts at k/N of the
// spacing), so N workers' calls interleave like one worker's: R + 1 at most, for any jitter under ¾ of 1000/R ms.

export type Clock = () => number;

/**
 * Alma's per-second thresholds, per institution and shared by every integration calling it: a sandbox allows 10 calls
 * a second, production 25 (Ex Libris' governance thresholds) or 50 (where Ex Libris raised it). The default keeps to
 * the lowest, so a first run against a sandbox is not refused.
 */
export const ALMA_THRESHOLDS = { sandbox: 10, production: 25, productionRaised: 50 } as const;

/** The client's default rate (ALMA_RATE_LIMIT's default): a sandbox's threshold, which production allows too. */
export const DEFAULT_RATE_LIMIT = ALMA_THRESHOLDS.sandbox;

/** The wall clock in ms, to the fraction: workers on one host (or hosts kept in step by NTP) share its grid. */
export const wallClock: Clock = () => performance.timeOrigin + performance.now();

/** This worker's place among the workers sharing one limit: slot `slot` (from 0) of `slots`. */
export interface RateSlot {
  slot: number;
  slots: number;
}

/** Which line a call waits in: `staff` goes first, then `closing`, then `opening`. */
export type CallPriority = 'staff' | 'closing' | 'opening';

export interface AcquireOptions {
  /** Give up rather than wait longer than this, in ms; refused at once when the line ahead is already longer. */
  maxWaitMs?: number;
  /** Give up when this aborts. */
  signal?: AbortSignal;
  /** Default `opening`. */
  priority?: CallPriority;
}

/** Why a caller got no slot: its wait would have passed its deadline, or it was aborted. */
export class LimiterGaveUp extends Error {
  constructor(readonly reason: 'deadline' | 'aborted') {
    super(reason === 'deadline' ? 'the wait for a call slot would pass the deadline' : 'aborted while waiting');
    this.name = 'LimiterGaveUp';
  }
}

interface Waiter {
  arrived: number;
  /** Set once the caller has its slot or has given up: the pump skips it. */
  done: boolean;
  grant(start: number): void;
}

export class RateLimiter {
  readonly perSecond: number;
  private readonly spacingMs: number;
  private readonly now: Clock;
  private lastStart = Number.NEGATIVE_INFINITY;
  private readonly lines: Record<CallPriority, Waiter[]> = { staff: [], closing: [], opening: [] };
  /** Callers in each line who have neither a slot nor given up. */
  private readonly waiting: Record<CallPriority, number> = { staff: 0, closing: 0, opening: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private waitedMs = 0;
  private rateSlot: RateSlot | undefined;

  constructor(perSecond: number = DEFAULT_RATE_LIMIT, now: Clock = wallClock) {
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
    this.perSecond = perSecond;
    this.spacingMs = 1000 / perSecond;
    this.now = now;
  }

  /** Resolves when a call may start, with the start time (on this limiter's clock); rejects with LimiterGaveUp. */
  acquire({
    maxWaitMs = Number.POSITIVE_INFINITY,
    signal,
    priority = 'opening',
  }: AcquireOptions = {}): Promise<number> {
    const now = this.now();
    if (signal?.aborted) return Promise.reject(new LimiterGaveUp('aborted'));
    // The callers ahead: each line is behind the lines before it (and may yet be overtaken by callers of those lines
    // who arrive later: its timer then gives up for it).
    const ahead =
      this.waiting.staff +
      (priority !== 'staff' ? this.waiting.closing : 0) +
      (priority === 'opening' ? this.waiting.opening : 0);
    const earliest = Math.max(now, this.lastStart + this.spacingMs) + ahead * this.spacingMs;
    if (earliest - now > maxWaitMs) return Promise.reject(new LimiterGaveUp('deadline'));

    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        arrived: now,
        done: false,
        grant: (start) => {
          finish();
          resolve(start);
        },
      };
      const giveUp = (reason: LimiterGaveUp['reason']) => {
        if (waiter.done) return;
        finish();
        reject(new LimiterGaveUp(reason));
        this.pump();
      };
      const timeout = Number.isFinite(maxWaitMs) ? setTimeout(() => giveUp('deadline'), maxWaitMs) : undefined;
      const onAbort = () => giveUp('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        waiter.done = true;
        this.waiting[priority]--;
        clearTimeout(timeout);
        signal?.removeEventListener('abort', onAbort);
      };
      this.lines[priority].push(waiter);
      this.waiting[priority]++;
      this.pump();
    });
  }

  /**
   * Starts calls only in this worker's slot of the grid shared with the other workers (undefined: anywhere, spaced).
   * Slots that two workers both hold (while they learn of a new one) cost nothing but the alignment: each still keeps
   * its spacing, so together they stay at or under the limit as they start calls.
   */
  align(rateSlot: RateSlot | undefined): void {
    if (rateSlot) {
      const { slot, slots } = rateSlot;
      if (!Number.isInteger(slots) || slots < 1 || !Number.isInteger(slot) || slot < 0 || slot >= slots)
        throw new RangeError(`a rate slot is 0 to slots - 1 of slots >= 1, got ${slot} of ${slots}`);
    }
    this.rateSlot = rateSlot && rateSlot.slots > 1 ? { ...rateSlot } : undefined;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.pump();
    }
  }

  /** The slot this limiter starts calls in, if aligned. */
  get slot(): RateSlot | undefined {
    return this.rateSlot && { ...this.rateSlot };
  }

  /** Total time callers have spent waiting for a slot, in ms. */
  get totalWaitMs(): number {
    return this.waitedMs;
  }

  /** Callers waiting for a slot in each line. */
  get inLine(): Readonly<Record<CallPriority, number>> {
    return { ...this.waiting };
  }

  /** Hands out every slot that is due, then sleeps until the next one. One timer for all callers. */
  private pump(): void {
    if (this.timer !== undefined) return;
    for (;;) {
      const next = this.head('staff') ?? this.head('closing') ?? this.head('opening');
      if (!next) return;
      const wait = this.nextStart() - this.now();
      // A timer may fire a little early: the pump checks again when it wakes.
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
      this.lastStart = this.now();
      this.waitedMs += this.lastStart - next.arrived;
      const line = (['staff', 'closing', 'opening'] as const).find((p) => this.lines[p][0] === next)!;
      this.lines[line].shift();
      next.grant(this.lastStart);
    }
  }

  /**
   * When the next call may start: a spacing after the last one; aligned, at the first point of this worker's grid
   * from then on. A start may come late by a quarter of the shared spacing (a late timer) and still take its point;
   * later than that it waits for its next point rather than drift into a neighbour's.
   */
  private nextStart(): number {
    const spaced = this.lastStart + this.spacingMs;
    if (!this.rateSlot) return spaced;
    const { slot, slots } = this.rateSlot;
    const shared = this.spacingMs / slots;
    const offset = slot * shared;
    const from = Math.max(spaced, this.now()) - shared / 4;
    return Math.ceil((from - offset) / this.spacingMs) * this.spacingMs + offset;
  }

  /** The first caller of a line still waiting; those who gave up are dropped on the way. */
  private head(priority: CallPriority): Waiter | undefined {
    const line = this.lines[priority];
    while (line.length > 0 && line[0]!.done) line.shift();
    return line[0];
  }
}
