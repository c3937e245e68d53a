// The contact activities against the simulator, without Temporal: a patron of the test's own, the plan the
// preflight records, the swap, and staff edits made the way Alma staff make them (the whole record PUT back).
import { createPreflight } from '../../src/activities/preflight';
import { createRecheckSwap } from '../../src/activities/recheck-swap';
import { createRestoreContact } from '../../src/activities/restore-contact';
import { createSwapContact } from '../../src/activities/swap-contact';
import { AlmaClient, type AlmaUser } from '../../src/alma';
import { markerFor, relinkWorkflowId, type ContactPlan } from '../../src/contract';
import {
  email as buildEmail,
  fixturesWith,
  HOLDING_EMAIL,
  patron,
  phone as buildPhone,
} from '../../src/alma-sim/builders';
import { useSimulator } from '../alma-sim/helpers';

export const HOLDING = HOLDING_EMAIL;

export interface Contact {
  address: string;
  preferred?: boolean;
  sms?: boolean;
  type?: string;
  segment?: string;
}

/** An email entry: not preferred, type personal and segment External (a SIS-loaded patron) unless told otherwise. */
export const email = (e: Contact) =>
  buildEmail(e.address, { preferred: e.preferred ?? false, type: e.type, segment: segmentOf(e) });

/** A phone entry: not preferred, no SMS, type mobile and segment External unless told otherwise. */
export const phone = (p: Contact) =>
  buildPhone(p.address, { preferred: false, sms: p.sms ?? false, type: p.type, segment: segmentOf(p) });

const segmentOf = (c: Contact) => (c.segment === 'Internal' ? 'Internal' : 'External');

export const contactInfo = (emails: Contact[], phones: Contact[] = []) => ({
  address: [],
  email: emails.map(email),
  phone: phones.map(phone),
});

export type ContactEdit = (contact: { email: any[]; phone: any[] }) => void;

/** One simulator for the file, an Alma client on it, and the contact activities bound to that client. */
export function useContactActivities() {
  const ctx = useSimulator();
  const alma = () => new AlmaClient({ baseUrl: ctx.sim.url, apiKey: ctx.sim.apiKey, requestsPerSecond: 200 });
  const t = {
    ctx,
    alma,
    restore: (patronId: string, plan: ContactPlan, client = alma(), swapConfirmed?: boolean) =>
      createRestoreContact({ alma: client })({
        patronId,
        plan,
        ...(swapConfirmed === undefined ? {} : { swapConfirmed }),
      }),
    recheck: (patronId: string, plan: ContactPlan) =>
      createRecheckSwap({ alma: alma() })({ patronId, workflowId: relinkWorkflowId(patronId), plan }),
    user: (patronId: string): Promise<AlmaUser> => alma().getUser(patronId),

    /** A new patron with these contact details, planned by the preflight and swapped; the record as it was before. */
    async swapped(patronId: string, emails: Contact[], phones: Contact[] = [], items: any[] = []) {
      ctx.sim.reset(
        fixturesWith({ users: [patron(patronId, {}, { contact_info: contactInfo(emails, phones) })], items }),
      );
      const before = await t.user(patronId);
      const workflowId = relinkWorkflowId(patronId);
      const input = { patronId, barcodes: [], desks: {}, holdingEmail: HOLDING, marker: markerFor(workflowId) };
      const plan = (await createPreflight({ alma: alma() })(input)).contactPlan!;
      await createSwapContact({ alma: alma() })({ patronId, workflowId, plan });
      return { before, plan };
    },

    /** A staff member (or a SIS load) edits the patron's contact details in Alma. */
    async staffEdit(patronId: string, edit: ContactEdit) {
      const user = await t.user(patronId);
      edit(user.contact_info as { email: any[]; phone: any[] });
      await alma().updateUser(patronId, user);
    },

    /** The Alma calls made since `from` (an index into the simulator's call log), as "METHOD path". */
    callsSince: (from: number) =>
      ctx.sim
        .calls()
        .slice(from)
        .map((c) => `${c.method} ${c.path.replace(/\?.*/, '')}`),
  };
  return t;
}

export const emailFlags = (u: AlmaUser) => u.contact_info!.email!.map((e) => [e.email_address, e.preferred]);
export const smsFlags = (u: AlmaUser) => u.contact_info!.phone!.map((p) => [p.phone_number, p.preferred_sms]);
