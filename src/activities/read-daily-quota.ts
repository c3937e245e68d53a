// For relink batch: how many Alma calls are left today, read fresh from one answer's X-Exl-Api-Remaining (the only
// place Alma says it), and the worker's floor. The CLI holds no Alma key, so a worker reads it. One read of a patron
// of the batch: an answer of any kind carries the header, a refusal included.
import { isAlmaError } from '../alma';
import type { DailyQuotaReading } from '../contract';
import type { ActivityDeps } from './deps';
import { toActivityFailure } from './failures';

export function createReadDailyQuota({ alma }: ActivityDeps) {
  return async function readDailyQuota({ patronId }: { patronId: string }): Promise<DailyQuotaReading> {
    try {
      await alma.getUser(patronId);
    } catch (err) {
      // A patron Alma does not know, or the floor refusing the read: the reading is what counts. Anything Alma did
      // not answer (down, busy) is retried as any step is.
      if (!isAlmaError(err) || err.retryable) throw toActivityFailure(err, 'reading the daily API quota');
    }
    const remaining = alma.dailyRemaining;
    return { ...(remaining === undefined ? {} : { remaining }), floor: alma.minDailyRemaining };
  };
}
