// Admission to the swap, per worker process: at most `capacity` relinks between their email swap and their loan at
// once, so a swapped relink's forward steps run promptly instead of sharing the closing line of the limiter with
// ever more swapped relinks (issue 17). A relink's swap step enters (waiting its turn, in arrival order); its loan,
// or its restore, leaves. A permit is a lease: it lapses after `leaseMs`, so a relink whose loan ran on another
// worker, or that ended without one, keeps nobody waiting longer than that; a worker that dies takes its gate with
// it, and no state outlives a process. A retry of a waiting swap keeps its place in line for `leaseMs`.

export interface SwapGateOptions {
  /** Relinks between swap and loan at once on this worker. */
  capacity: number;
  /** How long a permit stands without being given back, in ms. */
  leaseMs: number;
  /** Monotonic clock, ms. */
  now?: () => number;
}

/** The wait for a permit was given up: the step's deadline came first, or it was cancelled. */
export class SwapGateGaveUp extends Error {
  constructor(
    readonly reason: 'deadline' | 'aborted',
    readonly ahead: number,
  ) {
    super(
      reason === 'deadline'
        ? `still waiting for a turn to swap at the step's deadline (${ahead} ahead)`
        : 'cancelled while waiting for a turn to swap',
    );
    this.name = 'SwapGateGaveUp';
  }
}

interface Waiter {
  key: string;
  ticket: number;
  admit(): void;
}

export class SwapGate {
  readonly capacity: number;
  readonly leaseMs: number;
  readonly #now: () => number;
  /** Permits held: relink key → when the lease lapses. */
  readonly #held = new Map<string, number>();
  /** Waiting, in ticket order. */
  #line: Waiter[] = [];
  /** Tickets of waits given up at a deadline, kept for the retry: key → ticket, until when. */
  readonly #kept = new Map<string, { ticket: number; until: number }>();
  #nextTicket = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: SwapGateOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1)
      throw new RangeError(`capacity must be a whole number of at least 1, got ${options.capacity}`);
    this.capacity = options.capacity;
    this.leaseMs = options.leaseMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Permits held now (lapsed ones dropped). */
  get holding(): number {
    this.#lapse();
    return this.#held.size;
  }

  get waiting(): number {
    return this.#line.length;
  }

  /**
   * Resolves once `key` holds a permit (at once if it already does: a retry). Gives up with SwapGateGaveUp after
   * `maxWaitMs` or when `signal` aborts.
   */
  enter(
    key: string,
    { maxWaitMs = Number.POSITIVE_INFINITY, signal }: { maxWaitMs?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    this.#lapse();
    if (this.#held.has(key)) {
      this.#held.set(key, this.#now() + this.leaseMs);
      return Promise.resolve();
    }
    if (signal?.aborted) return Promise.reject(new SwapGateGaveUp('aborted', this.#line.length));
    const kept = this.#kept.get(key);
    this.#kept.delete(key);
    const ticket = kept && kept.until > this.#now() ? kept.ticket : this.#nextTicket++;
    // An earlier wait of the same relink (a lost attempt) gives its place to this one.
    this.#line = this.#line.filter((w) => w.key !== key);

    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timeout);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        key,
        ticket,
        admit: () => {
          done();
          resolve();
        },
      };
      const giveUp = (reason: SwapGateGaveUp['reason']) => {
        const at = this.#line.indexOf(waiter);
        if (at < 0) return;
        this.#line.splice(at, 1);
        done();
        if (reason === 'deadline') this.#kept.set(key, { ticket, until: this.#now() + this.leaseMs });
        reject(new SwapGateGaveUp(reason, at));
      };
      const timeout = Number.isFinite(maxWaitMs) ? setTimeout(() => giveUp('deadline'), maxWaitMs) : undefined;
      const onAbort = () => giveUp('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const at = this.#line.findIndex((w) => w.ticket > ticket);
      this.#line.splice(at < 0 ? this.#line.length : at, 0, waiter);
      this.#admit();
    });
  }

  /** `key` is past its loan (or restoring): its permit goes to the next in line. A key holding none is ignored. */
  leave(key: string): void {
    if (this.#held.delete(key)) this.#admit();
  }

  #lapse(): void {
    const now = this.#now();
    for (const [key, until] of this.#held) if (until <= now) this.#held.delete(key);
    for (const [key, kept] of this.#kept) if (kept.until <= now) this.#kept.delete(key);
  }

  #admit(): void {
    this.#lapse();
    while (this.#line.length > 0 && this.#held.size < this.capacity) {
      const next = this.#line.shift()!;
      this.#held.set(next.key, this.#now() + this.leaseMs);
      next.admit();
    }
    // While some wait, wake at the next lapse: nobody else may call in.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#line.length > 0 && this.#held.size > 0) {
      const next = Math.min(...this.#held.values());
      this.#timer = setTimeout(() => this.#admit(), Math.max(1, Math.ceil(next - this.#now())));
    }
  }
}
