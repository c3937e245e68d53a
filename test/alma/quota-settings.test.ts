// The worker's settings for the daily-quota floor's recheck: validated with the other settings, one message for all.
import { loadSettings } from '../../src/config';

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
