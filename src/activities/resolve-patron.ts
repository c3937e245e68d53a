// Before a relink starts: Alma's GET /users/{user_id} takes any of a patron's identifiers (a card barcode, a
// university id) and answers the record with its primary_id, from which the relink's workflow id is made. One read,
// which the relink's first preflight on this worker takes instead of reading the record again (patron-reads.ts).
import type { ResolvePatronResult } from '../contract';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';

export function createResolvePatron({ alma, patronReads }: ActivityDeps) {
  return async function resolvePatron({ identifier }: { identifier: string }): Promise<ResolvePatronResult> {
    const readAt = Date.now();
    // Not found is PatronNotFound, in the words the relink's own preflight uses.
    const user = await almaStep(`reading patron ${identifier}`, () => alma.getUser(identifier, ['fees']));
    patronReads?.put(user.primary_id, user, readAt);
    return { primaryId: user.primary_id };
  };
}
