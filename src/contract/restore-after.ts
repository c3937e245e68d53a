// RELINK_RESTORE_AFTER: the quiet period between a verified Lost and the restore, so the letters Alma's scheduled jobs
// send about the new lost-item fee (the fines/fees notification) still go to the holding address. Shared by the
// configuration, the CLI and the workflow (which bundles this file: no I/O, no Node built-ins).
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';

/** The default: restore at once, as the manual procedure does. */
export const RESTORE_AT_ONCE = '0';

export type RestoreAfter =
  | { kind: 'at-once' }
  | { kind: 'duration'; ms: number }
  /** After the next HH:MM in the institution's time zone (ALMA_TIME_ZONE): the night's fines/fees job has run. */
  | { kind: 'next'; hour: number; minute: number }
  /**
   * Until Alma reports (a webhook) that its Fines/Fees Notification job has run after the Lost, or `limitMs` has
   * passed, whichever comes first: "after-fines-job" (limit AFTER_FINES_JOB_LIMIT) or "after-fines-job up to 3 days".
   */
  | { kind: 'after-fines-job'; limitMs: number };

/** How long "after-fines-job" waits at most for Alma's report of the job (a message lost on the way). */
export const AFTER_FINES_JOB_LIMIT = '48 hours';
const AFTER_JOB = /^after-fines-job(?:\s+up\s+to\s+(\d+\s*[a-z]+))?$/i;

const NEXT = /^next\s+([01]?\d|2[0-3]):([0-5]\d)$/i;
// The Lost deadline's duration form (config.ts), read the same way (Temporal's ms strings).
const DURATION = /^\d+\s*[a-z]+$/i;

/** The setting read, or a problem in staff words. */
export function parseRestoreAfter(text: string | undefined): RestoreAfter | string {
  const value = (text ?? RESTORE_AT_ONCE).trim();
  if (value === RESTORE_AT_ONCE) return { kind: 'at-once' };
  const next = NEXT.exec(value);
  if (next) return { kind: 'next', hour: Number(next[1]), minute: Number(next[2]) };
  const afterJob = AFTER_JOB.exec(value);
  if (afterJob) {
    try {
      const limitMs = msToNumber((afterJob[1] ?? AFTER_FINES_JOB_LIMIT) as Duration);
      if (limitMs > 0) return { kind: 'after-fines-job', limitMs };
    } catch {
      // reported below
    }
  }
  if (DURATION.test(value)) {
    try {
      const ms = msToNumber(value as Duration);
      if (ms > 0) return { kind: 'duration', ms };
    } catch {
      // reported below
    }
  }
  return `the quiet period before the restore (RELINK_RESTORE_AFTER) "${value}" is not 0, a duration like "12 hours", "next HH:MM" like "next 02:30", or "after-fines-job" (with Alma's webhooks; "after-fines-job up to 3 days" to bound it)`;
}

export function restoreAfterProblem(text: string | undefined): string | undefined {
  const parsed = parseRestoreAfter(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

/**
 * The first moment after `from` (epoch ms) at which the clock in `timeZone` reads HH:MM, as epoch ms. A wall time that
 * a daylight-saving change skips is taken an hour later, as a scheduler would run it.
 */
export function nextWallClock(from: number, hour: number, minute: number, timeZone: string): number {
  const parts = (t: number) => {
    const fields = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(t);
    const get = (type: string) => Number(fields.find((f) => f.type === type)?.value);
    return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
  };
  // The zone's offset at t: its wall clock read as if UTC, minus t (whole seconds).
  const offset = (t: number) => {
    const p = parts(t);
    return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(t / 1000) * 1000;
  };
  const today = parts(from);
  for (let day = 0; day < 3; day++) {
    const wall = Date.UTC(today.y, today.mo - 1, today.d + day, hour, minute);
    // Two passes settle the offset across a daylight-saving change.
    let t = wall - offset(wall);
    t = wall - offset(t);
    if (t > from) return t;
  }
  return from + 86_400_000; // unreachable: some HH:MM of the next three days is after `from`
}

/** A moment as Alma writes one: ISO 8601 in UTC, to the second. */
export const isoSeconds = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
