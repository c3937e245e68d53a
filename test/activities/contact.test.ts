// The contact swap and restore on Alma user records, as pure functions: the heart of the guarantee.
import type { AlmaUser } from '../../src/alma';
import {
  applyRestore,
  applySwap,
  hasAnyRelinkEntry,
  isRestored,
  isSwapped,
  planFrom,
} from '../../src/activities/contact';
import { markerFor } from '../../src/contract';

const HOLDING = 'holding@library.example.edu';
const marker = markerFor('relink-p1');

function user(emails: Array<[string, boolean]>, phones: Array<[string, boolean]> = []): AlmaUser {
  return {
    primary_id: 'p1',
    status: { value: 'ACTIVE' },
    contact_info: {
      address: [{ line1: 'Kept', preferred: true }],
      email: emails.map(([email_address, preferred]) => ({
        email_address,
        preferred,
        description: null,
        segment_type: 'External',
        email_type: [{ value: 'personal' }],
      })),
      phone: phones.map(([phone_number, preferred_sms]) => ({
        phone_number,
        preferred: true,
        preferred_sms,
        segment_type: 'External',
        phone_type: [{ value: 'mobile' }],
      })),
    },
    user_note: [{ note_text: 'kept' }],
  } as unknown as AlmaUser;
}

describe('the contact swap', () => {
  it('makes the holding address the only preferred email and switches SMS off, keeping every original entry', () => {
    const before = user(
      [
        ['a@x.org', false],
        ['b@x.org', true],
      ],
      [
        ['+1 555', true],
        ['+1 556', false],
      ],
    );
    const plan = planFrom(before, HOLDING, marker);
    expect(plan).toEqual({
      originalPreferredEmail: 'b@x.org',
      originalSmsPhones: ['+1 555'],
      marker,
      holdingEmail: HOLDING,
    });
    const swapped = applySwap(before, plan, 'relink-p1');
    expect(isSwapped(swapped, plan)).toBe(true);
    const emails = swapped.contact_info!.email!;
    expect(emails.map((e) => [e.email_address, e.preferred])).toEqual([
      ['a@x.org', false],
      ['b@x.org', false],
      [HOLDING, true],
    ]);
    expect(emails[2]).toMatchObject({ segment_type: 'Internal', description: expect.stringContaining(marker) });
    expect(swapped.contact_info!.phone!.map((p) => p.preferred_sms)).toEqual([false, false]);
    expect((swapped as any).user_note).toEqual([{ note_text: 'kept' }]);
    expect((swapped.contact_info as any).address).toEqual([{ line1: 'Kept', preferred: true }]);
  });

  it('restores the record exactly, whatever order the swap and a retried swap left it in', () => {
    const before = user(
      [
        ['a@x.org', false],
        ['b@x.org', true],
      ],
      [['+1 555', true]],
    );
    const plan = planFrom(before, HOLDING, marker);
    const twice = applySwap(applySwap(before, plan, 'relink-p1'), plan, 'relink-p1');
    expect(twice.contact_info!.email!.filter((e) => e.email_address === HOLDING)).toHaveLength(1);
    const restored = applyRestore(twice, plan);
    expect(restored).toEqual(before);
    expect(isRestored(restored, plan)).toBe(true);
    expect(isRestored(twice, plan)).toBe(false);
  });

  it('relinks a patron with no email and no SMS phone and restores them to none', () => {
    const before = user([]);
    const plan = planFrom(before, HOLDING, marker);
    expect(plan.originalPreferredEmail).toBeNull();
    const swapped = applySwap(before, plan, 'relink-p1');
    expect(isSwapped(swapped, plan)).toBe(true);
    expect(applyRestore(swapped, plan)).toEqual(before);
  });

  it('restores a patron who had emails but none preferred to exactly that', () => {
    const before = user([['a@x.org', false]]);
    const plan = planFrom(before, HOLDING, marker);
    expect(applyRestore(applySwap(before, plan, 'relink-p1'), plan)).toEqual(before);
  });

  it('repairs a preference a sync flipped back during the window', () => {
    const before = user([['b@x.org', true]]);
    const plan = planFrom(before, HOLDING, marker);
    const swapped = applySwap(before, plan, 'relink-p1');
    swapped.contact_info!.email![0]!.preferred = true; // e.g. a SIS load re-marked the external email preferred
    expect(isSwapped(swapped, plan)).toBe(false);
    expect(applyRestore(swapped, plan)).toEqual(before);
  });

  it('recognises a holding address left by any relink, so it is never recorded as the original', () => {
    const left = applySwap(
      user([['b@x.org', true]]),
      planFrom(user([['b@x.org', true]]), HOLDING, markerFor('relink-other')),
      'relink-other',
    );
    expect(hasAnyRelinkEntry(left)).toBe(true);
    expect(hasAnyRelinkEntry(user([['b@x.org', true]]))).toBe(false);
  });
});
