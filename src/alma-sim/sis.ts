// Alma's SIS load (the Student Information System integration profile's synchronize job), as an admin runs it: for
// each External user, Alma deletes the External segments of the record and adds them again from the SIS file; the
// Internal segments (added by hand or through the API) are kept. The simulator's SIS file is what the fixtures gave
// each External user's External emails and phones, preferred flags included: a load during a relink can make the
// patron's own email preferred again, and SMS come back on, beside the relink's (Internal) holding entry.
import type { UserRecord } from './fixtures';
import { clone } from './store';

type Contact = NonNullable<UserRecord['contact_info']>;
type Email = NonNullable<Contact['email']>[number];
type Phone = NonNullable<Contact['phone']>[number];
type Entry = { segment_type?: string | null };

/** The External segments of each External user, by primary_id: the SIS file the load reads. */
export type SisFile = Map<string, { email: Email[]; phone: Phone[] }>;

const isExternal = (e: unknown) => (e as Entry | null)?.segment_type === 'External';

export function sisFileOf(users: readonly UserRecord[]): SisFile {
  const file: SisFile = new Map();
  for (const u of users) {
    if (u.account_type?.value !== 'EXTERNAL') continue;
    const c = u.contact_info ?? {};
    file.set(u.primary_id, {
      email: clone((c.email ?? []).filter(isExternal)),
      phone: clone((c.phone ?? []).filter(isExternal)),
    });
  }
  return file;
}

export interface SisLoadResult {
  /** The External users whose External segments were rebuilt. */
  reloaded: string[];
}

/** Rebuilds the External segments of the External users (all, or those named) from the SIS file. */
export function sisLoad(users: UserRecord[], file: SisFile, only?: readonly string[]): SisLoadResult {
  const reloaded: string[] = [];
  for (const user of users) {
    const sis = file.get(user.primary_id);
    if (!sis || (only && !only.includes(user.primary_id))) continue;
    const contact: Contact = (user.contact_info ??= {});
    contact.email = [...clone(sis.email), ...(contact.email ?? []).filter((e) => !isExternal(e))];
    contact.phone = [...clone(sis.phone), ...(contact.phone ?? []).filter((p) => !isExternal(p))];
    reloaded.push(user.primary_id);
  }
  return { reloaded };
}
