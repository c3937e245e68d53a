// What starts a relink in the simulated library (the holding address and desks of src/alma-sim/builders.ts), as
// a workflow input and as the relink command's settings. Shared by the demo, the tests, the chaos runs and the
// benchmark; it lives beside the simulator's builders rather than in them because the simulator is Alma and knows
// nothing of the relink.
import { DESK_MAP, DESKS, HOLDING_EMAIL } from '../alma-sim/builders';
import type { RelinkInput } from '../contract';

/** A relink in the simulated library; any duration `extra` leaves out is RELINK_DEFAULTS' (the Lost poll: 1 minute). */
export function simulatedRelink(patronId: string, barcodes: string[], extra: Partial<RelinkInput> = {}): RelinkInput {
  return { patronId, barcodes, holdingEmail: HOLDING_EMAIL, desks: DESKS, ...extra };
}

/** The Lost poll of the tests and the chaos runs: their staff click Lost within moments, and that is seen at once. */
const QUICK_LOST_POLL = { lostPollInitial: '200 ms', lostPollMax: '1 second' } as const;

/** A relink in the simulated library with the quick Lost poll: what the tests and the chaos runs start. */
export function relinkInput(patronId: string, barcodes: string[], extra: Partial<RelinkInput> = {}): RelinkInput {
  return simulatedRelink(patronId, barcodes, { ...QUICK_LOST_POLL, ...extra });
}

/** The same relink settings for the `relink` command (its environment): the simulated library, the quick poll. */
export function relinkCommandEnv(): NodeJS.ProcessEnv {
  return {
    RELINK_HOLDING_EMAIL: HOLDING_EMAIL,
    ALMA_DESK_MAP: DESK_MAP,
    RELINK_LOST_POLL_INITIAL: QUICK_LOST_POLL.lostPollInitial,
    RELINK_LOST_POLL_MAX: QUICK_LOST_POLL.lostPollMax,
  };
}

/**
 * The overdue-job Lost mode as the simulator's job profile runs it in the tests (Lost 1 s past due), with the job's
 * run `lostJobAt` after the due-date change and a 1 s lead: the relink's wait for Alma's job.
 */
export function overdueJobMode(lostJobAt: string, extra: Partial<RelinkInput> = {}): Partial<RelinkInput> {
  return {
    lostMode: 'overdue-job',
    lostAfterOverdue: '1 second',
    lostJobAt,
    dueDateLead: '1 second',
    lostPollInitial: '1 second',
    lostPollMax: '5 seconds',
    ...extra,
  };
}
