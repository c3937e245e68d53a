// Step 1, read only: everything that can be known to fail is found here, before anything in Alma is written.
import { itemRefOf, type AlmaItem, type AlmaUser } from '../alma';
import {
  DEFAULT_HOLDING_EMAIL_TYPE,
  type CheckedItem,
  type CirculationDesks,
  type ContactPlan,
  type PreflightInput,
  type PreflightResult,
} from '../contract';
import { hasAnyRelinkEntry, planFrom, planRefusal, sameAddress } from './contact';
import type { ActivityDeps } from './deps';
import { almaStep, businessFailure } from './failures';
import { classifyProcessType } from './item-state';

export function deskFor(desks: CirculationDesks, library: string): string | undefined {
  return desks.deskByLibrary?.[library] ?? (desks.library === library ? desks.circDesk : undefined);
}

function checkPatron(user: AlmaUser, patronId: string): void {
  const status = String((user.status as { value?: string } | undefined)?.value ?? '').toUpperCase();
  if (status && status !== 'ACTIVE') {
    throw businessFailure('PatronInactive', `Patron ${patronId} is not active in Alma (status ${status}).`);
  }
  const blocks = (
    (user as { user_block?: Array<{ block_status?: string; block_type?: { value?: string } }> }).user_block ?? []
  ).filter((b) => String(b.block_status ?? 'ACTIVE').toUpperCase() === 'ACTIVE');
  if (blocks.length > 0) {
    const kinds = blocks.map((b) => b.block_type?.value ?? 'block').join(', ');
    throw businessFailure('PatronBlocked', `Patron ${patronId} has an active block (${kinds}); lift it in Alma first.`);
  }
  const expiry = (user as { expiry_date?: string | null }).expiry_date;
  if (expiry && Date.parse(expiry) < Date.now()) {
    throw businessFailure('PatronBlocked', `Patron ${patronId}'s account expired on ${expiry.slice(0, 10)}.`);
  }
}

function checkItem(item: AlmaItem, barcode: string, desks: CirculationDesks, checkedAt: number): CheckedItem {
  const data = item.item_data;
  const processType = data.process_type?.value ?? '';
  const verdict = classifyProcessType(processType);
  if (verdict === 'on-loan') {
    throw businessFailure(
      'ItemOnLoan',
      `Item ${barcode} is on an active loan (${processType}); return it or close that loan in Alma first.`,
      { barcode },
    );
  }
  if (verdict === 'not-relinkable') {
    throw businessFailure(
      'ItemNotRelinkable',
      `Item ${barcode} is in process "${processType}", not a state a closed lost loan leaves (missing, lost and paid, in place).`,
      { barcode },
    );
  }
  const library = data.library?.value ?? '';
  const circDesk = deskFor(desks, library);
  if (!circDesk) {
    throw businessFailure(
      'DeskNotConfigured',
      `No circulation desk is configured for library ${library || '(none)'} of item ${barcode}: set ALMA_CIRC_DESK for ALMA_LIBRARY=${library} or add it to the desk map.`,
      { barcode },
    );
  }
  const ref = itemRefOf(item);
  return {
    barcode,
    mmsId: ref.mmsId,
    holdingId: ref.holdingId,
    itemPid: ref.itemPid,
    title: item.bib_data?.title ?? '',
    library,
    circDesk,
    processType,
    requested: data.requested === true,
    checkedAt,
  };
}

/**
 * The plan is only sound on a record no relink has touched: a holding address left behind (by a relink that was
 * terminated, or by hand) would otherwise be recorded as the patron's "original" email. Nor on one it could not put
 * back exactly (planRefusal: two preferred emails).
 */
export function planFromUntouched(
  user: AlmaUser,
  input: { patronId: string; holdingEmail: string; holdingEmailType?: string; marker: string },
): ContactPlan {
  const plan: ContactPlan = {
    ...planFrom(user, input.holdingEmail, input.marker),
    holdingEmailType: input.holdingEmailType ?? DEFAULT_HOLDING_EMAIL_TYPE,
  };
  const holdingAlready = (user.contact_info?.email ?? []).some((e) => sameAddress(e.email_address, input.holdingEmail));
  if (hasAnyRelinkEntry(user) || holdingAlready) {
    throw businessFailure(
      'HoldingAddressAlreadyPresent',
      `Patron ${input.patronId} already has a relink holding address among their emails; restore their own email in Alma before relinking.`,
    );
  }
  const refusal = planRefusal(user, input.patronId);
  if (refusal) throw businessFailure('SeveralPreferredEmails', refusal);
  return plan;
}

function patronPlan(user: AlmaUser, input: PreflightInput): ContactPlan {
  checkPatron(user, input.patronId);
  return planFromUntouched(user, input);
}

function planUnlessRefused(user: AlmaUser, input: PreflightInput): ContactPlan | undefined {
  try {
    return patronPlan(user, input);
  } catch {
    return undefined;
  }
}

export function createPreflight({ alma, patronReads }: ActivityDeps) {
  return async function preflight(input: PreflightInput): Promise<PreflightResult> {
    let contactPlan: ContactPlan | undefined;
    if (!input.skipPatron) {
      // The start's lookup read this record moments ago on this worker: plan from that read (patron-reads.ts). Never
      // refuse on it: the record may have changed since (a closing relink's restore), so a refusal is made on a read
      // of Alma's own.
      const looked = input.fromLookup ? patronReads?.take(input.patronId) : undefined;
      contactPlan = looked ? planUnlessRefused(looked, input) : undefined;
      if (!contactPlan) {
        const user = await almaStep(`reading patron ${input.patronId}`, () => alma.getUser(input.patronId));
        contactPlan = patronPlan(user, input);
      }
    }
    const items: CheckedItem[] = [];
    for (const barcode of input.barcodes) {
      const checkedAt = Date.now();
      const item = await almaStep(`looking up item ${barcode}`, () => alma.getItemByBarcode(barcode));
      items.push(checkItem(item, barcode, input.desks, checkedAt));
    }
    return { items, contactPlan };
  };
}
