// The start limit, per staff member: one count a minute for the starts of the form and for each relink a batch
// starts, so a batch cannot go round it. A single start over the limit is refused (429); a batch waits for the next
// minute instead, so it goes at the limit's pace.
import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';

export interface StartLimit {
  /** Counts a start of the form; refuses it over the limit with `refused`'s page. */
  middleware: RequestHandler;
  /**
   * Takes one start for `staff`, waiting (and telling `onWait` until when) while the minute's are used. The answer
   * gives back the start if it did not go through: only starts that went through count, as for the form.
   */
  take(staff: string, onWait?: (until: Date | undefined) => void): Promise<(started: boolean) => void>;
}

// Unref'd: a batch waiting for the next minute does not keep a closing desk's process alive.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

export function createStartLimit(perMinute: number, refused: RequestHandler): StartLimit {
  const store = new MemoryStore();
  const middleware = rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    store,
    keyGenerator: (_req, res) => String(res.locals.staff),
    // Only starts that went through count: a form refused for its fields (400) or by Temporal (409/502) does not.
    skipFailedRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: refused,
  });
  return {
    middleware,
    async take(staff, onWait) {
      for (;;) {
        const { totalHits, resetTime } = await store.increment(staff);
        if (totalHits <= perMinute) {
          onWait?.(undefined);
          return (started) => {
            if (!started) void store.decrement(staff);
          };
        }
        await store.decrement(staff);
        onWait?.(resetTime);
        await sleep(Math.max(250, (resetTime?.getTime() ?? Date.now() + 1000) - Date.now()));
      }
    },
  };
}
