// Pure functions on an Alma user record for the contact swap and its restore. Alma's PUT replaces the whole
// record ("swap all"), so each function returns the full record with only the contact flags changed.
import type { AlmaEmail, AlmaPhone, AlmaUser } from '../alma';
import { MARKER_PREFIX, markersIn, type ContactEntryRef, type ContactPlan } from '../contract';

type Email = AlmaEmail;
type Phone = AlmaPhone;

const emailsOf = (user: AlmaUser): Email[] => user.contact_info?.email ?? [];
const phonesOf = (user: AlmaUser): Phone[] => user.contact_info?.phone ?? [];

function withContact(user: AlmaUser, email: Email[], phone: Phone[]): AlmaUser {
  const copy = structuredClone(user);
  copy.contact_info = { ...(copy.contact_info ?? {}), email, phone };
  return copy;
}

export const sameAddress = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? '').trim().toLowerCase() === (b ?? '').trim().toLowerCase();

/** A phone number's digits, without the leading zeros of an international or trunk prefix. */
const digitsOf = (n: string | null | undefined) => (n ?? '').replace(/\D/g, '').replace(/^0+/, '');

/** Alma may give a number back in another format ("+44 20 7946 0000", "+442079460000"): compare the digits. */
export const samePhone = (a: string | null | undefined, b: string | null | undefined) =>
  digitsOf(a) === '' ? (a ?? '').trim() === (b ?? '').trim() : digitsOf(a) === digitsOf(b);

/** What names a relink's holding entry: its marker, and (when known) the holding address it added. */
export interface HoldingRef {
  marker: string;
  holdingEmail?: string;
}

/**
 * True when the description ends in a cut-off marker that is not the start of `marker`: another relink's, or another
 * run's. A cut inside the part two runs share ("[alma-relink:relink-p1") cannot tell them apart: taken for this one.
 */
function endsInOtherMarker(description: string, marker: string): boolean {
  const tail = description.slice(description.lastIndexOf('['));
  const isMarkerText = tail.length > 1 && (MARKER_PREFIX.startsWith(tail) || tail.startsWith(MARKER_PREFIX));
  return isMarkerText && !tail.includes(']') && !marker.startsWith(tail);
}

/**
 * Whether `email` is the holding entry of the relink run `ref` names. By the marker in its description; and, because
 * Alma may trim or rewrite that description (a tenant's length limit, a SIS load), by the holding address as well,
 * unless what is left of the description names another relink or another run of this one (its marker differs).
 */
export function isHoldingEntry(email: Email, ref: HoldingRef): boolean {
  const description = email.description ?? '';
  if (description.includes(ref.marker)) return true;
  if (ref.holdingEmail === undefined || !sameAddress(email.email_address, ref.holdingEmail)) return false;
  return markersIn(description).every((m) => m.marker === ref.marker) && !endsInOtherMarker(description, ref.marker);
}

/**
 * The relinks (ids) whose marker, not `marker`, is on an email of the record: another relink, or a later run of this
 * one, has swapped it since. A late restore (relink sweep --fix) leaves such a record to that relink.
 */
export function otherRelinksOn(user: AlmaUser, marker: string): string[] {
  const others = emailsOf(user).flatMap((e) => markersIn(e.description).filter((m) => m.marker !== marker));
  return [...new Set(others.map((m) => (m.run ? `${m.workflowId} (run ${m.run})` : m.workflowId)))];
}

/** For staff, when a late restore found the record swapped by another relink: nothing was written. */
export const otherRelinkAttention = (patronId: string, others: string[]): string =>
  `Not restored: the record of patron ${patronId} carries the holding entry of ${others.join(', ')}, which swapped it ` +
  'since; that relink restores it. Nothing was written. If no such relink runs, run relink sweep --fix again.';

// --- which entry the plan means ---------------------------------------------------------------------------------

/** What tells one email or phone entry from another: its address or number, type code and segment. */
interface Entry {
  address: string;
  type?: string;
  segment?: string;
}

const entry = (address: string, types: Email['email_type'], segment: string | null | undefined): Entry => ({
  address,
  ...(types?.[0]?.value ? { type: types[0].value } : {}),
  ...(segment ? { segment } : {}),
});
const emailEntry = (e: Email) => entry(e.email_address, e.email_type, e.segment_type);
const phoneEntry = (p: Phone) => entry(p.phone_number, p.phone_type, p.segment_type);
const refAt = (e: Entry, position: number): ContactEntryRef => ({ ...e, position });

