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
import { loanRefusalWarnings } from './loan-refusal-risk';
import { almaStep, businessFailure } from './failures';
import { classifyProcessType } from './item-state';

export function deskFor(desks: CirculationDesks, library: string): string | undefined {
  return desks.deskByLibrary?.[library] ?? (desks.library === library ? desks.circDesk : undefined);
}

/**
 * Alma's user PUT takes INTERNAL and EXTERNAL accounts only: the third type of its Account Types table, "Internal with
 * external authentication", is refused (401855) and the swap could never be written. Said before anything is.
 */
function checkAccountType(user: AlmaUser, patronId: string): void {
  const type = user.account_type;
  const value = String(type?.value ?? '').toUpperCase();
  if (value === '' || value === 'INTERNAL' || value === 'EXTERNAL') return;
  throw businessFailure(
    'AccountTypeNotSupported',
    `Patron ${patronId}'s account type is "${type?.desc || value}", which Alma does not let the relink update ` +
      '(its API takes Internal and External accounts only). Nothing was changed. Relink this loan by hand in Alma, ' +
      'or ask your Alma administrator whether the account can be made Internal or External.',
  );
}

function checkPatron(user: AlmaUser, patronId: string): void {
  checkAccountType(user, patronId);
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
  // An item in a temporary location circulates from that location's library: scanned in elsewhere it would go in
  // transit there, and a desk of another library cannot loan it (401153).
  const temp = temporaryLibraryOf(item);
  const library = temp ?? data.library?.value ?? '';
  const circDesk = deskFor(desks, library);
  if (!circDesk) {
    const where = temp ? `the temporary location's library ${temp}` : `library ${library || '(none)'}`;
    throw businessFailure(
      'DeskNotConfigured',
      `No circulation desk is configured for ${where} of item ${barcode}: set ALMA_CIRC_DESK for ALMA_LIBRARY=${library} or add it to the desk map.`,
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
    ...(desks.holdShelfDesks?.includes(circDesk) ? { placeOnHoldShelf: true } : {}),
    ...(temp ? { inTempLocation: true } : {}),
    checkedAt,
  };
}

/** The library of the item's temporary location, while it is in one (holding_data.in_temp_location). */
function temporaryLibraryOf(item: AlmaItem): string | undefined {
  const holding = item.holding_data as { in_temp_location?: unknown; temp_library?: { value?: unknown } | null };
  const temp = holding.temp_library?.value;
  return holding.in_temp_location === true && typeof temp === 'string' && temp ? temp : undefined;
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
    let loanWarnings: string[] = [];
    if (!input.skipPatron) {
      // The start's lookup read this record moments ago on this worker: plan from that read (patron-reads.ts). Never
      // refuse on it: the record may have changed since (a closing relink's restore), so a refusal is made on a read
      // of Alma's own. The fees owed come with either read (expand): a likely refusal of the API loan, said before
      // the swap.
      const looked = input.fromLookup ? patronReads?.take(input.patronId) : undefined;
      contactPlan = looked ? planUnlessRefused(looked, input) : undefined;
      let read = looked;
      if (!contactPlan) {
        read = await almaStep(`reading patron ${input.patronId}`, () => alma.getUser(input.patronId, ['fees']));
        contactPlan = patronPlan(read, input);
      }
      loanWarnings = read ? loanRefusalWarnings(read) : [];
    }
    const items: CheckedItem[] = [];
    for (const barcode of input.barcodes) {
      const checkedAt = Date.now();
      const item = await almaStep(`looking up item ${barcode}`, () => alma.getItemByBarcode(barcode));
      items.push(checkItem(item, barcode, input.desks, checkedAt));
    }
    return { items, contactPlan, ...(loanWarnings.length ? { loanWarnings } : {}) };
  };
}
