// The worker's settings for the daily-quota floor's recheck: validated with the other settings, one message for all.
import { loadSettings, workerRateShare } from '../../src/config';

describe('quota floor settings', () => {
  const base = { ALMA_API_KEY: 'k', ALMA_REGION: 'eu' };
  const alma = (env: Record<string, string>) => loadSettings(['alma'], { ...base, ...env }, { dotenv: false }).alma;

  it('ALMA_QUOTA_RECHECK is a duration (default 5 minutes), ALMA_TIME_ZONE an IANA name (default UTC)', () => {
    expect(alma({})).toMatchObject({ ALMA_QUOTA_RECHECK: 300_000, ALMA_TIME_ZONE: 'UTC' });
    expect(alma({ ALMA_QUOTA_RECHECK: '90 seconds', ALMA_TIME_ZONE: 'America/Chicago' })).toMatchObject({
      ALMA_QUOTA_RECHECK: 90_000,
      ALMA_TIME_ZONE: 'America/Chicago',
    });
  });

  it('refuses what is not a duration or a time zone, naming the setting', () => {
    expect(() => alma({ ALMA_QUOTA_RECHECK: '5 parsecs', ALMA_TIME_ZONE: 'Mars/Olympus_Mons' })).toThrow(
      /ALMA_QUOTA_RECHECK: must be a duration[\s\S]*ALMA_TIME_ZONE: must be an IANA time zone/,
    );
    expect(() => alma({ ALMA_QUOTA_RECHECK: '10 ms' })).toThrow(/ALMA_QUOTA_RECHECK: must be at least 1 second/);
  });
});

describe('one Alma rate limit shared by several workers', () => {
  const base = { ALMA_API_KEY: 'k', ALMA_REGION: 'eu' };
  const alma = (env: Record<string, string>) => loadSettings(['alma'], { ...base, ...env }, { dotenv: false }).alma;

  it('each of ALMA_RATE_LIMIT_WORKERS workers takes an equal share (default: one worker, the whole limit)', () => {
    expect(workerRateShare(alma({ ALMA_RATE_LIMIT: '24' }))).toBe(24);
    expect(workerRateShare(alma({ ALMA_RATE_LIMIT: '24', ALMA_RATE_LIMIT_WORKERS: '4' }))).toBe(6);
  });

  it('refuses a worker count that is not a whole number of at least 1', () => {
    expect(() => alma({ ALMA_RATE_LIMIT_WORKERS: '0' })).toThrow(/ALMA_RATE_LIMIT_WORKERS/);
    expect(() => alma({ ALMA_RATE_LIMIT_WORKERS: '1.5' })).toThrow(/ALMA_RATE_LIMIT_WORKERS/);
  });
});