interface Matcher {
  same(a: string, b: string): boolean;
  exact(a: string, b: string): boolean;
}
const EMAIL: Matcher = { same: sameAddress, exact: (a, b) => a.trim() === b.trim() };
const PHONE: Matcher = { same: samePhone, exact: (a, b) => a.trim() === b.trim() };

/**
 * The index of the entry `ref` names, or -1 when none has its address. Among entries with the same address
 * (emails in any case, phones by digits) the exact spelling wins, then the type, the segment, the nearest position.
 */
function findEntry(entries: Entry[], ref: ContactEntryRef, m: Matcher, taken: ReadonlySet<number>): number {
  const rank = (e: Entry, i: number) => [
    m.exact(e.address, ref.address) ? 0 : 1,
    ref.type === undefined || e.type === ref.type ? 0 : 1,
    ref.segment === undefined || e.segment === ref.segment ? 0 : 1,
    ref.position === undefined ? 0 : Math.abs(i - ref.position),
  ];
  const better = (a: number[], b: number[]) => {
    const k = a.findIndex((v, j) => v !== b[j]);
    return k >= 0 && a[k]! < b[k]!;
  };
  let best = -1;
  let bestRank: number[] = [];
  entries.forEach((e, i) => {
    if (taken.has(i) || !m.same(e.address, ref.address)) return;
    const r = rank(e, i);
    if (best < 0 || better(r, bestRank)) [best, bestRank] = [i, r];
  });
  return best;
}

/** The plan's entries. Plans recorded by older relinks name only the address text, which still finds the entry. */
export function plannedEntries(plan: ContactPlan): { email: ContactEntryRef | null; sms: ContactEntryRef[] } {
  const email =
    plan.preferredEmailEntry !== undefined
      ? plan.preferredEmailEntry
      : plan.originalPreferredEmail === null
        ? null
        : { address: plan.originalPreferredEmail };
  return { email, sms: plan.smsPhoneEntries ?? plan.originalSmsPhones.map((address) => ({ address })) };
}

/**
 * Where the plan's entries are on this record now: `email`, the index among the non-holding emails (-1: none
 * planned, or gone); `sms`, the indexes of the phones; what is gone.
 */
function locate(user: AlmaUser, plan: ContactPlan) {
  const planned = plannedEntries(plan);
  const kept = emailsOf(user).filter((e) => !isHoldingEntry(e, plan));
  const email = planned.email ? findEntry(kept.map(emailEntry), planned.email, EMAIL, new Set()) : -1;
  const phones = phonesOf(user).map(phoneEntry);
  const sms = new Set<number>();
  const smsGone: ContactEntryRef[] = [];
  for (const ref of planned.sms) {
    const i = findEntry(phones, ref, PHONE, sms);
    if (i < 0) smsGone.push(ref);
    else sms.add(i);
  }
  return { planned, kept, email, emailGone: planned.email !== null && email < 0, sms, smsGone };
}

// --- the plan ---------------------------------------------------------------------------------------------------

/** Reads what must be restored later: the preferred email and the SMS phones, before anything is changed. */
export function planFrom(user: AlmaUser, holdingEmail: string, marker: string): ContactPlan {
  const emails = emailsOf(user).filter((e) => !isHoldingEntry(e, { marker, holdingEmail }));
  const preferredAt = emails.findIndex((e) => e.preferred === true);
  const preferred = emails[preferredAt];
  const sms = phonesOf(user)
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.preferred_sms === true && p.phone_number);
  return {
    originalPreferredEmail: preferred?.email_address ?? null,
    originalSmsPhones: sms.map(({ p }) => p.phone_number),
    preferredEmailEntry: preferred ? refAt(emailEntry(preferred), preferredAt) : null,
    smsPhoneEntries: sms.map(({ p, i }) => refAt(phoneEntry(p), i)),
    marker,
    holdingEmail,
  };
}

/**
 * Why the plan cannot honour this record, for staff and without an address; undefined when it can. Two or more
 * preferred emails (a SIS load or a migration can leave them): the plan names one preferred entry, the swap checks for
 * one, and which of them Alma writes to is Alma's own choice, so the relink could not put the record back exactly.
 * Staff settle it in a minute; a relink refused before any write costs nothing. Duplicated entries (one address or
 * number twice) and a record without email are honoured: each entry is found again by its spelling, type, segment
 * and position, and no email is made preferred that was not.
 */
