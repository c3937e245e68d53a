// relink sweep, the search: which patrons carry the holding address, and which relinks' markers their holding
// entries name. Alma's user search (q=email~<address>) matches words, so each patron found is read and counted only
// when their own record shows the address or a marker. Ids only go back: no address or number enters the history.
import { MARKER_PREFIX, relinkIdsIn, type HoldingAddressFinding } from '../contract';
import { sameAddress } from './contact';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';

export function createFindHoldingAddresses({ alma }: ActivityDeps) {
  return async function findHoldingAddresses({ holdingEmail }: { holdingEmail: string }) {
    const found = await almaStep('searching Alma for patrons with the holding address', () =>
      alma.searchUsers(`email~${holdingEmail}`),
    );
    const findings: HoldingAddressFinding[] = [];
    for (const { primary_id: patronId } of found) {
      const user = await almaStep(`reading patron ${patronId}`, () => alma.getUser(patronId));
      const holding = (user.contact_info?.email ?? []).filter(
        (e) => sameAddress(e.email_address, holdingEmail) || (e.description ?? '').includes(MARKER_PREFIX),
      );
      if (holding.length === 0) continue;
      findings.push({ patronId, workflowIds: [...new Set(holding.flatMap((e) => relinkIdsIn(e.description)))] });
    }
    return findings;
  };
}
