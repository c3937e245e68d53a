// relink sweep --fix, when the relink's history is gone: only the marker in the holding entry is known, not what the
// patron's record showed before the swap. So: remove the marked entry; make an email preferred again only when one
// other email remains and none is preferred; leave SMS off (which phones took SMS is unknown). Whatever was decided,
// the answer says what staff must check. Idempotent: a retry that finds no marked entry writes nothing.
import type { AlmaEmail, AlmaUser } from '../alma';
import type { RestoreFromMarkerInput, RestoreFromMarkerResult } from '../contract';
import { contactTab, hasHoldingEntry, isHoldingEntry, otherRelinkAttention, otherRelinksOn } from './contact';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';

const typeOf = (e: AlmaEmail) => e.email_type?.[0]?.value ?? 'no type';
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The record without the marked entries, and the one remaining email preferred when that choice is unambiguous. */
export function withoutMarkedEntry(user: AlmaUser, marker: string): AlmaUser {
  const copy = structuredClone(user);
  const kept = (copy.contact_info?.email ?? []).filter((e) => !isHoldingEntry(e, { marker }));
  if (kept.length === 1 && kept[0]!.preferred !== true) kept[0] = { ...kept[0]!, preferred: true };
  copy.contact_info = { ...(copy.contact_info ?? {}), email: kept };
  return copy;
}

/** For staff: what the record shows now, and what the marker alone could not tell. No address or number. */
export function markerOnlyAttention(user: AlmaUser, patronId: string): string {
  const where = contactTab(patronId);
  const emails = user.contact_info?.email ?? [];
  const preferred = emails.filter((e) => e.preferred === true);
  const email =
    emails.length === 0
      ? `The record has no email left, so none is preferred; add one ${where} if the patron should get notices.`
      : preferred.length === 1 && emails.length === 1
        ? `The patron's one email (type ${typeOf(preferred[0]!)}) is preferred again; check it is the one they want ${where}.`
        : preferred.length === 0
          ? `${plural(emails.length, 'email')} remain (types ${emails.map(typeOf).join(', ')}) and none is preferred: ` +
            `choose the patron's preferred email ${where}.`
          : `${plural(preferred.length, 'email')} of ${emails.length} preferred (type ${preferred.map(typeOf).join(', ')}), ` +
            `as the record showed; check the preferred email ${where}.`;
  const phones = user.contact_info?.phone ?? [];
  const smsOn = phones.filter((p) => p.preferred_sms === true).length;
  const sms =
    phones.length === 0
      ? 'The record has no phone: no SMS to check.'
      : `SMS is unknown: the relink switched it off, and which phones took SMS was in its history; ` +
        `${plural(phones.length, 'phone')} now, SMS on ${smsOn === 0 ? 'none' : smsOn}; check the SMS preference ${where}.`;
  return `The relink's history is gone: the holding address was removed by its marker alone. ${email} ${sms}`;
}

export function createRestoreFromMarker({ alma }: ActivityDeps) {
  return async function restoreFromMarker({
    patronId,
    marker,
  }: RestoreFromMarkerInput): Promise<RestoreFromMarkerResult> {
    let user = await almaStep(`reading patron ${patronId}`, () => alma.getUser(patronId));
    let written = false;
    // A new run (or another relink) that swapped the record since owns it, as for the plan's late restore.
    const others = otherRelinksOn(user, marker);
    if (others.length > 0) return { written, attention: otherRelinkAttention(patronId, others) };
    if (hasHoldingEntry(user, { marker })) {
      user = await almaStep(`removing the holding address from patron ${patronId}'s record`, () =>
        alma.updateUser(patronId, withoutMarkedEntry(user, marker)),
      );
      written = true;
      // Counted on a read made after the write, as the plan's restore is.
      user = await almaStep(`reading patron ${patronId}`, () => alma.getUser(patronId));
      if (hasHoldingEntry(user, { marker }))
        throw new Error(`Alma still shows the holding address for patron ${patronId}.`);
    }
    return { written, attention: markerOnlyAttention(user, patronId) };
  };
}
