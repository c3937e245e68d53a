// Alma (a tenant's setting, a SIS load) may trim or rewrite an email's description, where the relink's marker is.
// The restore must still find the holding entry by its address, whatever is left of the description: otherwise it
// concludes nothing was swapped and the holding address stays the patron's preferred email for good.
import { fixturesWith, HOLDING_EMAIL, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import type { RelinkResult } from '../../src/contract';
import {
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

// 0: Alma empties it; 10: the marker is cut inside its prefix; 40: cut inside the relink id.
describe.each([0, 10, 40])('a holding entry whose description Alma trims to %i characters', (max) => {
  let h: RelinkHarness;
  const patronId = `trimmed.${max}`;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({ users: [patron(patronId)], items: [item(`4700000000${max}`.slice(0, 11))] }),
      {
        sim: { emailDescriptionMax: max },
      },
    );
  });
  afterAll(async () => h?.close());

  it('is still recognised: the swap holds, and the restore removes it and brings the original back', async () => {
    const before = userOf(h.sim.state(), patronId);
    const started = await h.relinks.start(relinkInput(patronId, [`4700000000${max}`.slice(0, 11)]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    const holding = userOf(h.sim.state(), patronId).contact_info.email.filter(
      (e: { email_address: string }) => e.email_address === HOLDING_EMAIL,
    );
    expect(holding).toEqual([expect.objectContaining({ preferred: true })]);
    expect(holding[0].description.length).toBeLessThanOrEqual(max);
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    expect(userOf(h.sim.state(), patronId)).toEqual(before);
    expect(h.sim.notices().filter((n) => n.address !== HOLDING_EMAIL)).toEqual([]);
  });
});
