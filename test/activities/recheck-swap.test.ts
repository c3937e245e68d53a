// The swap re-check against the simulator: whatever undid the swap between it and a letter (a SIS load, a staff
// edit), the letter still goes to the holding address, and the restore still puts back what the plan recorded.
import { LETTERS } from '../../src/alma-sim';
import { item as itemRecord } from '../../src/alma-sim/builders';
import { email, emailFlags, HOLDING, smsFlags, useContactActivities } from './contact-sim';

const t = useContactActivities();
const OWN = { address: 'own@example.org', preferred: true };
const MOBILE = { address: '+44 20 7946 0000', sms: true };

describe('recheckSwap', () => {
  it('reads once and writes nothing while the swap holds', async () => {
    const { plan } = await t.swapped('rs.holds', [OWN], [MOBILE]);
    const from = t.ctx.sim.calls().length;

    expect(await t.recheck('rs.holds', plan)).toEqual({ reswapped: false });
    expect(t.callsSince(from)).toEqual(['GET /almaws/v1/users/rs.holds']);
  });

  it('a SIS load flips the preferred flags between the swap and the loan: swapped again, the loan receipt goes to the holding address', async () => {
    const item = itemRecord('39000000077', { processType: '' });
    const { before, plan } = await t.swapped('rs.sis', [OWN], [MOBILE], [item]);
    // The SIS load re-adds the external email and phone as the SIS file has them: preferred, SMS on.
    await t.staffEdit('rs.sis', (c) => {
      c.email[0].preferred = true;
      c.phone[0].preferred_sms = true;
    });

    const result = await t.recheck('rs.sis', plan);
    expect(result).toEqual({
      reswapped: true,
      what:
        '1 other email (type personal) had been made preferred; SMS was switched back on for 1 phone; ' +
        'the holding address is the only preferred email again and SMS is off.',
    });
    expect(await t.recheck('rs.sis', plan)).toEqual({ reswapped: false });

    const at = { library: 'MAIN', circDesk: 'DEFAULT_CIRC_DESK' };
    await t.alma().createLoan('rs.sis', { barcode: '39000000077' }, at);
    const letters = t.ctx.sim.notices().filter((n) => n.user_id === 'rs.sis');
    expect(letters.map((n) => [n.letter, n.channel, n.address])).toEqual([[LETTERS.loanReceipt, 'email', HOLDING]]);

    expect(await t.restore('rs.sis', plan)).toEqual({ written: true, verified: true });
    expect(await t.user('rs.sis')).toEqual(before);
  });

  it('staff deleted the holding entry: the recheck adds it again, and the restore later switches SMS back on', async () => {
    const { before, plan } = await t.swapped('rs.deleted', [OWN], [MOBILE]);
    await t.staffEdit('rs.deleted', (c) => c.email.splice(1, 1));

    const result = await t.recheck('rs.deleted', plan);
    expect(result.reswapped).toBe(true);
    expect(result.what).toMatch(/^The holding address was removed from the record; /);
    const now = await t.user('rs.deleted');
    expect(emailFlags(now)).toEqual([
      ['own@example.org', false],
      [HOLDING, true],
    ]);
    expect(smsFlags(now)).toEqual([['+44 20 7946 0000', false]]);

    expect(await t.restore('rs.deleted', plan)).toEqual({ written: true, verified: true });
    expect(await t.user('rs.deleted')).toEqual(before);
  });

  it('staff made another address preferred: swapped again, kept, and never taken for the original', async () => {
    const { plan } = await t.swapped('rs.other', [OWN], [MOBILE]);
    await t.staffEdit('rs.other', (c) => {
      c.email.forEach((e) => (e.preferred = false));
      c.email.push(email({ address: 'new@example.org', preferred: true, type: 'work', segment: 'Internal' }));
    });

    const result = await t.recheck('rs.other', plan);
    expect(result).toEqual({
      reswapped: true,
      what:
        'The holding address was no longer preferred; 1 other email (type work) had been made preferred; ' +
        'the holding address is the only preferred email again and SMS is off.',
    });

    expect(await t.restore('rs.other', plan)).toEqual({ written: true, verified: true });
    expect(emailFlags(await t.user('rs.other'))).toEqual([
      ['own@example.org', true],
      ['new@example.org', false],
    ]);
  });
});
