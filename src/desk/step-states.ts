// Each step of a relink's page as reached, current, failed or stopped here, or not reached. A running relink is where
// its step says. An ended one is judged by the step its audit trail last wrote from and by what Alma was seen to do
// (the items' loans, the email), not by its last step: a failed relink ends in "done" after its compensation, which
// showed every step reached, Lost included.
import type { AuditEntry, ContactState, ItemProgress } from '../contract';

export const STEP_ORDER = [
  'preflight',
  'request-review',
  'email-swap',
  'scan-in',
  'loan',
  'lost-declaration',
  'restore',
  'done',
] as const;

export type StepState = 'reached' | 'current step' | 'failed here' | 'stopped here' | 'not reached';

export interface StepFacts {
  running: boolean;
  /** The step the relink reports (RelinkStep). */
  step?: string;
  /** Ended without completing: failed, timed out, terminated, or needs attention. */
  failed: boolean;
  /** Ended by staff (aborted at the review). */
  stopped: boolean;
  items: ItemProgress[];
  audit: Pick<AuditEntry, 'step'>[];
  contact?: Pick<ContactState, 'swapped' | 'restored'>;
  /** The email restored at the end (the result's word, when the contact state is gone). */
  emailRestored?: boolean;
}

const index = (step: string) => STEP_ORDER.indexOf(step as (typeof STEP_ORDER)[number]);

export function stepStates(f: StepFacts): StepState[] {
  if (f.running) {
    // The quiet period and the loans' return come between Lost and the restore.
    const at = index(f.step === 'quiet-period' || f.step === 'return-loans' ? 'restore' : (f.step ?? 'preflight'));
    return STEP_ORDER.map((_, n) => (n < at ? 'reached' : n === at ? 'current step' : 'not reached'));
  }
  if (!f.failed && !f.stopped) return STEP_ORDER.map(() => 'reached');
  const phases = new Set(f.items.map((i) => i.phase));
  const restored = f.contact?.restored === true || f.emailRestored === true;
  const seen: Record<string, boolean> = {
    'request-review': phases.has('awaiting-review') || phases.has('aborted'),
    'email-swap': f.contact?.swapped === true || restored,
    'scan-in': f.items.some(
      (i) => ['scanned-in', 'loaned', 'lost-confirmed', 'returned'].includes(i.phase) || !!i.loanId,
    ),
    loan: f.items.some((i) => !!i.loanId),
    'lost-declaration': f.items.some((i) => i.lostConfirmed),
  };
  // The step after the furthest Alma showed done (the review only when it was asked), or the furthest the audit wrote
  // from before the compensation, whichever is later: the relink stopped there.
  const main = STEP_ORDER.slice(0, 6);
  let at = Math.max(-1, ...main.map((s, n) => (seen[s] ? n : -1))) + 1;
  if (at === index('request-review') && !seen['request-review']) at += 1;
  at = Math.max(at, ...f.audit.map((a) => index(a.step)).filter((n) => n >= 0 && n < main.length));
  if (at === index('restore') && restored) at = index('done');
  const here: StepState = f.stopped ? 'stopped here' : 'failed here';
  return STEP_ORDER.map((step, n) => {
    if (step === 'restore' && restored) return 'reached';
    if (n === at) return here;
    // A step passed over (no request to review) counts as reached when a later one was.
    return n < at ? 'reached' : 'not reached';
  });
}
