// The patron lookup before a start (resolve-patron.ts) reads the record the relink's first preflight reads a moment
// later: the preflight takes that read instead of making its own, once, while it is fresh. Kept in the worker's
// memory only, never in a workflow's input or history: the record holds the patron's personal data, and Temporal
// would keep it for the namespace's retention. A preflight on another worker than the lookup's reads Alma as before.

/**
 * How old a lookup's read may be for the preflight to plan from it. The plan it records is checked against a fresh
 * read by the swap before anything is written (ContactChanged), so what a few seconds could leave stale is only the
 * patron's status, blocks and expiry, which the preflight's own read could equally miss by the swap.
 */
export const LOOKUP_READ_FRESH_MS = 30_000;

/** Entries kept at most: a batch's lookups come a few seconds before their starts. */
const MAX_ENTRIES = 1_000;

interface Entry<T> {
  record: T;
  /** When the read was sent (epoch ms): the record is at least this fresh. */
  readAt: number;
}

export class PatronReads<T = unknown> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly freshMs = LOOKUP_READ_FRESH_MS) {}

  /** Keeps the record the lookup read for `primaryId`, sent at `readAt`. */
  put(primaryId: string, record: T, readAt: number, now = Date.now()): void {
    this.prune(now);
    this.entries.delete(primaryId);
    this.entries.set(primaryId, { record, readAt });
    // Map order is insertion order: the oldest go first.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }

  /** The record read for `primaryId` if it is still fresh, handed out once: a second preflight reads Alma. */
  take(primaryId: string, now = Date.now()): T | undefined {
    const entry = this.entries.get(primaryId);
    if (!entry) return undefined;
    this.entries.delete(primaryId);
    return this.fresh(entry, now) ? entry.record : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  private fresh(entry: Entry<T>, now: number): boolean {
    const age = now - entry.readAt;
    return age >= 0 && age <= this.freshMs;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) if (!this.fresh(entry, now)) this.entries.delete(key);
  }
}