export function planRefusal(user: AlmaUser, patronId: string): string | undefined {
  const preferred = emailsOf(user).filter((e) => e.preferred === true);
  if (preferred.length < 2) return undefined;
  const types = preferred.map((e) => emailEntry(e).type ?? 'no type').join(', ');
  return (
    `Patron ${patronId}'s record has ${preferred.length} preferred emails (types ${types}); ` +
    `leave one of them preferred ${contactTab(patronId)}, then start the relink again.`
  );
}

/** Whether the record still shows what the plan recorded: the same entry preferred, the same phones taking SMS. */
export function planStillHolds(user: AlmaUser, plan: ContactPlan): boolean {
  const { planned, kept, email, sms, smsGone } = locate(user, plan);
  const preferredNow = kept.flatMap((e, i) => (e.preferred === true ? [i] : []));
  const smsNow = phonesOf(user).flatMap((p, i) => (p.preferred_sms === true ? [i] : []));
  const emailOk = planned.email ? preferredNow.length === 1 && preferredNow[0] === email : preferredNow.length === 0;
  return emailOk && smsGone.length === 0 && smsNow.length === sms.size && smsNow.every((i) => sms.has(i));
}

// --- the swap ---------------------------------------------------------------------------------------------------

export function hasHoldingEntry(user: AlmaUser, ref: HoldingRef): boolean {
  return emailsOf(user).some((e) => isHoldingEntry(e, ref));
}

/** Any holding entry of any relink, this one or an earlier one. */
export function hasAnyRelinkEntry(user: AlmaUser): boolean {
  return emailsOf(user).some((e) => (e.description ?? '').includes(MARKER_PREFIX));
}

