// Checked batches wait here between their check and their start, so the start form sends only the batch's id, never
// the file again: what starts is what was checked, and a script cannot skip the check. In this desk process's memory
// (a restart forgets them; staff upload the file again), each for the staff member who checked it, for a while.
import { randomBytes } from 'node:crypto';
import type { BatchPlan } from '../staff-input/batch-file';

export interface CheckedBatch {
  /** 144 random bits: not guessable, and good only with the staff member's own session. */
  id: string;
  staff: string;
  fileName: string;
  plan: BatchPlan;
  expiresAt: number;
}

/** How long a checked batch waits for its start: a check older than this is done again (Alma moved on). */
export const CHECKED_BATCH_TTL_MS = 30 * 60_000;
/** Checked batches kept at once; the oldest goes first. */
const KEEP = 200;

export class CheckedBatches {
  private readonly batches = new Map<string, CheckedBatch>();

  constructor(
    private readonly ttlMs = CHECKED_BATCH_TTL_MS,
    private readonly now = () => Date.now(),
  ) {}

  keep(staff: string, fileName: string, plan: BatchPlan): CheckedBatch {
    this.forgetExpired();
    const batch = {
      id: randomBytes(18).toString('base64url'),
      staff,
      fileName,
      plan,
      expiresAt: this.now() + this.ttlMs,
    };
    this.batches.set(batch.id, batch);
    for (const old of [...this.batches.keys()].slice(0, Math.max(0, this.batches.size - KEEP)))
      this.batches.delete(old);
    return batch;
  }

  /** The staff member's checked batch, once: a start takes it, so a replayed start form starts nothing. */
  take(id: string, staff: string): CheckedBatch | undefined {
    this.forgetExpired();
    const batch = this.batches.get(id);
    if (!batch || batch.staff !== staff) return undefined;
    this.batches.delete(id);
    return batch;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [id, batch] of this.batches) if (batch.expiresAt <= now) this.batches.delete(id);
  }
}
