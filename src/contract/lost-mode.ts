// RELINK_LOST_MODE: who declares the relink's loans Lost. `staff-click` (the default): a staff member, in Manage Patron
// Services, as the manual procedure does. `overdue-job`: Alma's own Overdue and Lost Loan job, once the relink has
// moved the loan's due date to the earliest Alma accepts (now: a date in the past is refused, 401681) and the loan is
// overdue past the profile's lost threshold (RELINK_LOST_AFTER_OVERDUE) at the job's run (RELINK_LOST_JOB_AT).
// Shared by the configuration, the CLI and the workflow (which bundles this file: no I/O, no Node built-ins).
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { parseRestoreAfter } from './restore-after';

export const LOST_MODES = ['staff-click', 'overdue-job'] as const;
export type LostMode = (typeof LOST_MODES)[number];

/** When the Overdue and Lost Loan job runs: daily at HH:MM (ALMA_TIME_ZONE), or a duration from the due-date change. */
export type LostJobAt = { kind: 'next'; hour: number; minute: number } | { kind: 'duration'; ms: number };

/** The due date is set this far ahead of the worker's clock, so Alma never sees it in the past. */
export const DEFAULT_DUE_DATE_LEAD = '2 minutes';

export function parseLostJobAt(text: string | undefined): LostJobAt | string {
  const parsed = parseRestoreAfter(text ?? '');
  if (typeof parsed === 'string' || parsed.kind === 'at-once' || parsed.kind === 'after-fines-job') {
    return `the Overdue and Lost Loan job's run (RELINK_LOST_JOB_AT) "${text ?? ''}" is not "next HH:MM" like "next 02:00" or a duration like "6 hours"`;
  }
  return parsed;
}

const durationMs = (text: string | undefined): number | undefined => {
  if (!text || !/^\d+\s*[a-z]+$/i.test(text.trim())) return undefined;
  try {
    const ms = msToNumber(text.trim() as Duration);
    return ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The holding-address limit in ms, for lostModeProblems; Infinity when it is not a duration (a problem the limit's
 * own check reports, not the Lost mode's).
 */
export function holdingLimitMs(limit: string | undefined): number {
  try {
    return limit === undefined ? Infinity : msToNumber(limit as Duration);
  } catch {
    return Infinity;
  }
}

/** The longest the job can take to act: its threshold, plus a day for a daily run (or the duration given). */
export function lostByJobWithinMs(afterOverdue: string, jobAt: LostJobAt): number | undefined {
  const threshold = durationMs(afterOverdue);
  if (threshold === undefined) return undefined;
  return threshold + (jobAt.kind === 'next' ? 86_400_000 : jobAt.ms);
}

/**
 * The problems of the lost-mode settings, in staff words: the mode, its threshold and schedule, and that the job can
 * act before the holding-address limit (the holding address would otherwise stay past it for nothing).
 */
export function lostModeProblems(input: {
  lostMode?: string;
  lostAfterOverdue?: string;
  lostJobAt?: string;
  dueDateLead?: string;
  holdingAddressLimitMs: number;
}): string[] {
  const mode = input.lostMode ?? 'staff-click';
  if (!(LOST_MODES as readonly string[]).includes(mode)) {
    return [`the Lost mode (RELINK_LOST_MODE) "${mode}" is not one of ${LOST_MODES.join(', ')}`];
  }
  if (mode === 'staff-click') return [];
  const problems: string[] = [];
  if (durationMs(input.lostAfterOverdue) === undefined)
    problems.push(
      `the overdue-job mode needs the profile's lost threshold as a duration (RELINK_LOST_AFTER_OVERDUE), like "1 day", not "${input.lostAfterOverdue ?? ''}"`,
    );
  const jobAt = parseLostJobAt(input.lostJobAt);
  if (typeof jobAt === 'string') problems.push(jobAt);
  if (input.dueDateLead !== undefined && durationMs(input.dueDateLead) === undefined)
    problems.push(`the due-date lead "${input.dueDateLead}" is not a duration`);
  if (problems.length === 0 && typeof jobAt !== 'string') {
    const within = lostByJobWithinMs(input.lostAfterOverdue!, jobAt)!;
    if (within >= input.holdingAddressLimitMs) {
      problems.push(
        `in the overdue-job mode Alma's job may take up to ${Math.ceil(within / 3_600_000)} hours to declare a loan ` +
          `Lost (RELINK_LOST_AFTER_OVERDUE ${input.lostAfterOverdue} plus the job's run), longer than the ` +
          'holding-address limit (RELINK_HOLDING_ADDRESS_LIMIT): give these loans a profile with a shorter threshold, ' +
          'or keep the staff click',
      );
    }
  }
  return problems;
}
