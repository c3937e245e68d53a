// The end of a quiet period "next HH:MM" (RELINK_RESTORE_AFTER): computed here, on the worker's clock and in its
// ALMA_TIME_ZONE, because a time zone's rules come with Node's ICU data and the workflow must replay the same on any
// worker. The workflow records the answer and waits on a durable timer.
import { nextWallClock } from '../contract';
import type { ActivityDeps } from './deps';

export function createQuietPeriodEnd(deps: ActivityDeps) {
  return async ({ hour, minute }: { hour: number; minute: number }): Promise<{ until: string; timeZone: string }> => {
    const timeZone = deps.timeZone ?? 'UTC';
    return { until: new Date(nextWallClock(Date.now(), hour, minute, timeZone)).toISOString(), timeZone };
  };
}
