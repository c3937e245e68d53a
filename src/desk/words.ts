// The relink's codes (steps, item phases, outcomes) in the words the desk shows staff, and times in the library's
// time zone. The codes stay in the CLI's machine output and the Web UI's search attributes; staff pages never show them.
import {
  AWAITING_WORDS,
  instructionsText,
  type ItemPhase,
  type Outcome,
  type RelinkProgress,
  type RelinkStepName,
} from '../contract';

export const STEP_WORDS: Record<RelinkStepName, string> = {
  preflight: 'Check patron and items',
  'request-review': 'Request review',
  'email-swap': 'Email to the holding address',
  'scan-in': 'Scan in',
  loan: 'Loan',
  'lost-declaration': 'Lost',
  'return-loans': 'Return the loans',
  'quiet-period': 'Quiet period',
  restore: 'Email restored',
  done: 'Done',
};

const PHASE_WORDS: Record<ItemPhase, string> = {
  pending: 'not checked yet',
  checked: 'checked',
  'awaiting-review': 'waiting for the request review',
  'scanned-in': 'scanned in',
  'awaiting-staff-loan': 'waiting for staff to loan it at the desk',
  loaned: 'loaned',
  'lost-confirmed': 'Lost confirmed',
  aborted: 'left out (aborted)',
  failed: 'failed',
  returned: 'returned',
};

const OUTCOME_WORDS: Record<Outcome, string> = {
  completed: 'completed',
  aborted: 'aborted',
  'needs-attention': 'ended: needs attention',
};

/** A code the table does not know is shown as words, never as a raw code with hyphens. */
const plain = (code: string) => code.replace(/-/g, ' ');

export const stepWords = (step: string | undefined): string =>
  step ? (STEP_WORDS[step as RelinkStepName] ?? plain(step)) : '';
export const phaseWords = (phase: string): string => PHASE_WORDS[phase as ItemPhase] ?? plain(phase);
export const outcomeWords = (outcome: string): string => OUTCOME_WORDS[outcome as Outcome] ?? plain(outcome);

/** The audit's Alma ids, named as staff find them in Alma (the keys stay in the CLI's JSON). */
const ALMA_ID_WORDS: Record<string, string> = {
  loanId: 'loan',
  requestId: 'request',
  itemPid: 'item',
  mmsId: 'title (MMS id)',
  almaCode: 'Alma error',
  trackingId: 'Alma tracking id',
};
export const almaIdWords = (key: string): string =>
  ALMA_ID_WORDS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** How a relink on the home page ended, in words (its relink page shows the step where it stopped). */
export const endedWords = (mark: 'failed' | 'needs-attention'): string =>
  mark === 'failed' ? 'It failed: see what to check' : 'It ended needing attention: see what to check';

/** "28 Nov 2026, 15:05:21 CST" in the library's time zone; the ISO value stays in <time datetime>. */
export function timeFormat(timeZone: string): (iso: string) => string {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  // en-US names more zones by their letters (CST, EST, PST) than en-GB, which says GMT-6; elsewhere both give GMT+2.
  const zone = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' });
  return (iso) => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const name = zone.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
    return `${format.format(date)} ${name}`;
  };
}

/** What a relink waits for, as the Find page's choice names it (the Web UI's summary says the same). */
export { AWAITING_WORDS };

/** A listed relink's status: running, or how it ended (RelinkOutcome; Temporal's status for runs without one). */
export function listedStatusWords(status: string, outcome: string | undefined): string {
  if (status === 'RUNNING') return 'running';
  if (outcome) return outcomeWords(outcome);
  if (['FAILED', 'TIMED_OUT', 'TERMINATED'].includes(status)) return 'failed';
  if (status === 'CANCELLED') return 'cancelled';
  return plain(status.toLowerCase().replace(/_/g, '-'));
}

/** What a waiting relink asks, worded for the desk (its buttons, times in the library's zone). Older relinks' text as is. */
export function deskInstructions(
  progress: Pick<RelinkProgress, 'workflowId' | 'awaitingSteps' | 'awaitingInstructions'> | undefined,
  when: (iso: string) => string,
): string | undefined {
  if (progress?.awaitingSteps) {
    return instructionsText(progress.awaitingSteps, { place: 'desk', workflowId: progress.workflowId, time: when });
  }
  return progress?.awaitingInstructions;
}

/**
 * What the desk says when the relink refused a button: most often the page was old and the relink had moved on (a
 * colleague answered, or Alma did), said in words; otherwise the relink's own reason.
 */
export function refusedActionText(
  action: { label: string; awaiting: readonly string[] },
  err: Error,
  now: Pick<RelinkProgress, 'awaiting' | 'step'> | undefined,
): string {
  const notDone = `"${action.label}" was not done`;
  if (now && !action.awaiting.includes(now.awaiting)) {
    return now.awaiting === 'none'
      ? `${notDone}: the relink no longer waits for staff (it is at the step “${stepWords(now.step)}”). Its page shows where it is now.`
      : `${notDone}: the relink no longer waits for that; it now waits for ${AWAITING_WORDS[now.awaiting]}. Its card shows what to do now.`;
  }
  return `${notDone}: ${err.message}`;
}
