// Before a relink starts: Alma's GET /users/{user_id} takes any of a patron's identifiers (a card barcode, a
// university id) and answers the record with its primary_id, from which the relink's workflow id is made. One read.
import type { ResolvePatronResult } from '../contract';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';

export function createResolvePatron({ alma }: ActivityDeps) {
  return async function resolvePatron({ identifier }: { identifier: string }): Promise<ResolvePatronResult> {
    // Not found is PatronNotFound, in the words the relink's own preflight uses.
    const user = await almaStep(`reading patron ${identifier}`, () => alma.getUser(identifier));
    return { primaryId: user.primary_id };
  };
}
