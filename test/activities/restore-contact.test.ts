// The restore activity against the simulator: staff edits made while the relink waits are kept, only the record as
// Alma holds it after the last write (the PUT's answer) may say "verified", and a plan the record can no longer
// honour ends with a note for staff.
import type { AlmaClient, AlmaUser } from '../../src/alma';
import { createRestoreContact } from '../../src/activities/restore-contact';
import { markerFor, type ContactPlan } from '../../src/contract';
import { emailFlags, HOLDING, smsFlags, useContactActivities, type ContactEdit } from './contact-sim';

const t = useContactActivities();
const OWN = { address: 'own@example.org', preferred: true };
const MOBILE = { address: '+44 20 7946 0000', sms: true };

describe('restoreContact', () => {
  it('staff corrected the original address during the relink: holding address gone, not verified, a note for staff', async () => {
    const { plan } = await t.swapped('rc.corrected', [OWN, { address: 'work@example.org', type: 'work' }], [MOBILE]);
    await t.staffEdit('rc.corrected', (c) => (c.email[0].email_address = 'own.fixed@example.org'));

    const first = await t.restore('rc.corrected', plan);
    expect(first).toMatchObject({ written: true, verified: false });
    expect(first.attention).toContain(
      "The patron's original preferred email (type personal) is no longer on the record; 2 emails now, none preferred",
    );
    expect(first.attention).not.toMatch(/@|7946/);
    const after = await t.user('rc.corrected');
    expect(emailFlags(after)).toEqual([
      ['own.fixed@example.org', false],
      ['work@example.org', false],
    ]);
    expect(smsFlags(after)).toEqual([['+44 20 7946 0000', true]]);

    // A second attempt (a retry, a replay) reads the record again and still does not call it verified.
    const second = await t.restore('rc.corrected', plan);
    expect(second).toEqual({ written: false, verified: false, attention: first.attention });
  });

  it("staff deleted the holding entry: SMS comes back on, verified by the PUT's answer without a read-back", async () => {
    const { before, plan } = await t.swapped('rc.deleted', [OWN], [MOBILE]);
    await t.staffEdit('rc.deleted', (c) => c.email.splice(1, 1));
    const from = t.ctx.sim.calls().length;

    expect(await t.restore('rc.deleted', plan)).toEqual({ written: true, verified: true });
    // The PUT answers the record as Alma stored it: a read right after it would say the same, for one more call.
    expect(t.callsSince(from)).toEqual(['GET /almaws/v1/users/rc.deleted', 'PUT /almaws/v1/users/rc.deleted']);
    expect(await t.user('rc.deleted')).toEqual(before);
  });

  it('finds the SMS phone whose number Alma wrote back in another format', async () => {
    const { plan } = await t.swapped('rc.reformat', [OWN], [MOBILE, { address: '+44 20 7946 0001', type: 'home' }]);
    await t.staffEdit('rc.reformat', (c) => (c.phone[0].phone_number = '+442079460000'));

    expect(await t.restore('rc.reformat', plan)).toEqual({ written: true, verified: true });
    expect(smsFlags(await t.user('rc.reformat'))).toEqual([
      ['+442079460000', true],
      ['+44 20 7946 0001', false],
    ]);
  });

  it('makes the right one of two emails with the same address in different case preferred again', async () => {
    const emails = [
      { address: 'ana@example.org', type: 'work', segment: 'Internal' },
      { ...OWN, address: 'Ana@Example.org' },
    ];
    const { before, plan } = await t.swapped('rc.case', emails);

    expect(await t.restore('rc.case', plan)).toEqual({ written: true, verified: true });
    expect(await t.user('rc.case')).toEqual(before);
  });

  it('restores from a plan an older relink recorded (only the address texts)', async () => {
    const { before, plan } = await t.swapped('rc.oldplan', [{ address: 'a@example.org' }, OWN], [MOBILE]);
    const { originalPreferredEmail, originalSmsPhones, marker, holdingEmail } = plan;
    const oldPlan: ContactPlan = { originalPreferredEmail, originalSmsPhones, marker, holdingEmail };

    expect(await t.restore('rc.oldplan', oldPlan)).toEqual({ written: true, verified: true });
    expect(await t.user('rc.oldplan')).toEqual(before);
  });

  it('a PUT whose answer does not show the restore: not verified, retried; the retry writes again and checks', async () => {
    const { before, plan } = await t.swapped('rc.retry', [OWN, { address: 'old@example.org', type: 'work' }], [MOBILE]);
    // A SIS load lands with the first attempt's write, with the patron's old preferences: Alma answers the PUT with
    // the record it holds then, which does not show the restore.
    const sisLoad: ContactEdit = (c) => {
      c.email[0].preferred = false;
      c.email[1].preferred = true;
      c.phone[0].preferred_sms = false;
    };
    const alma = t.alma();
    const racing = {
      getUser: (id: string) => alma.getUser(id),
      async updateUser(id: string, user: AlmaUser) {
        await alma.updateUser(id, user);
        await t.staffEdit(id, sisLoad);
        return alma.getUser(id);
      },
    } as AlmaClient;
    await expect(t.restore('rc.retry', plan, racing)).rejects.toMatchObject({
      type: 'RestoreFailed',
      message: expect.stringContaining('the record Alma answered does not show the original email and SMS settings'),
    });
    expect(emailFlags(await t.user('rc.retry'))).toEqual([
      ['own@example.org', false],
      ['old@example.org', true],
    ]);

    expect(await t.restore('rc.retry', plan)).toEqual({ written: true, verified: true });
    expect(await t.user('rc.retry')).toEqual(before);

    // Nothing left to do: one read shows it, nothing is written.
    const from = t.ctx.sim.calls().length;
    expect(await t.restore('rc.retry', plan)).toEqual({ written: false, verified: true });
    expect(t.callsSince(from)).toEqual(['GET /almaws/v1/users/rc.retry']);
  });

  it('leaves no holding address behind even when the original email and the SMS phone are both gone', async () => {
    const { plan } = await t.swapped('rc.gone', [OWN, { address: 'work@example.org', type: 'work' }], [MOBILE]);
    await t.staffEdit('rc.gone', (c) => {
      c.email.splice(0, 1);
      c.phone.splice(0, 1);
    });

    const result = await t.restore('rc.gone', plan);
    expect(result).toMatchObject({ written: true, verified: false });
    expect(result.attention).toContain('1 email now, none preferred');
    expect(result.attention).toContain("The patron's original SMS phone (type mobile) is no longer on the record");
    const after = await t.user('rc.gone');
    expect(after.contact_info!.email!.some((e) => e.email_address === HOLDING)).toBe(false);
  });

  it('a late restore (relink sweep --fix) of an earlier run leaves a record a new run has swapped: nothing written', async () => {
    const { plan } = await t.swapped('rc.late', [OWN], [MOBILE]);
    const swapped = await t.user('rc.late');
    const earlier: ContactPlan = { ...plan, marker: markerFor('relink-rc.late', 'aaaaaaaa') };
    const from = t.ctx.sim.calls().length;
    const late = await createRestoreContact({ alma: t.alma() })({ patronId: 'rc.late', plan: earlier, late: true });
    expect(late).toMatchObject({ written: false, verified: false });
    expect(late.attention).toMatch(
      /^Not restored: the record of patron rc\.late carries the holding entry of relink-rc\.late,/,
    );
    expect(t.callsSince(from)).toEqual(['GET /almaws/v1/users/rc.late']);
    expect(await t.user('rc.late')).toEqual(swapped);
    // The run's own restore, and a relink's own, still restore it.
    expect(await t.restore('rc.late', plan)).toEqual({ written: true, verified: true });
  });

  it('a swap never applied: writes nothing, even on a record staff changed since the plan, and says so', async () => {
    const { plan } = await t.swapped('rc.never', [OWN, { address: 'work@example.org', type: 'work' }], [MOBILE]);
    await t.restore('rc.never', plan); // back to the record as planned: as if the swap had never been sent
    await t.staffEdit('rc.never', (c) => {
      c.email[0].preferred = false;
      c.email[1].preferred = true;
    });
    const edited = await t.user('rc.never');
    const from = t.ctx.sim.calls().length;

    expect(await t.restore('rc.never', plan, undefined, false)).toEqual({
      written: false,
      verified: false,
      neverChanged: true,
    });
    expect(t.callsSince(from)).toEqual(['GET /almaws/v1/users/rc.never']);
    expect(await t.user('rc.never')).toEqual(edited);
  });

  it('a swap Alma applied late, after it was never confirmed: the holding entry is found and restored', async () => {
    const { before, plan } = await t.swapped('rc.applied-late', [OWN], [MOBILE]);
    expect(await t.restore('rc.applied-late', plan, undefined, false)).toEqual({ written: true, verified: true });
    expect(await t.user('rc.applied-late')).toEqual(before);
  });
});
