// Development on this machine only (npm start, npm run desk on loopback): no identity provider, so the developer
// types the name the audit records. Refused from any address that is not loopback, and through a proxy: a reverse
// proxy on this machine connects from loopback too, and would let anyone who reaches it sign in by a typed name.
import type { Express, Request } from 'express';
import { isLoopback } from '../../config';
import type { Forms } from '../forms';
import type { Sessions } from '../sessions';
import { render } from '../render';
import { AccessRefused, staffNameSchema } from './staff';

/** Headers a proxy adds for the client it forwards (RFC 7239's Forwarded and the de facto X-Forwarded-*). */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];

function fromLoopback(req: Request): void {
  if (!isLoopback(req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '')) {
    throw new AccessRefused(403, 'Development sign-in works only from this machine.');
  }
  if (PROXY_HEADERS.some((h) => req.get(h) !== undefined)) {
    throw new AccessRefused(
      403,
      'Development sign-in works only from a browser on this machine, not through a proxy. To reach the desk ' +
        'through a proxy, set up a real sign-in (DESK_OIDC_ISSUER or DESK_TRUSTED_PROXIES).',
    );
  }
}

export function installDevSignIn(app: Express, forms: Forms, sessions: Sessions): void {
  app.get('/sign-in', (req, res) => {
    fromLoopback(req);
    res.send(render('sign-in', { req, res, mode: 'dev', title: 'Sign in' }));
  });
  app.post('/sign-in', forms.parse, forms.protect, async (req, res) => {
    fromLoopback(req);
    const name = staffNameSchema.safeParse((req.body as Record<string, unknown>).name ?? '');
    if (!name.success) {
      res
        .status(400)
        .send(render('sign-in', { req, res, mode: 'dev', title: 'Sign in', error: name.error.issues[0]!.message }));
      return;
    }
    await sessions.begin(req, name.data);
    res.redirect(303, '/');
  });
}
