// The contact swap and restore on Alma user records, as pure functions: the heart of the guarantee.
import type { AlmaUser } from '../../src/alma';
import {
  applyRestore,
  applySwap,
  hasAnyRelinkEntry,
  isHoldingEntry,
  isRestored,
  isSwapped,
  otherRelinksOn,
  neverChanged,
  planFrom,
  planRefusal,
  planStillHolds,
  restoreAttention,
  restoreCheck,
  swapDrift,
} from '../../src/activities/contact';
import { markerFor, type ContactPlan } from '../../src/contract';
import { contactInfo, email, emailFlags, smsFlags, type Contact } from './contact-sim';

const HOLDING = 'holding@library.example.edu';
const marker = markerFor('relink-p1');

/** A SIS-loaded patron (personal emails, mobile phones, External) with an address and a note the relink must keep. */
function user(emails: Array<[string, boolean]>, phones: Array<[string, boolean]> = []): AlmaUser {
  const contact = contactInfo(
    emails.map(([address, preferred]) => ({ address, preferred })),
    phones.map(([address, sms]) => ({ address, sms })),
  );
  return {
    primary_id: 'p1',
    status: { value: 'ACTIVE' },
    contact_info: { ...contact, address: [{ line1: 'Kept', preferred: true }] },
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
      preferredEmailEntry: { address: 'b@x.org', type: 'personal', segment: 'External', position: 1 },
      smsPhoneEntries: [{ address: '+1 555', type: 'mobile', segment: 'External', position: 0 }],
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

/** A patron with emails and phones of given types and segments (personal/mobile, External by default). */
const record = (emails: Contact[], phones: Contact[] = []): AlmaUser =>
  ({ primary_id: 'p1', contact_info: contactInfo(emails, phones) }) as unknown as AlmaUser;

const MOBILE: Contact = { address: '+44 20 7946 0000' };
const MOBILE_SMS: Contact = { ...MOBILE, sms: true };

/** What staff do in Alma while the relink waits: edit the record in place. */
function staffEdit(u: AlmaUser, edit: (contact: { email: any[]; phone: any[] }) => void): AlmaUser {
  const copy = structuredClone(u);
  edit(copy.contact_info as { email: any[]; phone: any[] });
  return copy;
}
const swappedWith = (before: AlmaUser, plan: ContactPlan) => applySwap(before, plan, 'relink-p1');

describe('the restore, on a record staff changed during the relink', () => {
  const patronBefore = () =>
    record([{ address: 'b@x.org', preferred: true }], [{ address: '+44 20 7946 0000', sms: true }]);

  it('does not take a corrected address for the original: the holding entry goes, no email is made preferred, staff are told', () => {
    const before = patronBefore();
    const plan = planFrom(before, HOLDING, marker);
    const corrected = staffEdit(swappedWith(before, plan), (c) => (c.email[0].email_address = 'b.fixed@x.org'));
    const restored = applyRestore(corrected, plan);
    expect(emailFlags(restored)).toEqual([['b.fixed@x.org', false]]);
    expect(smsFlags(restored)).toEqual([['+44 20 7946 0000', true]]);
    const check = restoreCheck(restored, plan);
    expect(check).toEqual({ done: true, gaps: [{ kind: 'email', type: 'personal' }] });
    expect(isRestored(restored, plan)).toBe(false);
    const text = restoreAttention(restored, check.gaps, 'p1');
    expect(text).toContain(
      "The patron's original preferred email (type personal) is no longer on the record; 1 email now, none preferred",
    );
    expect(text).not.toMatch(/@|\d{3}/);
  });

  it('switches SMS back on when staff deleted the holding entry', () => {
    const before = patronBefore();
    const plan = planFrom(before, HOLDING, marker);
    const deleted = staffEdit(swappedWith(before, plan), (c) => c.email.pop());
    expect(restoreCheck(deleted, plan).done).toBe(false);
    expect(applyRestore(deleted, plan)).toEqual(before);
  });

  it('finds an SMS phone whose number Alma wrote back in another format', () => {
    const before = patronBefore();
    const plan = planFrom(before, HOLDING, marker);
    const reformatted = staffEdit(swappedWith(before, plan), (c) => (c.phone[0].phone_number = '+442079460000'));
    const restored = applyRestore(reformatted, plan);
    expect(smsFlags(restored)).toEqual([['+442079460000', true]]);
    expect(isRestored(restored, plan)).toBe(true);
  });

  it('tells apart two emails with the same address in different case', () => {
    const before = record([
      { address: 'ana@x.org', type: 'work', segment: 'Internal' },
      { address: 'Ana@X.org', preferred: true },
    ]);
    const plan = planFrom(before, HOLDING, marker);
    const restored = applyRestore(swappedWith(before, plan), plan);
    expect(emailFlags(restored)).toEqual([
      ['ana@x.org', false],
      ['Ana@X.org', true],
    ]);
    expect(isRestored(restored, plan)).toBe(true);
  });

  it('tells apart identical entries by their type, segment and position', () => {
    const before = record(
      [{ address: 'a@x.org' }, { address: 'a@x.org', preferred: true }, { address: 'a@x.org', type: 'work' }],
      [{ address: '555 0100', type: 'home' }, { address: '555 0100', sms: true }, { address: '555 0100' }],
    );
    const plan = planFrom(before, HOLDING, marker);
    expect(applyRestore(swappedWith(before, plan), plan)).toEqual(before);
    const wrong = staffEdit(before, (c) => {
      c.email[1].preferred = false;
      c.email[0].preferred = true;
    });
    expect(isRestored(wrong, plan)).toBe(false);
  });

  it('keeps what staff added, removed or edited during the relink; only the flags the swap changed go back', () => {
    const before = record(
      [{ address: 'a@x.org' }, { address: 'b@x.org', preferred: true }],
      [{ address: '+1 555 0100', sms: true }, { address: '+1 555 0101' }],
    );
    const plan = planFrom(before, HOLDING, marker);
    const edited = staffEdit(swappedWith(before, plan), (c) => {
      c.email.splice(0, 1); // a@x.org removed
      c.email.push(email({ address: 'c@x.org', type: 'work', segment: 'Internal' }));
      c.phone[1].phone_number = '+1 555 0102'; // edited, and SMS switched on for it by staff
      c.phone[1].preferred_sms = true;
    });
    const restored = applyRestore(edited, plan);
    expect(emailFlags(restored)).toEqual([
      ['b@x.org', true],
      ['c@x.org', false],
    ]);
    expect(smsFlags(restored)).toEqual([
      ['+1 555 0100', true],
      ['+1 555 0102', true],
    ]);
    expect(isRestored(restored, plan)).toBe(true);
  });

  it('puts the original back as preferred, not an address staff made preferred during the relink', () => {
    const before = record([{ address: 'b@x.org', preferred: true }]);
    const plan = planFrom(before, HOLDING, marker);
    const staffPreferred = staffEdit(swappedWith(before, plan), (c) => {
      c.email.forEach((e) => (e.preferred = false));
      c.email.push(email({ address: 'd@x.org', preferred: true, type: 'work', segment: 'Internal' }));
    });
    expect(emailFlags(applyRestore(staffPreferred, plan))).toEqual([
      ['b@x.org', true],
      ['d@x.org', false],
    ]);
  });

  it('restores from a plan an older relink recorded (address text only), reformatted phone included', () => {
    const before = record(
      [{ address: 'a@x.org' }, { address: 'B@x.org', preferred: true }],
      [{ address: '+44 20 7946 0000', sms: true }],
    );
    const { originalPreferredEmail, originalSmsPhones } = planFrom(before, HOLDING, marker);
    const oldPlan: ContactPlan = { originalPreferredEmail, originalSmsPhones, marker, holdingEmail: HOLDING };
    const swapped = swappedWith(before, oldPlan);
    expect(isSwapped(swapped, oldPlan)).toBe(true);
    expect(applyRestore(swapped, oldPlan)).toEqual(before);
    const reformatted = staffEdit(swapped, (c) => (c.phone[0].phone_number = '00442079460000'));
    expect(isRestored(applyRestore(reformatted, oldPlan), oldPlan)).toBe(true);
    expect(planStillHolds(before, oldPlan)).toBe(true);
  });

  it('sees that a different entry with the same address is preferred now: the plan no longer holds', () => {
    const before = record([
      { address: 'a@x.org', type: 'work' },
      { address: 'a@x.org', preferred: true },
    ]);
    const plan = planFrom(before, HOLDING, marker);
    expect(planStillHolds(before, plan)).toBe(true);
    const other = staffEdit(before, (c) => {
      c.email[0].preferred = true;
      c.email[1].preferred = false;
    });
    expect(planStillHolds(other, plan)).toBe(false);
  });
});

describe('the swap re-check', () => {
  const before = () =>
    record(
      [{ address: 'b@x.org', preferred: true }],
      [{ address: '+1 555 0100', sms: true }, { address: '+1 555 0101' }],
    );

  it('finds nothing to do while the holding address is the one preferred email and no phone takes SMS', () => {
    const plan = planFrom(before(), HOLDING, marker);
    expect(swapDrift(swappedWith(before(), plan), plan)).toEqual([]);
  });

  it('names what a SIS load undid, without an address or number, and the swap again keeps the recorded plan', () => {
    const plan = planFrom(before(), HOLDING, marker);
    const synced = staffEdit(swappedWith(before(), plan), (c) => {
      c.email[0].preferred = true; // the external email re-added as preferred
      c.phone[0].preferred_sms = true;
    });
    const drift = swapDrift(synced, plan);
    expect(drift).toEqual([
      '1 other email (type personal) had been made preferred',
      'SMS was switched back on for 1 phone',
    ]);
    expect(drift.join(' ')).not.toMatch(/@|555/);
    const again = applySwap(synced, plan, 'relink-p1');
    expect(isSwapped(again, plan)).toBe(true);
    expect(applyRestore(again, plan)).toEqual(before());
  });

  it('sees a holding entry staff deleted or made not preferred', () => {
    const plan = planFrom(before(), HOLDING, marker);
    const swapped = swappedWith(before(), plan);
    expect(
      swapDrift(
        staffEdit(swapped, (c) => c.email.pop()),
        plan,
      ),
    ).toEqual(['the holding address was removed from the record']);
    expect(
      swapDrift(
        staffEdit(swapped, (c) => (c.email[1].preferred = false)),
        plan,
      ),
    ).toEqual(['the holding address was no longer preferred']);
  });
});

describe('recognising the holding entry when Alma trims or rewrites its description', () => {
  const ref = { marker, holdingEmail: HOLDING };
  const full = `${marker} Temporary holding address added by relink-p1 so relink notices do not reach the patron`;
  const entry = (description: string | null, address = HOLDING) =>
    ({ email_address: address, description, preferred: true, email_type: [{ value: 'work' }] }) as never;

  it.each([0, 1, 5, 13, 20, marker.length - 1, marker.length, 60, full.length])(
    'finds it by its address with the description cut to %i characters',
    (n) => expect(isHoldingEntry(entry(full.slice(0, n)), ref)).toBe(true),
  );

  it('finds it by its address when the description was emptied or rewritten', () => {
    expect(isHoldingEntry(entry(null), ref)).toBe(true);
    expect(isHoldingEntry(entry('Library notices address'), ref)).toBe(true);
  });

  it("does not take another relink's entry, whole or cut, nor another address, for this relink's", () => {
    const other = markerFor('relink-p2');
    expect(isHoldingEntry(entry(`${other} Temporary holding address`), ref)).toBe(false);
    expect(isHoldingEntry(entry(other.slice(0, -1)), ref)).toBe(false);
    expect(isHoldingEntry(entry(other.slice(0, -3)), ref)).toBe(true); // "[alma-relink:relink-" could be ours: removed
    expect(isHoldingEntry(entry(full, 'someone@x.org'), ref)).toBe(true); // the marker still names it
    expect(isHoldingEntry(entry('Temporary holding address', 'someone@x.org'), ref)).toBe(false);
  });

  it('goes by the marker alone when the holding address is not known (relink sweep without a history)', () => {
    expect(isHoldingEntry(entry(full), { marker })).toBe(true);
    expect(isHoldingEntry(entry(full.slice(0, 20)), { marker })).toBe(false);
  });

  it('restores a record whose holding entry lost its marker: the entry goes, the original is preferred again', () => {
    const before = user([['own@x.org', true]]);
    const plan = planFrom(before, HOLDING, marker);
    const swapped = applySwap(before, plan, 'relink-p1');
    const trimmed = structuredClone(swapped);
    trimmed.contact_info!.email!.find((e) => e.email_address === HOLDING)!.description = full.slice(0, 12);
    expect(isSwapped(trimmed, plan)).toBe(true);
    expect(restoreCheck(trimmed, plan).done).toBe(false);
    expect(isRestored(applyRestore(trimmed, plan), plan)).toBe(true);
    expect(emailFlags(applyRestore(trimmed, plan))).toEqual(emailFlags(before));
  });
});

describe('two runs of the same relink id (a terminated relink, then a new one for the patron)', () => {
  const runA = markerFor('relink-p1', 'aaaaaaaa');
  const runB = markerFor('relink-p1', 'bbbbbbbb');
  const entry = (description: string | null) =>
    ({ email_address: HOLDING, description, preferred: true, email_type: [{ value: 'work' }] }) as never;

  it("never takes another run's entry, whole or cut past the relink id, for its own; an old marker neither", () => {
    const full = `${runB} Temporary holding address added by relink-p1`;
    for (const ref of [{ marker: runA, holdingEmail: HOLDING }, { marker: runA }, { marker, holdingEmail: HOLDING }]) {
      expect(isHoldingEntry(entry(full), ref)).toBe(false);
      expect(isHoldingEntry(entry(runB.slice(0, -3)), ref)).toBe(false); // "[alma-relink:relink-p1:bbbbb"
    }
    expect(isHoldingEntry(entry(full), { marker: runB })).toBe(true);
    // An old run's marker is not a new run's either.
    expect(isHoldingEntry(entry(`${marker} Temporary`), { marker: runB, holdingEmail: HOLDING })).toBe(false);
  });

  it('takes a cut inside the relink id for its own: the runs cannot be told apart there', () => {
    expect(isHoldingEntry(entry('[alma-relink:relink-p1'), { marker: runA, holdingEmail: HOLDING })).toBe(true);
  });

  it("leaves a record a new run has swapped to that run: the earlier run's restore does not touch it", () => {
    const before = user([['own@x.org', true]], [['+1 555 0100', true]]);
    const planA = planFrom(before, HOLDING, runA);
    const swappedByB = applySwap(before, planFrom(before, HOLDING, runB), 'relink-p1');
    expect(isSwapped(swappedByB, planA)).toBe(false); // not A's swap
    expect(otherRelinksOn(swappedByB, runA)).toEqual(['relink-p1 (run bbbbbbbb)']);
    expect(otherRelinksOn(swappedByB, runB)).toEqual([]);
    expect(otherRelinksOn(before, runA)).toEqual([]);
  });
});

describe('a record the plan cannot honour, or can', () => {
  it('refuses two preferred emails before any write, in staff words naming the types and no address', () => {
    const two = record([
      { address: 'a@x.org', preferred: true },
      { address: 'b@x.org', preferred: true, type: 'work', segment: 'Internal' },
      { address: 'c@x.org' },
    ]);
    const text = planRefusal(two, 'p1');
    expect(text).toBe(
      "Patron p1's record has 2 preferred emails (types personal, work); leave one of them preferred " +
        'in Alma: Manage Users, patron p1, Contact Information tab, then start the relink again.',
    );
    expect(text).not.toMatch(/@/);
    // Why: the plan names one preferred entry, and its restore would clear the other's flag.
    const plan = planFrom(two, HOLDING, marker);
    expect(emailFlags(applyRestore(two, plan))).not.toEqual(emailFlags(two));
  });

  it.each([
    ['one preferred email', [{ address: 'a@x.org', preferred: true }, { address: 'b@x.org' }]],
    ['emails, none preferred', [{ address: 'a@x.org' }]],
    ['no email at all', []],
  ])('plans a record with %s', (_, emails) => expect(planRefusal(record(emails), 'p1')).toBeUndefined());

  it.each<[string, Contact[], Contact[]]>([
    [
      'the same address twice, identical but for the preferred flag',
      [{ address: 'a@x.org' }, { address: 'a@x.org', preferred: true }],
      [],
    ],
    ['an SMS phone twice, both taking SMS', [{ address: 'b@x.org', preferred: true }], [MOBILE_SMS, MOBILE_SMS]],
    ['an SMS number twice, one taking SMS', [{ address: 'b@x.org', preferred: true }], [MOBILE, MOBILE_SMS]],
    ['no email at all, an SMS phone', [], [MOBILE_SMS]],
  ])('relinks and restores exactly a record with %s', (_, emails, phones) => {
    const before = record(emails, phones);
    expect(planRefusal(before, 'p1')).toBeUndefined();
    const plan = planFrom(before, HOLDING, marker);
    expect(planStillHolds(before, plan)).toBe(true); // the swap is not refused as "changed since read"
    const swapped = swappedWith(before, plan);
    expect(isSwapped(swapped, plan)).toBe(true);
    expect(applyRestore(swapped, plan)).toEqual(before);
    expect(isRestored(applyRestore(swapped, plan), plan)).toBe(true);
  });

  it('gives back each entry field by field: an email without a preferred flag comes back without one', () => {
    const before = record([{ address: 'a@x.org' }, { address: 'b@x.org', preferred: true }]);
    delete before.contact_info!.email![0]!.preferred;
    const plan = planFrom(before, HOLDING, marker);
    expect(applyRestore(swappedWith(before, plan), plan)).toEqual(before);
  });
});

describe('the restore of a relink whose swap was never applied', () => {
  const before = () => record([{ address: 'b@x.org', preferred: true }], [MOBILE_SMS]);

  it('leaves alone a record without the holding entry, as planned or as staff changed it since', () => {
    const plan = planFrom(before(), HOLDING, marker);
    expect(neverChanged(before(), plan, false)).toBe(true);
    const staffChanged = staffEdit(before(), (c) => {
      c.email[0].preferred = false;
      c.phone[0].preferred_sms = false;
    });
    expect(neverChanged(staffChanged, plan, false)).toBe(true);
  });

  it('restores as usual once a swap was confirmed, or when a swap Alma applied late left the holding entry', () => {
    const plan = planFrom(before(), HOLDING, marker);
    expect(neverChanged(before(), plan, true)).toBe(false);
    expect(neverChanged(before(), plan, undefined)).toBe(false); // the follow-up and the sweep go by the plan
    expect(neverChanged(swappedWith(before(), plan), plan, false)).toBe(false);
  });
});
