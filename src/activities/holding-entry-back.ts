// After the restore, on the follow-up workflow's clock: Alma may still apply a swap it received before the restore
// (its answer lost, the write held), which brings the holding address back. One read says whether it did.
import type { RestoreContactInput } from '../contract';
import { hasHoldingEntry } from './contact';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';

export function createHoldingEntryBack({ alma }: ActivityDeps) {
  return async function holdingEntryBack({ patronId, plan }: RestoreContactInput): Promise<boolean> {
    const user = await almaStep(`reading patron ${patronId}`, () => alma.getUser(patronId));
    return hasHoldingEntry(user, plan);
  };
}
