// The holding entry's email_type is a code of the institution's EmailTypes code table (RELINK_HOLDING_EMAIL_TYPE,
// default `work`): an institution without `work` would refuse the swap's PUT (401864).
import { fixturesWith, HOLDING_EMAIL, item, patron } from '../../src/alma-sim/builders';
import { loadSettings } from '../../src/config';
import { relinkInput } from '../../src/dev/relink-input';
import type { RelinkResult } from '../../src/contract';
import {
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

describe("the holding entry's email type", () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('emailtype.patron')], items: [item('46000000001')] }), {
      sim: { emailTypes: ['personal', 'office'] },
    });
  });
  afterAll(async () => h?.close());

  it('is work unless RELINK_HOLDING_EMAIL_TYPE says otherwise', () => {
    const base = { RELINK_HOLDING_EMAIL: HOLDING_EMAIL, ALMA_LIBRARY: 'MAIN', ALMA_CIRC_DESK: 'DESK' };
    const typeOf = (env: NodeJS.ProcessEnv) =>
      loadSettings(['relink'], env, { dotenv: false }).relink.RELINK_HOLDING_EMAIL_TYPE;
    expect(typeOf(base)).toBe('work');
    expect(typeOf({ ...base, RELINK_HOLDING_EMAIL_TYPE: 'office' })).toBe('office');
    expect(() => typeOf({ ...base, RELINK_HOLDING_EMAIL_TYPE: 'not a code' })).toThrow(/EmailTypes code table/);
  });

  it("uses the institution's code for the holding entry, and the relink completes", async () => {
    const before = userOf(h.sim.state(), 'emailtype.patron');
    const started = await h.relinks.start(
      relinkInput('emailtype.patron', ['46000000001'], { holdingEmailType: 'office' }),
    );
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    const holding = userOf(h.sim.state(), 'emailtype.patron').contact_info.email.find(
      (e: { email_address: string }) => e.email_address === HOLDING_EMAIL,
    );
    expect(holding).toMatchObject({ preferred: true, email_type: [{ value: 'office' }] });
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    expect(userOf(h.sim.state(), 'emailtype.patron')).toEqual(before);
  });
});
