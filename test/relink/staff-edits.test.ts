// Other people act in Alma while a relink waits: staff correct the patron's address, a SIS load flips the preferred
// flags, staff delete the holding entry. The patron still hears nothing, and the restore says what it could not do.
import type { RelinkResult } from '../../src/contract';
import { fixturesWith, HOLDING_EMAIL, item, patron, phone } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  ownAddresses,
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
  recordHistory,
} from '../support/relink-harness';

type Contact = { email: any[]; phone: any[] };

describe('staff and SIS edits during a relink', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: ['edit.fix', 'edit.sis', 'edit.delete'].map((id) => patron(id, { phones: [phone('+44 20 7946 0001')] })),
        items: [item('48000000001'), item('48000000002'), item('48000000003')],
      }),
    );
  });
  afterAll(async () => h?.close());

  /** A staff member (or a SIS load) edits the record in Alma: the whole record PUT back, as Alma's UI does. */
  async function edit(patronId: string, change: (c: Contact) => void): Promise<void> {
    const user = await h.alma.getUser(patronId);
    change(user.contact_info as Contact);
    await h.alma.updateUser(patronId, user);
  }
  const isHolding = (e: any) => e.email_address === HOLDING_EMAIL;
  const lettersTo = async (patronId: string) =>
    (await h.sim.notices()).filter((n: any) => n.user_id === patronId).map((n: any) => n.address);

  it('keeps a corrected address, removes the holding entry, and ends needs-attention naming no address', async () => {
    const started = await h.relinks.start(relinkInput('edit.fix', ['48000000001']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await edit('edit.fix', (c) => {
      const own = c.email.find((e) => !isHolding(e));
      own.email_address = 'edit.fix.corrected@example.edu';
    });
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;

    expect(result.outcome).toBe('needs-attention');
    expect(result.emailVerified).toBe(false);
    expect(result.reason).toMatch(/no longer on the record/);
    expect(result.reason).not.toMatch(/@/);
    const after = userOf(await h.sim.state(), 'edit.fix');
    expect(after.contact_info.email.map((e: any) => e.email_address)).toEqual(['edit.fix.corrected@example.edu']);
    expect(after.contact_info.phone[0].preferred_sms).toBe(true);
    await recordHistory(h, started.workflowId, 'needs-attention-address-corrected');
  });

  it('swaps again when a SIS load made the patron’s own address preferred during the Lost wait', async () => {
    const before = userOf(await h.sim.state(), 'edit.sis');
    const started = await h.relinks.start(relinkInput('edit.sis', ['48000000002']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await edit('edit.sis', (c) => {
      for (const e of c.email) e.preferred = !isHolding(e);
      c.phone[0].preferred_sms = true;
    });
    await waitForProgress(h, started.workflowId, (p) => p.audit.some((a) => /swap had been undone/.test(a.message)));
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;

    expect(result).toMatchObject({ outcome: 'completed', emailVerified: true });
    expect(await lettersTo('edit.sis')).toContain(HOLDING_EMAIL);
    for (const address of await lettersTo('edit.sis')) expect(ownAddresses(before)).not.toContain(address);
    expect(userOf(await h.sim.state(), 'edit.sis').contact_info).toEqual(before.contact_info);
    await recordHistory(h, started.workflowId, 'completed-sis-flip-reswapped');
  });

  it('adds the holding entry again when staff deleted it, and restores SMS at the end', async () => {
    const before = userOf(await h.sim.state(), 'edit.delete');
    const started = await h.relinks.start(relinkInput('edit.delete', ['48000000003']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await edit('edit.delete', (c) => {
      c.email = c.email.filter((e) => !isHolding(e));
    });
    await waitForProgress(h, started.workflowId, (p) => p.audit.some((a) => /swap had been undone/.test(a.message)));
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;

    expect(result).toMatchObject({ outcome: 'completed', emailVerified: true });
    for (const address of await lettersTo('edit.delete')) expect(ownAddresses(before)).not.toContain(address);
    expect(userOf(await h.sim.state(), 'edit.delete').contact_info).toEqual(before.contact_info);
  });
});
