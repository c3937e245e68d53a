import { nextWallClock, parseRestoreAfter, relinkInputProblems } from '../../src/contract';
import { simulatedRelink } from '../../src/dev/relink-input';

describe('RELINK_RESTORE_AFTER', () => {
  it('reads 0, durations and next HH:MM', () => {
    expect(parseRestoreAfter(undefined)).toEqual({ kind: 'at-once' });
    expect(parseRestoreAfter('0')).toEqual({ kind: 'at-once' });
    expect(parseRestoreAfter('12 hours')).toEqual({ kind: 'duration', ms: 12 * 3_600_000 });
    expect(parseRestoreAfter('90m')).toEqual({ kind: 'duration', ms: 90 * 60_000 });
    expect(parseRestoreAfter('next 02:30')).toEqual({ kind: 'next', hour: 2, minute: 30 });
    expect(parseRestoreAfter('next 7:05')).toEqual({ kind: 'next', hour: 7, minute: 5 });
    expect(parseRestoreAfter('after-fines-job')).toEqual({ kind: 'after-fines-job', limitMs: 48 * 3_600_000 });
    expect(parseRestoreAfter('after-fines-job up to 3 days')).toEqual({
      kind: 'after-fines-job',
      limitMs: 3 * 86_400_000,
    });
  });

  it.each(['tomorrow', 'next 24:00', 'next 2:3', '-1 hours', '0 hours', 'at 02:30', '', 'after-fines-job up to soon'])(
    'refuses "%s"',
    (text) => {
      expect(parseRestoreAfter(text)).toEqual(expect.stringContaining('RELINK_RESTORE_AFTER'));
    },
  );

  it('is checked with the rest of the input, before the relink reads Alma', () => {
    expect(relinkInputProblems(simulatedRelink('p', ['1'], { restoreAfter: 'soon' }))).toEqual([
      expect.stringContaining('"soon" is not 0, a duration like "12 hours", "next HH:MM"'),
    ]);
    expect(relinkInputProblems(simulatedRelink('p', ['1'], { restoreAfter: 'next 02:30' }))).toEqual([]);
    // The report that ends it comes from Alma's webhooks: without them it would always last its limit.
    expect(relinkInputProblems(simulatedRelink('p', ['1'], { restoreAfter: 'after-fines-job' }))).toEqual([
      expect.stringMatching(/"after-fines-job" .* ends on the report of Alma's webhooks, which are not configured/),
    ]);
    expect(
      relinkInputProblems(simulatedRelink('p', ['1'], { restoreAfter: 'after-fines-job', webhooks: true })),
    ).toEqual([]);
  });
});

describe('nextWallClock', () => {
  const at = (s: string) => Date.parse(s);
  it('is later today, or tomorrow once the time has passed', () => {
    expect(nextWallClock(at('2026-11-30T01:00:00Z'), 2, 30, 'UTC')).toBe(at('2026-11-30T02:30:00Z'));
    expect(nextWallClock(at('2026-11-30T02:30:00Z'), 2, 30, 'UTC')).toBe(at('2026-12-01T02:30:00Z'));
  });

  it('reads the clock of the time zone', () => {
    // Helsinki is UTC+2 in winter: 02:30 there is 00:30 UTC.
    expect(nextWallClock(at('2026-11-30T07:00:00Z'), 2, 30, 'Europe/Helsinki')).toBe(at('2026-12-01T00:30:00Z'));
    // Chicago is UTC-6 in winter: 02:30 there is 08:30 UTC, still today.
    expect(nextWallClock(at('2026-11-30T07:00:00Z'), 2, 30, 'America/Chicago')).toBe(at('2026-11-30T08:30:00Z'));
  });

  it('crosses a daylight-saving change', () => {
    // Europe/Helsinki goes to UTC+3 at 03:00 local on 2026-03-29: 04:00 local that day is 01:00 UTC.
    expect(nextWallClock(at('2026-03-28T23:00:00Z'), 4, 0, 'Europe/Helsinki')).toBe(at('2026-03-29T01:00:00Z'));
    // 03:30 does not exist that night in Helsinki (03:00 becomes 04:00): taken an hour later, 04:30 local.
    expect(nextWallClock(at('2026-03-28T23:00:00Z'), 3, 30, 'Europe/Helsinki')).toBe(at('2026-03-29T01:30:00Z'));
  });
});
