// The sweep's activities against the simulator, without Temporal: the search reports ids only and counts a patron on
// their own record; the marker-only restore removes the marked entry, guesses nothing it cannot know, and says so.
import { createFindHoldingAddresses } from '../../src/activities/find-holding-addresses';
import { createRestoreFromMarker } from '../../src/activities/restore-from-marker';
import { markerFor } from '../../src/contract';
import { emailFlags, HOLDING, smsFlags, useContactActivities } from './contact-sim';

const t = useContactActivities();
const marker = (patronId: string) => markerFor(`relink-${patronId}`);
const restore = (patronId: string) =>
  createRestoreFromMarker({ alma: t.alma() })({ patronId, marker: marker(patronId) });
const OWN = { address: 'own@example.org', preferred: true };
const MOBILE = { address: '+44 20 7946 0000', sms: true };

describe('findHoldingAddresses', () => {
  it('names the patron and the relink of the marker, and no address', async () => {
    await t.swapped('sf.one', [OWN], [MOBILE]);
    const found = await createFindHoldingAddresses({ alma: t.alma() })({ holdingEmail: HOLDING });
    expect(found).toEqual([{ patronId: 'sf.one', workflowIds: ['relink-sf.one'], markers: [marker('sf.one')] }]);
    // The run's marker whole, so the sweep restores by that run's plan.
    const run = markerFor('relink-sf.one', '0a1b2c3d');
    await t.staffEdit('sf.one', (c) => (c.email[1].description = `${run} Temporary holding address`));
    expect(await createFindHoldingAddresses({ alma: t.alma() })({ holdingEmail: HOLDING })).toEqual([
      { patronId: 'sf.one', workflowIds: ['relink-sf.one'], markers: [run] },
    ]);
    await t.staffEdit('sf.one', (c) => (c.email[1].description = 'typed over by staff'));
    expect(await createFindHoldingAddresses({ alma: t.alma() })({ holdingEmail: HOLDING })).toEqual([
      { patronId: 'sf.one', workflowIds: [], markers: [] },
    ]);
  });
});

describe('restoreFromMarker', () => {
  it('one other email: made preferred again; SMS left off; a note for staff, without an address or number', async () => {
    await t.swapped('rm.one', [OWN], [MOBILE]);
    const first = await restore('rm.one');
    expect(first.written).toBe(true);
    expect(first.attention).toMatch(/one email \(type personal\) is preferred again; check it is the one they want/);
    expect(first.attention).toMatch(/SMS is unknown: .* 1 phone now, SMS on none/);
    expect(first.attention).not.toMatch(/@|7946/);
    const after = await t.user('rm.one');
    expect(emailFlags(after)).toEqual([['own@example.org', true]]);
    expect(smsFlags(after)).toEqual([['+44 20 7946 0000', false]]);
    // A retry finds nothing marked: nothing written, the same note.
    expect(await restore('rm.one')).toEqual({ written: false, attention: first.attention });
  });

  it('several emails and none preferred: none chosen; no other email: none to prefer', async () => {
    await t.swapped('rm.two', [OWN, { address: 'work@example.org', type: 'work' }]);
    const two = await restore('rm.two');
    expect(two.attention).toMatch(/2 emails remain \(types personal, work\) and none is preferred: choose/);
    expect(two.attention).toMatch(/The record has no phone: no SMS to check\./);
    expect(emailFlags(await t.user('rm.two'))).toEqual([
      ['own@example.org', false],
      ['work@example.org', false],
    ]);

    await t.swapped('rm.none', []);
    expect((await restore('rm.none')).attention).toMatch(/The record has no email left, so none is preferred/);
    expect(emailFlags(await t.user('rm.none'))).toEqual([]);
  });

  it('an email staff made preferred meanwhile is left as it is', async () => {
    await t.swapped('rm.staff', [OWN, { address: 'work@example.org', type: 'work' }]);
    await t.staffEdit('rm.staff', (c) => (c.email[1].preferred = true));
    const result = await restore('rm.staff');
    expect(result.attention).toMatch(/1 email of 2 preferred \(type work\), as the record showed/);
    expect(emailFlags(await t.user('rm.staff'))).toEqual([
      ['own@example.org', false],
      ['work@example.org', true],
    ]);
  });

  it("leaves a record a new run of the relink has swapped since: that run's entry is not the one to remove", async () => {
    await t.swapped('rm.new', [OWN], [MOBILE]);
    const swapped = await t.user('rm.new');
    const earlier = markerFor('relink-rm.new', 'aaaaaaaa');
    const result = await createRestoreFromMarker({ alma: t.alma() })({ patronId: 'rm.new', marker: earlier });
    expect(result.written).toBe(false);
    expect(result.attention).toMatch(/^Not restored: .* carries the holding entry of relink-rm\.new, which swapped it/);
    expect(await t.user('rm.new')).toEqual(swapped);
  });
});
