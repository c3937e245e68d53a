// A restore Alma refuses with an answer that will not change by itself (a 4xx but 429: a role, a mandatory field, an
// account Alma cannot update) is retried, but not unseen: the relink awaits restore-refused, with what to do by hand
// in Alma (its gauge, the alert, the desk's top card), and tries again itself after a pause that grows to a few
// minutes. It ends when Alma takes the restore, or when staff restored the record by hand (the next read finds it).
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ContactPlan } from '../contract';
import { refusedRestoreInstructions, type RestoreByHand } from './instructions';
import type { Relink } from './relink';

/** The longest pause between two tries: the compensation's own retry cap (activity-proxies.ts). */
const RETRY_MAX_MS = 5 * 60_000;

/** The message of a RestoreRefused failure of the restore activity; undefined for any other error. */
export function restoreRefusal(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === 'RestoreRefused' ? cause.message : undefined;
}

/** Shows the refusal to staff and waits before the next try; answers the pause after it. */
export async function holdWhileRestoreRefused(r: Relink, cause: string, pause: number | undefined): Promise<number> {
  const { track } = r;
  if (track.awaiting !== 'restore-refused') {
    track.log(`${cause}. Staff are told (awaiting restore-refused); the relink tries again every few minutes.`);
  }
  track.contact.lastRestoreError = cause;
  track.await('restore-refused', refusedRestoreInstructions(r.patronId, cause, byHand(r.plan!)));
  const wait = pause ?? Math.min(r.pollInitialMs, RETRY_MAX_MS);
  await r.wait(() => false, wait, 'waiting to try the restore again');
  return Math.min(wait * 2, RETRY_MAX_MS);
}

/** The plan, as staff restore it by hand: entry types only (plans of older relinks name the address alone). */
function byHand(plan: ContactPlan): RestoreByHand {
  const email = plan.preferredEmailEntry;
  return {
    marker: plan.marker,
    emailType: email === null || (email === undefined && plan.originalPreferredEmail === null) ? null : email?.type,
    smsTypes: (plan.smsPhoneEntries ?? plan.originalSmsPhones.map(() => ({ type: undefined }))).map(
      (p) => p.type ?? 'no type',
    ),
  };
}
