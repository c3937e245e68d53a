// Pure functions on an Alma user record for the contact swap and its restore. Alma's PUT replaces the whole
// record ("swap all"), so each function returns the full record with only the contact flags changed.
import type { AlmaEmail, AlmaPhone, AlmaUser } from '../alma';
import { MARKER_PREFIX, type ContactPlan } from '../contract';

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

export function isHoldingEntry(email: Email, marker: string): boolean {
  return (email.description ?? '').includes(marker);
}

/** Reads what must be restored later: the preferred email and the SMS phones, before anything is changed. */
export function planFrom(user: AlmaUser, holdingEmail: string, marker: string): ContactPlan {
  const emails = emailsOf(user).filter((e) => !isHoldingEntry(e, marker));
  const preferred = emails.find((e) => e.preferred === true);
  return {
    originalPreferredEmail: preferred?.email_address ?? null,
    originalSmsPhones: phonesOf(user)
      .filter((p) => p.preferred_sms === true)
      .map((p) => p.phone_number ?? '')
      .filter(Boolean),
    marker,
    holdingEmail,
  };
}

export function hasHoldingEntry(user: AlmaUser, marker: string): boolean {
  return emailsOf(user).some((e) => isHoldingEntry(e, marker));
}

/** Any holding entry of any relink, this one or an earlier one. */
export function hasAnyRelinkEntry(user: AlmaUser): boolean {
  return emailsOf(user).some((e) => isHoldingEntry(e, MARKER_PREFIX));
}

/** True when notices can only reach the holding address: it is the one preferred email and no phone takes SMS. */
export function isSwapped(user: AlmaUser, plan: ContactPlan): boolean {
  const preferred = emailsOf(user).filter((e) => e.preferred === true);
  return (
    preferred.length === 1 &&
    isHoldingEntry(preferred[0]!, plan.marker) &&
    sameAddress(preferred[0]!.email_address, plan.holdingEmail) &&
    phonesOf(user).every((p) => p.preferred_sms !== true)
  );
}

/** The record with the holding address added as the only preferred email and SMS switched off. */
export function applySwap(user: AlmaUser, plan: ContactPlan, workflowId: string): AlmaUser {
  const kept = emailsOf(user)
    .filter((e) => !isHoldingEntry(e, plan.marker))
    .map((e) => ({ ...e, preferred: false }));
  const holding = {
    email_address: plan.holdingEmail,
    description: `Temporary holding address ${plan.marker}: added by ${workflowId} so relink notices do not reach the patron; removed when the relink ends.`,
    preferred: true,
    // Internal, so a SIS sync of an external patron does not delete it mid-relink.
    segment_type: 'Internal',
    email_type: [{ value: 'work', desc: 'Work' }],
  };
  const phones = phonesOf(user).map((p) => (p.preferred_sms === true ? { ...p, preferred_sms: false } : p));
  return withContact(user, [...kept, holding], phones);
}

/** The record with exactly what the swap added removed and the original preferences back. */
export function applyRestore(user: AlmaUser, plan: ContactPlan): AlmaUser {
  let preferredGiven = false;
  const emails = emailsOf(user)
    .filter((e) => !isHoldingEntry(e, plan.marker))
    .map((e) => {
      const preferred =
        !preferredGiven &&
        plan.originalPreferredEmail !== null &&
        sameAddress(e.email_address, plan.originalPreferredEmail);
      if (preferred) preferredGiven = true;
      return { ...e, preferred };
    });
  const sms = new Set(plan.originalSmsPhones);
  const phones = phonesOf(user).map((p) => {
    const wanted = sms.has(p.phone_number ?? '');
    return (p.preferred_sms === true) === wanted ? p : { ...p, preferred_sms: wanted };
  });
  return withContact(user, emails, phones);
}

/** True when the record is back as the plan says: no holding entry, the original preferred email, the SMS phones. */
export function isRestored(user: AlmaUser, plan: ContactPlan): boolean {
  const emails = emailsOf(user);
  if (emails.some((e) => isHoldingEntry(e, plan.marker))) return false;
  const preferred = emails.filter((e) => e.preferred === true);
  const emailOk =
    plan.originalPreferredEmail === null
      ? preferred.length === 0
      : preferred.length === 1 && sameAddress(preferred[0]!.email_address, plan.originalPreferredEmail);
  const smsNow = phonesOf(user)
    .filter((p) => p.preferred_sms === true)
    .map((p) => p.phone_number ?? '')
    .sort();
  const smsOk = JSON.stringify(smsNow) === JSON.stringify([...plan.originalSmsPhones].sort());
  return emailOk && smsOk;
}

/** Whether the patron's current preferred email still matches the plan (staff may have edited it meanwhile). */
export function planStillHolds(user: AlmaUser, plan: ContactPlan): boolean {
  const fresh = planFrom(user, plan.holdingEmail, plan.marker);
  return (
    sameAddress(fresh.originalPreferredEmail, plan.originalPreferredEmail) &&
    JSON.stringify([...fresh.originalSmsPhones].sort()) === JSON.stringify([...plan.originalSmsPhones].sort())
  );
}
