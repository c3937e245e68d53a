// The desk's settings are checked at start: a trusted proxy that is not an address or a range, or a range that
// trusts every address, stops the desk before it listens, saying why.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConfigError } from '../../src/config';
import { loadDeskSettings } from '../../src/desk/settings';

const KEYS = 'a session key for the desk of at least 32 characters';
const withProxies = (DESK_TRUSTED_PROXIES: string) => ({ DESK_TRUSTED_PROXIES, DESK_SESSION_KEYS: KEYS });

describe('the desk settings', () => {
  it('refuses a trusted proxy that is not an address or a range, and ranges that trust everyone', () => {
    expect(() => loadDeskSettings(withProxies('10.1.2.3, notanip'))).toThrow(ConfigError);
    expect(() => loadDeskSettings(withProxies('notanip'))).toThrow(
      /DESK_TRUSTED_PROXIES.1?.*"notanip" is not an address, a CIDR range like 10\.20\.0\.0\/16, or one of loopback/,
    );
    expect(() => loadDeskSettings(withProxies('10.0.0.0/33'))).toThrow(/"10\.0\.0\.0\/33" is not an address/);
    for (const everyone of ['0.0.0.0/0', '::/0'])
      expect(() => loadDeskSettings(withProxies(everyone))).toThrow(
        new RegExp(`"${everyone.replace(/\./g, '\\.')}" trusts every address, so anyone could send a staff name`),
      );
    expect(loadDeskSettings(withProxies('loopback, 10.20.0.0/16, 2001:db8::1')).auth).toEqual({
      kind: 'proxy',
      header: 'X-Remote-User',
      trustedProxies: ['loopback', '10.20.0.0/16', '2001:db8::1'],
    });
  });

  it('takes the library time zone for its pages, and refuses one Intl does not know', () => {
    expect(loadDeskSettings({}).timeZone).toBe('UTC');
    expect(loadDeskSettings({ ALMA_TIME_ZONE: 'Europe/Helsinki' }).timeZone).toBe('Europe/Helsinki');
    expect(() => loadDeskSettings({ ALMA_TIME_ZONE: 'Mars/Olympus' })).toThrow(/ALMA_TIME_ZONE: must be an IANA/);
  });

  it('trusts the TLS proxy in front in OpenID Connect mode too, and refuses https with nothing to carry it', () => {
    const oidc = {
      DESK_OIDC_ISSUER: 'https://idp.library.example.edu',
      DESK_OIDC_CLIENT_ID: 'relink-desk',
      DESK_OIDC_CLIENT_SECRET: 'secret',
      DESK_SESSION_KEYS: KEYS,
    };
    const behindTls = {
      ...oidc,
      DESK_PUBLIC_URL: 'https://desk.library.example.edu',
      DESK_TRUSTED_PROXIES: '10.1.2.3',
    };
    expect(loadDeskSettings(behindTls).auth).toEqual(
      expect.objectContaining({ kind: 'oidc', trustedProxies: ['10.1.2.3'] }),
    );
    // https, but the desk speaks plain http and believes no proxy: the Secure cookie would never come back.
    for (const env of [
      { ...oidc, DESK_PUBLIC_URL: 'https://desk.library.example.edu' },
      { DESK_PUBLIC_URL: 'https://desk.library.example.edu' },
    ])
      expect(() => loadDeskSettings(env)).toThrow(
        /DESK_PUBLIC_URL: is https, but the desk itself speaks plain http and trusts no proxy.*DESK_TRUSTED_PROXIES/,
      );
    expect(loadDeskSettings({ ...oidc, DESK_PUBLIC_URL: 'http://127.0.0.1:8090' }).auth.kind).toBe('oidc');
  });

  it('ends sessions after DESK_SESSION_MAX_AGE, or DESK_SESSION_IDLE without use, both checked', () => {
    expect(loadDeskSettings({}).sessions).toEqual({ maxAgeMs: 10 * 3600_000, idleMs: 3600_000 });
    expect(loadDeskSettings({ DESK_SESSION_MAX_AGE: '8 hours', DESK_SESSION_IDLE: '20 minutes' }).sessions).toEqual({
      maxAgeMs: 8 * 3600_000,
      idleMs: 20 * 60_000,
    });
    expect(() => loadDeskSettings({ DESK_SESSION_IDLE: 'soon' })).toThrow(
      /DESK_SESSION_IDLE: must be a duration like "1 hour"/,
    );
    expect(() => loadDeskSettings({ DESK_SESSION_MAX_AGE: '30 days' })).toThrow(
      /DESK_SESSION_MAX_AGE: must be at most 7 days/,
    );
    expect(() => loadDeskSettings({ DESK_SESSION_IDLE: '10 seconds' })).toThrow(
      /DESK_SESSION_IDLE: must be at least 1 minute/,
    );
    expect(() => loadDeskSettings({ DESK_SESSION_MAX_AGE: '1 hour', DESK_SESSION_IDLE: '2 hours' })).toThrow(
      /DESK_SESSION_IDLE: is longer than DESK_SESSION_MAX_AGE/,
    );
  });

  it('npm run desk stops before it listens, exit 1, naming the bad entry', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/desk/main.ts'], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: {
        ...process.env,
        ...withProxies('notanip'),
        DESK_PORT: '0',
        RELINK_HOLDING_EMAIL: 'h@library.example.edu',
        ALMA_DESK_MAP: 'MAIN=DESK',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    expect(code).toBe(1);
    expect(out).toMatch(/"notanip" is not an address/);
    expect(out).not.toMatch(/Relink desk on/);
  });
});
