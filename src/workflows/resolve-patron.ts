// Before a relink starts, the client asks a worker (it holds the Alma key) for the patron's primary_id: the relink's
// workflow id is made from it, so a card barcode and a primary id typed for one patron reach one relink, and two
// relinks never interleave their swaps. One read; the client bounds the run with a short execution timeout.
import type { ResolvePatronResult } from '../contract';
import { staffToolActivities } from './activity-proxies';

export async function resolvePatron(identifier: string): Promise<ResolvePatronResult> {
  return staffToolActivities('20 seconds').resolvePatron({ identifier });
}
