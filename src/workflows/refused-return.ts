// A return Alma refuses (a business error: the scan-in fails) must not end in a restore with the loan active and not
// lost: from then on Alma's letters about it would reach the patron. The relink keeps the holding address and waits
// for staff: a return or a Lost click done in Alma (the relink tries the return again, which reads Alma first, by
// itself with a growing pause and at once when staff say so), or keep-loans (audited). It has no time limit: the only
// other way out breaks the promise, and the wait is visible (awaiting return-refused, its gauge, the desk).
import { ensureStillSwapped } from './contact-swap';
import { keepLoansWarning, refusedReturnInstructions, type OpenLoan } from './instructions';
import { keepLoans } from './kept-loans';
import type { Relink } from './relink';

/** A loan whose return Alma refused, and why. */
export interface RefusedReturn extends OpenLoan {
  cause: string;
}

/** Tries one return again: the cause of a new refusal, or undefined when the loan is closed or Lost now. */
export type ReturnAttempt = (loan: OpenLoan) => Promise<string | undefined>;

export async function holdWhileReturnRefused(
  r: Relink,
  refused: RefusedReturn[],
  attempt: ReturnAttempt,
): Promise<void> {
  const { track } = r;
  let pending = refused;
  let pause = r.pollInitialMs;
  track.log(
    `The holding address stays: Alma refused to return ${pending.map((l) => l.barcode).join(', ')}, and restoring ` +
      "now would send the patron Alma's letters about an active loan. Waiting for staff.",
  );
  for (;;) {
    track.await('return-refused', refusedReturnInstructions(pending, r.patronId));
    const signals = r.lostSignals;
    const keep = () => r.loanDecision?.decision === 'keep-loans';
    await r.wait(() => keep() || r.lostSignals !== signals, pause, 'waiting for staff to return the loan in Alma');
    if (keep()) {
      track.log(keepLoansWarning(pending, r.loanDecision!.by, r.dueDatesMovedOf(pending)));
      await keepLoans(r, pending);
      break;
    }
    const byStaff = r.lostSignals !== signals;
    r.lostSignalsSeen = r.lostSignals;
    // A SIS load may have undone the swap meanwhile: the return's letter must still reach the holding address.
    await ensureStillSwapped(r, r.activities.compensation).catch(() => undefined);
    const still: RefusedReturn[] = [];
    for (const l of pending) {
      const cause = await attempt(l);
      if (cause !== undefined) still.push({ ...l, cause });
    }
    pending = still;
    if (pending.length === 0) break;
    if (byStaff) track.log(`Alma still refuses the return of ${pending.map((l) => l.barcode).join(', ')}.`);
    pause = byStaff ? r.pollInitialMs : Math.min(pause * 2, r.pollMaxMs);
  }
  track.await('none');
}
