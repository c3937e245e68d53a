// Client-side guard for Alma's per-second threshold. Calls are spaced at least 1000/N ms apart (measured between
// the actual starts), so no 1-second window ever holds more than N starts, even in a burst. A token bucket would
// let 2N through around a refill; spacing is smooth and simple. Alma's limit is institution-wide, so keep N low.
// A caller may bound its wait (a step's deadline) and give up (a cancel): it then leaves the line at once, takes no
// slot, and delays nobody behind it.

export type Clock = () => number;

export interface AcquireOptions {
  /** Give up rather than wait longer than this, in ms; refused at once when the line ahead is already longer. */
  maxWaitMs?: number;
  /** Give up when this aborts. */
  signal?: AbortSignal;
}

/** Why a caller got no slot: its wait would have passed its deadline, or it was aborted. */
export class LimiterGaveUp extends Error {
  constructor(readonly reason: 'deadline' | 'aborted') {
    super(reason === 'deadline' ? 'the wait for a call slot would pass the deadline' : 'aborted while waiting');
    this.name = 'LimiterGaveUp';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  readonly perSecond: number;
  private readonly spacingMs: number;
  private readonly now: Clock;
  private lastStart = Number.NEGATIVE_INFINITY;
  /** Callers take turns in arrival order: each waits for the one before it. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Callers in line (waiting for their turn or their slot), each of whom will take one spacing. */
  private inLine = 0;
  private waitedMs = 0;

  constructor(perSecond = 20, now: Clock = () => performance.now()) {
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
    this.perSecond = perSecond;
    this.spacingMs = 1000 / perSecond;
    this.now = now;
  }

  /** Resolves when a call may start, with the start time (on this limiter's clock); rejects with LimiterGaveUp. */
  acquire({ maxWaitMs = Number.POSITIVE_INFINITY, signal }: AcquireOptions = {}): Promise<number> {
    const now = this.now();
    if (signal?.aborted) return Promise.reject(new LimiterGaveUp('aborted'));
    const earliest = Math.max(now, this.lastStart + this.spacingMs) + this.inLine * this.spacingMs;
    if (earliest - now > maxWaitMs) return Promise.reject(new LimiterGaveUp('deadline'));

    const ticket = { gaveUp: false, inLine: true };
    const leave = () => {
      if (ticket.inLine) this.inLine--;
      ticket.inLine = false;
    };
    this.inLine++;
    const turn = this.tail.then(() => this.waitForSlot(ticket, leave));
    this.tail = turn;
    if (maxWaitMs === Number.POSITIVE_INFINITY && !signal) return turn;

    return new Promise<number>((resolve, reject) => {
      const giveUp = (reason: LimiterGaveUp['reason']) => {
        ticket.gaveUp = true;
        leave();
        done();
        reject(new LimiterGaveUp(reason));
      };
      const timer = Number.isFinite(maxWaitMs) ? setTimeout(() => giveUp('deadline'), maxWaitMs) : undefined;
      const onAbort = () => giveUp('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      void turn.then((start) => {
        done();
        resolve(start);
      });
    });
  }

  /** Total time callers have spent waiting for a slot, in ms. */
  get totalWaitMs(): number {
    return this.waitedMs;
  }

  /** Never rejects: the line behind must keep moving. A caller who gave up takes no slot. */
  private async waitForSlot(ticket: { gaveUp: boolean }, leave: () => void): Promise<number> {
    const began = this.now();
    // A timer may fire a little early: check again after every sleep.
    for (;;) {
      if (ticket.gaveUp) return Number.NaN;
      const wait = this.lastStart + this.spacingMs - this.now();
      if (wait <= 0) break;
      await sleep(Math.ceil(wait));
    }
    leave();
    this.lastStart = this.now();
    this.waitedMs += this.lastStart - began;
    return this.lastStart;
  }
}
