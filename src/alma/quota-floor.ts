// The daily-quota floor: stop forward work once Alma says the institution's calls for today are nearly spent, so
// the compensation (the restore, the reads that verify it) still has calls left. A reading is only as fresh as the
// last answer, so a reading below the floor expires: after `recheckMs`, or once the institution's day has changed
// (Alma's count restarts at midnight), one call goes out and its answer refreshes the reading. Without that a worker
// that once read a low count would never call Alma again, even after the reset.

export type QuotaTicket = { probe: boolean };
export type QuotaVerdict = QuotaTicket | { refused: number };

const SEND: QuotaTicket = { probe: false };
const PROBE: QuotaTicket = { probe: true };

export interface QuotaFloorOptions {
  /** Refuse forward calls while the last reading is below this; 0 turns the floor off. */
  floor: number;
  /** How long a reading below the floor stands before one call may refresh it, in ms. */
  recheckMs: number;
  /** IANA name of the institution's time zone, whose midnight restarts Alma's daily count. */
  timeZone: string;
  /** Wall clock, epoch ms. */
  now: () => number;
}

export class QuotaFloor {
  readonly floor: number;
  readonly recheckMs: number;
  readonly timeZone: string;
  readonly #now: () => number;
  readonly #day: Intl.DateTimeFormat;
  #remaining: number | undefined;
  /** When the reading was taken, or last probed without an answer: the interval runs from here. */
  #checkedAt = 0;
  /** When the probe in flight was let through; undefined when there is none. */
  #probeSince: number | undefined;

  constructor(options: QuotaFloorOptions) {
    this.floor = options.floor;
    this.recheckMs = options.recheckMs;
    this.timeZone = options.timeZone;
    this.#now = options.now;
    // Throws RangeError for a name Intl does not know: better at start than at the first low reading.
    this.#day = new Intl.DateTimeFormat('en-CA', {
      timeZone: options.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  /** The last X-Exl-Api-Remaining Alma sent. */
  get remaining(): number | undefined {
    return this.#remaining;
  }

  /**
   * Whether a call may go out now. Compensation calls always may. Below the floor, an expired reading lets exactly
   * one call through at a time (the probe); the caller must hand its ticket back to `settle`.
   */
  admit(compensation: boolean): QuotaVerdict {
    const remaining = this.#remaining;
    if (compensation || this.floor <= 0 || remaining === undefined || remaining >= this.floor) return SEND;
    if (this.#probeSince === undefined && this.#expired()) {
      this.#probeSince = this.#now();
      return PROBE;
    }
    return { refused: remaining };
  }

  /** A count Alma reported. */
  record(remaining: number): void {
    this.#remaining = remaining;
    this.#checkedAt = this.#now();
  }

  /**
   * The call holding `ticket` has ended. A probe that went out but brought no reading counts as a check: the next
   * waits a full interval. One that never went out (its step's time was up first) leaves the next free to go.
   */
  settle(ticket: QuotaTicket, sent: boolean): void {
    if (!ticket.probe || this.#probeSince === undefined) return;
    if (sent && this.#checkedAt < this.#probeSince) this.#checkedAt = this.#now();
    this.#probeSince = undefined;
  }

  #expired(): boolean {
    const now = this.#now();
    return now - this.#checkedAt >= this.recheckMs || this.#day.format(now) !== this.#day.format(this.#checkedAt);
  }
}
