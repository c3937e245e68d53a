// Alma's webhooks, passed on by the listener (src/webhooks) as almaEventSignal: each is a reason to look now, never
// proof. A loan event of the relink's loans or items wakes the wait that looks at them (the Lost wait, the desk loan's,
// a refused return's), as a staff member's "I clicked Lost" does; a user update (a SIS load, a staff edit; Alma sends
// none for the relink's own API writes) makes the next wait read the swap at once; a request on an item or title not
// yet scanned in makes its scan-in read the item's own queue too; a job's end wakes the waits for it. Alma retries a
// message, and a listener may pass one on twice: a message id is taken once.
import { isoSeconds, type AlmaEvent } from '../contract';
import { ALMA_WEBHOOKS } from './patches';
import type { Relink } from './relink';

/** Message ids kept for the repeats: Alma retries within hours, far fewer than this many messages a relink. */
const SEEN_KEPT = 200;
/** A job's end reported this long after it ran is said to be late in the audit, with its time. */
const LATE_REPORT_MS = 60_000;

export function onAlmaEvent(r: Relink, e: AlmaEvent): void {
  // Relinks whose histories have such a signal from before the handler (the listener deployed first) replay it unheard.
  if (!e || typeof e.messageId !== 'string' || r.almaMessages.includes(e.messageId) || !r.patch(ALMA_WEBHOOKS)) return;
  r.almaMessages.push(e.messageId);
  if (r.almaMessages.length > SEEN_KEPT) r.almaMessages.shift();
  const { track } = r;
  switch (e.kind) {
    case 'loan': {
      const barcode = barcodeOf(r, e);
      if (!barcode) return; // another loan of the patron's: not this relink's
      r.lostSignals++;
      track.log(`Alma reported ${words(e.event)} for ${barcode}; checking Alma now.`);
      return;
    }
    case 'user':
      r.userEvents++;
      if (r.swapped) track.log("Alma reported a change to the patron's record; reading the swap again now.");
      return;
    case 'request': {
      const items = [...r.checked.values()].filter(
        (i) => i.barcode === e.itemBarcode || i.itemPid === e.itemId || (!e.itemBarcode && i.mmsId === e.mmsId),
      );
      const waiting = items.filter((i) => ['checked', 'reviewed'].includes(r.lives.get(i.barcode)?.state ?? ''));
      for (const i of waiting) r.requestReported.add(i.barcode);
      if (waiting.length)
        track.log(
          `Alma reported a new request on ${waiting.map((i) => i.barcode).join(', ')}; its queue is read again before the scan-in.`,
        );
      return;
    }
    case 'job':
      if (e.job === 'fines-fees-notification') {
        // Alma retries a message for hours: the run is as old as its message says (never later than now).
        const heard = Date.now();
        const said = Date.parse(e.at);
        const ran = Number.isFinite(said) ? Math.min(said, heard) : heard;
        r.finesJobRuns.push({ heard, ran });
        const late = heard - ran > LATE_REPORT_MS ? ` (it ended at ${isoSeconds(ran)})` : '';
        track.log(`Alma reported that its Fines/Fees Notification job has run${late}.`);
      } else if (e.job === 'overdue-and-lost') {
        r.lostSignals++;
        track.log('Alma reported that its Overdue and Lost Loan job has run; checking Alma now.');
      }
      return;
  }
}

/** The relink's item a loan event is about: by its loan, its pid or its barcode. */
function barcodeOf(r: Relink, e: AlmaEvent): string | undefined {
  for (const [barcode, loan] of r.loans) if (e.loanId && loan.loanId === e.loanId) return barcode;
  for (const item of r.checked.values()) {
    if ((e.itemId && item.itemPid === e.itemId) || (e.itemBarcode && item.barcode === e.itemBarcode)) {
      return item.barcode;
    }
  }
  return undefined;
}

const EVENT_WORDS: Record<string, string> = {
  LOAN_CREATED: 'a loan made',
  LOAN_RETURNED: 'a return',
  LOAN_LOST: 'a Lost click',
};
const words = (event: string) => EVENT_WORDS[event] ?? `a loan event (${event})`;
