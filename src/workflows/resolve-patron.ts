// Before a relink starts, the client asks a worker (it holds the Alma key) for the patron's primary_id: the relink's
// workflow id is made from it, so a card barcode and a primary id typed for one patron reach one relink, and two
// relinks never interleave their swaps. One read; the client bounds the run with a short execution timeout.
import { proxyActivities } from '@temporalio/workflow';
import type { RelinkActivities, ResolvePatronResult } from '../contract';

const { resolvePatron: lookUp } = proxyActivities<RelinkActivities>({
  startToCloseTimeout: '20 seconds',
  // Alma's transient errors retry until the execution timeout; PatronNotFound and the like are non-retryable.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds' },
});

export async function resolvePatron(identifier: string): Promise<ResolvePatronResult> {
  return lookUp({ identifier });
}