/** True when notices can only reach the holding address: it is the one preferred email and no phone takes SMS. */
export function isSwapped(user: AlmaUser, plan: ContactPlan): boolean {
  return swapDrift(user, plan).length === 0;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What, since the swap, would send a notice to the patron (a SIS load or a staff edit), in staff words and without
 * an address or number. Empty while the holding address is the one preferred email and no phone takes SMS.
 */
export function swapDrift(user: AlmaUser, plan: ContactPlan): string[] {
  const emails = emailsOf(user);
  const holding = emails.filter((e) => isHoldingEntry(e, plan));
  const others = emails.filter((e) => !isHoldingEntry(e, plan) && e.preferred === true);
  const sms = phonesOf(user).filter((p) => p.preferred_sms === true);
  const drift: string[] = [];
  if (holding.length === 0) drift.push('the holding address was removed from the record');
  else if (holding.some((e) => !sameAddress(e.email_address, plan.holdingEmail))) {
    drift.push('the holding address was changed');
  } else if (!holding.some((e) => e.preferred === true)) drift.push('the holding address was no longer preferred');
  if (others.length > 0) {
    const types = [...new Set(others.map((e) => emailEntry(e).type ?? 'no type'))].join(', ');
    drift.push(`${count(others.length, 'other email')} (type ${types}) had been made preferred`);
  }
  if (sms.length > 0) drift.push(`SMS was switched back on for ${count(sms.length, 'phone')}`);
  return drift;
}

/** The record with the holding address added as the only preferred email and SMS switched off. */
export function applySwap(user: AlmaUser, plan: ContactPlan, workflowId: string): AlmaUser {
  // Only the flags that are on change, so that the restore gives back each entry as it was, field by field.
  const kept = emailsOf(user)
    .filter((e) => !isHoldingEntry(e, plan))
    .map((e) => (e.preferred === true ? { ...e, preferred: false } : e));
  const holding = {
    email_address: plan.holdingEmail,
    // The marker first, so that a description Alma trims keeps as much of it as it can.
    description: `${plan.marker} Temporary holding address added by ${workflowId} so relink notices do not reach the patron; removed when the relink ends.`,
    preferred: true,
    // Internal, so a SIS sync of an external patron does not delete it mid-relink.
    segment_type: 'Internal',
    email_type: [{ value: plan.holdingEmailType ?? 'work' }],
  };
  const phones = phonesOf(user).map((p) => (p.preferred_sms === true ? { ...p, preferred_sms: false } : p));
  return withContact(user, [...kept, holding], phones);
}

// --- the restore ------------------------------------------------------------------------------------------------

/**
 * The record with the holding entry removed and the plan's entries flagged again: the original email the one
 * preferred, the original SMS phones taking SMS. Everything else stays as staff left it: when the original email is
 * gone, or the patron had none, no other email's flag is touched (none is made preferred in its place).
 */
export function applyRestore(user: AlmaUser, plan: ContactPlan): AlmaUser {
  const { kept, email, sms } = locate(user, plan);
  const emails =
    email < 0
      ? kept
      : kept.map((e, i) => ((e.preferred === true) === (i === email) ? e : { ...e, preferred: i === email }));
  const phones = phonesOf(user).map((p, i) =>
    sms.has(i) && p.preferred_sms !== true ? { ...p, preferred_sms: true } : p,
  );
  return withContact(user, emails, phones);
}

/**
 * Whether the restore must leave the record alone: no swap of the relink was ever confirmed and its holding entry is
 * not on the record, so what the record shows (as planned, or as staff changed it since) the relink never changed.
 * A holding entry found (a swap Alma applied late) is restored as usual.
 */
export const neverChanged = (user: AlmaUser, plan: ContactPlan, swapConfirmed: boolean | undefined): boolean =>
  swapConfirmed === false && !hasHoldingEntry(user, plan);

/** The plan's entries no longer on the record, e.g. the original email after staff corrected its address. */
export interface RestoreGap {
  kind: 'email' | 'sms';
  type?: string;
}

/**
 * `done`: the restore has nothing left to write (no holding entry; every entry of the plan still on the record is
 * flagged as before). `gaps`: what of the plan the record can no longer show.
 */
export function restoreCheck(user: AlmaUser, plan: ContactPlan): { done: boolean; gaps: RestoreGap[] } {
  const { planned, emailGone, smsGone } = locate(user, plan);
  const target = applyRestore(user, plan);
  const done =
    !hasHoldingEntry(user, plan) &&
    JSON.stringify([emailsOf(target), phonesOf(target)]) === JSON.stringify([emailsOf(user), phonesOf(user)]);
  const gaps: RestoreGap[] = [
    ...(emailGone ? [{ kind: 'email' as const, type: planned.email?.type }] : []),
    ...smsGone.map((ref) => ({ kind: 'sms' as const, type: ref.type })),
  ];
  return { done, gaps };
}

/** True when the record is back as the plan says: no holding entry, the original preferred email, the SMS phones. */
export function isRestored(user: AlmaUser, plan: ContactPlan): boolean {
  const { done, gaps } = restoreCheck(user, plan);
  return done && gaps.length === 0;
}

/** Where staff check a patron's contact details, in Alma's words. */
export const contactTab = (patronId: string) => `in Alma: Manage Users, patron ${patronId}, Contact Information tab`;

/**
 * For staff, when the restore could not put back everything: what is missing, what the record shows now and where to
 * look. No address or number: the text reaches logs and the workflow's result.
 */
export function restoreAttention(user: AlmaUser, gaps: RestoreGap[], patronId: string): string {
  const where = contactTab(patronId);
  const typed = (g: RestoreGap) => (g.type ? ` (type ${g.type})` : '');
  const lines: string[] = [];
  const emails = emailsOf(user);
  const preferred = emails.filter((e) => e.preferred === true).length;
  for (const g of gaps.filter((g) => g.kind === 'email')) {
    lines.push(
      `The patron's original preferred email${typed(g)} is no longer on the record; ` +
        `${count(emails.length, 'email')} now, ${preferred === 0 ? 'none' : preferred} preferred; ` +
        `check the preferred email ${where}.`,
    );
  }
  const smsGaps = gaps.filter((g) => g.kind === 'sms');
  if (smsGaps.length > 0) {
    const phones = phonesOf(user);
    const sms = phones.filter((p) => p.preferred_sms === true).length;
    const what =
      smsGaps.length === 1
        ? `The patron's original SMS phone${typed(smsGaps[0]!)} is`
        : `${smsGaps.length} of the patron's original SMS phones are`;
    lines.push(
      `${what} no longer on the record; ${count(phones.length, 'phone')} now, SMS on ${sms === 0 ? 'none' : sms}; ` +
        `check the SMS preference ${where}.`,
    );
  }
  return lines.join(' ');
}
