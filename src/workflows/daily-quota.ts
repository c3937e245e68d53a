// relink batch plans against Alma's daily quota before it starts anything: a worker (it holds the Alma key) reads
// the calls left today from one answer. One read; the client bounds the run with a short execution timeout.
import type { DailyQuotaReading } from '../contract';
import { staffToolActivities } from './activity-proxies';

export async function readDailyQuota(patronId: string): Promise<DailyQuotaReading> {
  return staffToolActivities('20 seconds').readDailyQuota({ patronId });
}
