// The listener's only memory: the ids of the messages it has passed on (or ignored) lately, so a message Alma sends
// again (a retry after a lost answer, a replay) is answered 200 and not passed on twice. Bounded in count and age,
// in memory: after a restart, or past the window, a repeat is passed on again, which costs the relink one look at
// Alma and nothing else (a webhook is a reason to look, never proof).
export class RecentIds {
  readonly #seen = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  has(id: string): boolean {
    const at = this.#seen.get(id);
    if (at === undefined) return false;
    if (this.now() - at < this.windowMs) return true;
    this.#seen.delete(id);
    return false;
  }

  add(id: string): void {
    this.#seen.delete(id);
    this.#seen.set(id, this.now());
    // A Map iterates in insertion order: the first keys are the oldest.
    for (const oldest of this.#seen.keys()) {
      if (this.#seen.size <= this.max) break;
      this.#seen.delete(oldest);
    }
  }

  get size(): number {
    return this.#seen.size;
  }
}
