// Sign-in through the library's OpenID Connect provider: authorization code flow with PKCE and state, by
// openid-client. The provider is discovered once, at the first sign-in. What openid-client throws becomes a page in
// staff words: a refused answer is the staff member's to retry (400), a provider unreachable or answering what the
// desk cannot check is the operator's (502), never a bare 500.
import type { Express } from 'express';
import type * as Oidc from 'openid-client';
import { render } from '../render';
import type { Sessions } from '../sessions';
import { AccessRefused, sessionOf, staffNameSchema, type DeskAuth } from './staff';

type OidcAuth = Extract<DeskAuth, { kind: 'oidc' }>;

/** The library's sign-in failed on its side or between it and the desk (502): staff can only retry or report it. */
export class SignInUnavailable extends Error {
  readonly status = 502;
}

const TELL = 'if it keeps happening, tell whoever runs the relink desk';

/** openid-client's error as the page staff see. Nothing from the provider's answer is echoed but its error code. */
function inStaffWords(lib: typeof Oidc, err: unknown): Error {
  if (err instanceof lib.ResponseBodyError) {
    if (err.error === 'invalid_grant')
      return new AccessRefused(400, 'This sign-in answer was already used or has expired. Sign in again.');
    return new SignInUnavailable(
      `The library's sign-in refused the desk (${err.error.replace(/[^\w.-]/g, '')}). Sign in again; ${TELL}.`,
    );
  }
  if (err instanceof lib.AuthorizationResponseError)
    return new AccessRefused(400, "The library's sign-in ended with an error. Sign in again.");
  // fetch's own TypeError (no code) and openid-client's timeout: the provider did not answer.
  const unreachable =
    (err instanceof TypeError && !('code' in err)) || (err instanceof lib.ClientError && err.code === 'OAUTH_TIMEOUT');
  if (unreachable)
    return new SignInUnavailable(`The desk could not reach the library's sign-in. Try again in a minute; ${TELL}.`);
  return new SignInUnavailable(
    `The library's sign-in answered in a way the desk could not check. Sign in again; ${TELL}.`,
  );
}

export function installOidc(app: Express, auth: OidcAuth, sessions: Sessions): void {
  // openid-client is an ES module; loaded on first use, so a desk without OpenID Connect never loads it.
  let discovered: Promise<{ lib: typeof Oidc; config: Oidc.Configuration }> | undefined;
  const discover = () =>
    (discovered ??= (async () => {
      const lib = await import('openid-client');
      const issuer = new URL(auth.issuer);
      // Plain http only for a provider on this machine (development and the tests).
      const insecure = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      const config = await lib.discovery(
        issuer,
        auth.clientId,
        auth.clientSecret,
        undefined,
        insecure ? { execute: [lib.allowInsecureRequests] } : undefined,
      );
      return { lib, config };
    })().catch((err: unknown) => {
      discovered = undefined; // try again at the next sign-in
      throw err;
    }));
  const provider = () =>
    discover().catch(async (err: unknown) => Promise.reject(inStaffWords(await import('openid-client'), err)));
  const redirectUri = new URL('/auth/callback', auth.publicUrl).href;

  app.get('/sign-in', (req, res) => {
    res.send(render('sign-in', { req, res, mode: 'oidc', title: 'Sign in' }));
  });

  app.get('/sign-in/oidc', async (req, res) => {
    const { lib, config } = await provider();
    const verifier = lib.randomPKCECodeVerifier();
    const state = lib.randomState();
    sessionOf(req).oidc = { state, verifier };
    const url = lib.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile',
      code_challenge: await lib.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    res.redirect(303, url.href);
  });

  app.get('/auth/callback', async (req, res) => {
    const session = sessionOf(req);
    const pending = session.oidc;
    if (!pending)
      throw new AccessRefused(401, 'This sign-in was not started here, or it was already used. Sign in again.');
    delete session.oidc;
    // The provider's answer, checked here for a page in staff words; openid-client checks it all again below.
    const query = req.query as Record<string, unknown>;
    if (query.state !== pending.state)
      throw new AccessRefused(400, 'This sign-in answer does not belong to the sign-in started here. Sign in again.');
    if (query.error === 'access_denied')
      throw new AccessRefused(
        401,
        "The library's sign-in did not let you in (access denied). Sign in again, or ask who runs the sign-in for " +
          'access to the relink desk.',
      );
    if (query.error !== undefined)
      throw new AccessRefused(400, "The library's sign-in ended with an error. Sign in again.");
    const { lib, config } = await provider();
    const current = new URL(req.originalUrl, auth.publicUrl);
    const tokens = await lib
      .authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state })
      .catch((err: unknown) => Promise.reject(inStaffWords(lib, err)));
    const claims = tokens.claims();
    const name = staffNameSchema.safeParse(claims?.[auth.userClaim] ?? claims?.sub);
    if (!name.success) throw new AccessRefused(403, `The sign-in did not give a usable ${auth.userClaim}.`);
    await sessions.begin(req, name.data);
    res.redirect(303, '/');
  });
}
