// The OpenID Connect callback when the sign-in does not succeed: the provider answers access_denied (401), the
// answer's state is not the one this sign-in started (400), the provider refuses the code (invalid_grant, 400), or
// cannot be reached (502). Each is a page in staff words, not a 500. Plain HTTP
// against a real provider (oidc-provider, in its own process as in desk-oidc.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fixturesWith } from '../../src/alma-sim/builders';
import { freePort } from '../../src/dev/free-port';
import { cliEnv } from '../cli/run-cli';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { PageAxe } from './desk-axe';
import { DeskClient } from './desk-support';

/** Starts a process and resolves once `ready` shows in its output. */
function launch(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const proc = spawn(process.execPath, args, { cwd: path.resolve(__dirname, '..', '..'), env });
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve(proc);
    };
    proc.stdout.on('data', seen);
    proc.stderr.on('data', seen);
    proc.on('close', () => reject(new Error(`exited before it was ready: ${out}`)));
  });
}

describe('the OpenID Connect callback', () => {
  let h: RelinkHarness;
  let provider: ChildProcess;
  let deskProc: ChildProcess;
  let desk: { url: string };
  let issuer: string;
  const axe = new PageAxe();
  beforeAll(async () => {
    h = await startHarness(fixturesWith({}));
    const [idpPort, deskPort] = [await freePort(), await freePort()];
    desk = { url: `http://127.0.0.1:${deskPort}` };
    issuer = `http://127.0.0.1:${idpPort}`;
    provider = await launch(
      [path.join(__dirname, '..', 'support', 'oidc-provider.mjs'), String(idpPort), `${desk.url}/auth/callback`],
      process.env,
      /oidc provider ready/,
    );
    // openid-client is an ES module jest cannot load: the desk runs as npm run desk does, in its own process.
    deskProc = await launch(
      ['--import', 'tsx', 'src/desk/main.ts'],
      cliEnv(h, {
        DESK_PORT: String(deskPort),
        DESK_PUBLIC_URL: desk.url,
        DESK_OIDC_ISSUER: issuer,
        DESK_OIDC_CLIENT_ID: 'relink-desk',
        DESK_OIDC_CLIENT_SECRET: 'relink-desk-test-secret',
        DESK_SESSION_KEYS: 'a session key for the desk of at least 32 characters',
      }),
      /Relink desk on/,
    );
  }, 120_000);
  afterAll(async () => {
    await axe.close();
    for (const proc of [deskProc, provider]) {
      // A process killed by a signal has signalCode set and exitCode null: waiting for its close would never end.
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) continue;
      const closed = new Promise((resolve) => proc.once('close', resolve));
      proc.kill('SIGTERM');
      await closed;
    }
    await h?.close();
  });

  /** Begins a sign-in at the desk: the state it sent to the provider. */
  async function begin(staff: DeskClient): Promise<string> {
    const res = await staff.request('/sign-in/oidc');
    expect(res.status).toBe(303);
    return new URL(res.location!).searchParams.get('state')!;
  }

  it('answers access_denied with a 401 page in staff words', async () => {
    const staff = new DeskClient(desk.url);
    const state = await begin(staff);
    const res = await staff.request(`/auth/callback?error=access_denied&state=${state}`);
    expect(res.status).toBe(401);
    expect(res.html).toMatch(/The library&#39;s sign-in did not let you in \(access denied\)/);
    await axe.check(`${desk.url}/auth/callback`, res.html, 'OIDC access denied (401)');
  });

  it('answers a state that is not this sign-in with a 400 page in staff words', async () => {
    const staff = new DeskClient(desk.url);
    await begin(staff);
    const res = await staff.request('/auth/callback?code=stolen&state=not-this-one');
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/does not belong to the sign-in started here/);
    await axe.check(`${desk.url}/auth/callback`, res.html, 'OIDC state not this sign-in (400)');
    // Any other error the provider names: 400, not 500.
    const state = await begin(staff);
    const other = await staff.request(`/auth/callback?error=server_error&state=${state}`);
    expect(other.status).toBe(400);
  });

  it('answers a code the provider refuses (invalid_grant) with a 400 page in staff words', async () => {
    const staff = new DeskClient(desk.url);
    const state = await begin(staff);
    // The right state and issuer, a code the provider never gave: openid-client's token request gets invalid_grant.
    const res = await staff.request(`/auth/callback?code=not-a-code-it-gave&state=${state}&iss=${issuer}`);
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/This sign-in answer was already used or has expired\. Sign in again\./);
    await axe.check(`${desk.url}/auth/callback`, res.html, 'OIDC code refused (400)');
  });

  // Last: it stops the provider.
  it('answers a provider unreachable at the callback with a 502 page in staff words', async () => {
    const staff = new DeskClient(desk.url);
    const state = await begin(staff);
    const closed = new Promise((resolve) => provider.once('close', resolve));
    provider.kill('SIGTERM');
    await closed;
    const res = await staff.request(`/auth/callback?code=any&state=${state}&iss=${issuer}`);
    expect(res.status).toBe(502);
    expect(res.html).toMatch(/The desk could not reach the library&#39;s sign-in\. Try again in a minute/);
    await axe.check(`${desk.url}/auth/callback`, res.html, 'OIDC provider unreachable (502)');
  });
});
