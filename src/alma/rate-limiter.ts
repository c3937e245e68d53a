// Client-side guard for Alma's per-second threshold. Calls are spaced at least 1000/N ms apart (measured between
// the actual starts), so no 1-second window ever holds more than N starts, even in a burst. A token bucket would
// let 2N through around a refill; spacing is smooth and simple. Alma's limit is institution-wide, so keep N low.

export type Clock = () => number;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  readonly perSecond: number;
  private readonly spacingMs: number;
  private readonly now: Clock;
  private lastStart = Number.NEGATIVE_INFINITY;
  /** Callers take turns in arrival order: each waits for the one before it. */
  private tail: Promise<unknown> = Promise.resolve();
  private waitedMs = 0;

  constructor(perSecond = 20, now: Clock = () => performance.now()) {
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
    this.perSecond = perSecond;
    this.spacingMs = 1000 / perSecond;
    this.now = now;
  }

  /** Resolves when a call may start, with the start time (on this limiter's clock). */
  acquire(): Promise<number> {
    const turn = this.tail.then(() => this.waitForSlot());
    this.tail = turn;
    return turn;
  }

  /** Total time callers have spent waiting for a slot, in ms. */
  get totalWaitMs(): number {
    return this.waitedMs;
  }

  private async waitForSlot(): Promise<number> {
    const began = this.now();
    // A timer may fire a little early: check again after every sleep.
    for (;;) {
      const wait = this.lastStart + this.spacingMs - this.now();
      if (wait <= 0) break;
      await sleep(Math.ceil(wait));
    }
    this.lastStart = this.now();
    this.waitedMs += this.lastStart - began;
    return this.lastStart;
  }
}
