// Who is at the desk: the staff member's name, from the library's OpenID Connect provider, from a trusted reverse
// proxy's header, or (on loopback only, in development) typed in. Every page but the sign-in needs one.
import type { Express, NextFunction, Request, Response } from 'express';
import type { Forms } from '../forms';
import type { Sessions } from '../sessions';
import { installDevSignIn } from './dev';
import { installOidc } from './oidc';
import { proxyStaff } from './proxy';
import { AccessRefused, sessionOf, type DeskAuth } from './staff';

export { AccessRefused, sessionOf, staffNameSchema, type DeskAuth, type DeskSession } from './staff';

/**
 * Installs the sign-in routes and returns the middleware that puts the staff member's name in res.locals.staff, or
 * refuses the request (a page asks to sign in; anything else gets 401/403).
 */
export function installAuth(
  app: Express,
  auth: DeskAuth,
  forms: Forms,
  sessions: Sessions,
): (req: Request, res: Response, next: NextFunction) => void {
  if (auth.kind === 'dev') installDevSignIn(app, forms, sessions);
  if (auth.kind === 'oidc') installOidc(app, auth, sessions);
  app.post('/sign-out', forms.parse, forms.protect, async (req, res) => {
    // The session ends on the server, not only in this browser: a copy of the cookie is refused from now on.
    await sessions.end(req);
    res.redirect(303, auth.kind === 'proxy' ? '/' : '/sign-in');
  });

  return (req, res, next) => {
    let staff: string | undefined;
    try {
      staff = auth.kind === 'proxy' ? proxyStaff(req, auth.header) : sessionOf(req).staff;
    } catch (err) {
      return next(err);
    }
    if (!staff) {
      if (req.method === 'GET' && auth.kind !== 'proxy') return res.redirect(303, '/sign-in');
      return next(new AccessRefused(401, 'Sign in first.'));
    }
    res.locals.staff = staff;
    next();
  };
}
