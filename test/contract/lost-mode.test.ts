// RELINK_LOST_MODE's settings, checked before anything starts: the mode, the profile's threshold, the job's run, and
// that the job can act before the holding-address limit.
import { lostModeProblems, parseLostJobAt } from '../../src/contract';

const WEEK = 7 * 86_400_000;

describe('the Lost mode settings', () => {
  it('needs nothing for the staff click, and a threshold and a schedule for the overdue job', () => {
    expect(lostModeProblems({ holdingAddressLimitMs: WEEK })).toEqual([]);
    expect(lostModeProblems({ lostMode: 'staff-click', holdingAddressLimitMs: WEEK })).toEqual([]);
    expect(lostModeProblems({ lostMode: 'by-magic', holdingAddressLimitMs: WEEK })).toEqual([
      'the Lost mode (RELINK_LOST_MODE) "by-magic" is not one of staff-click, overdue-job',
    ]);
    const missing = lostModeProblems({ lostMode: 'overdue-job', holdingAddressLimitMs: WEEK });
    expect(missing).toHaveLength(2);
    expect(missing[0]).toMatch(/RELINK_LOST_AFTER_OVERDUE/);
    expect(missing[1]).toMatch(/RELINK_LOST_JOB_AT/);
    expect(
      lostModeProblems({
        lostMode: 'overdue-job',
        lostAfterOverdue: '1 day',
        lostJobAt: 'next 02:00',
        holdingAddressLimitMs: WEEK,
      }),
    ).toEqual([]);
  });

  it('refuses a threshold the job cannot meet within the holding-address limit (a 30-day profile)', () => {
    const [problem] = lostModeProblems({
      lostMode: 'overdue-job',
      lostAfterOverdue: '30 days',
      lostJobAt: 'next 02:00',
      holdingAddressLimitMs: WEEK,
    });
    expect(problem).toMatch(/up to 744 hours .* longer than the holding-address limit/);
  });

  it('reads the job schedule as next HH:MM or a duration', () => {
    expect(parseLostJobAt('next 02:30')).toEqual({ kind: 'next', hour: 2, minute: 30 });
    expect(parseLostJobAt('6 hours')).toEqual({ kind: 'duration', ms: 6 * 3_600_000 });
    expect(parseLostJobAt('0')).toMatch(/is not "next HH:MM"/);
    expect(parseLostJobAt('tonight')).toMatch(/is not "next HH:MM"/);
  });
});
