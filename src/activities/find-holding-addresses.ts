// relink sweep, the search: which patrons carry the holding address, and which relinks' markers their holding
// entries name. Alma's user search (q=email~<address>) matches words, so each patron found is read and counted only
// when their own record shows the address or a marker. Ids and markers only go back: no address or number enters
// the history.
import { MARKER_PREFIX, markersIn, type HoldingAddressFinding } from '../contract';
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
      // Each marker whole: a run's own, so the sweep restores by that run's plan and never another run's entry.
      const markers = holding.flatMap((e) => markersIn(e.description));
      const workflowIds = [...new Set(markers.map((m) => m.workflowId))];
      findings.push({ patronId, workflowIds, markers: [...new Set(markers.map((m) => m.marker))] });
    }
    return findings;
  };
}
