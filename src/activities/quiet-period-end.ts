// The end of a quiet period "next HH:MM" (RELINK_RESTORE_AFTER): computed here, on the worker's clock and in its
// ALMA_TIME_ZONE, because a time zone's rules come with Node's ICU data and the workflow must replay the same on any
// worker. The workflow records the answer and waits on a durable timer.
import { nextWallClock } from '../contract';
import type { ActivityDeps } from './deps';

export function createQuietPeriodEnd(deps: ActivityDeps) {
  // `after`: the first HH:MM after that moment instead of now (the overdue-job mode: the job's first run at which the
  // loan is overdue past the lost threshold).
  return async ({
    hour,
    minute,
    after,
  }: {
    hour: number;
    minute: number;
    after?: string;
  }): Promise<{ until: string; timeZone: string }> => {
    const timeZone = deps.timeZone ?? 'UTC';
    const from = Math.max(Date.now(), after ? Date.parse(after) : 0);
    return { until: new Date(nextWallClock(from, hour, minute, timeZone)).toISOString(), timeZone };
  };
}
