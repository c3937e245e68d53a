// Development on this machine only (npm start, npm run desk on loopback): no identity provider, so the developer
// types the name the audit records. Refused from any address that is not loopback.
import type { Express, Request } from 'express';
import { isLoopback } from '../../config';
import type { Forms } from '../forms';
import { render } from '../render';
import { AccessRefused, sessionOf, staffNameSchema } from './staff';

function fromLoopback(req: Request): void {
  if (!isLoopback(req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '')) {
    throw new AccessRefused(403, 'Development sign-in works only from this machine.');
  }
}

export function installDevSignIn(app: Express, forms: Forms): void {
  app.get('/sign-in', (req, res) => {
    fromLoopback(req);
    res.send(render('sign-in', { req, res, mode: 'dev', title: 'Sign in' }));
  });
  app.post('/sign-in', forms.parse, forms.protect, (req, res) => {
    fromLoopback(req);
    const name = staffNameSchema.safeParse((req.body as Record<string, unknown>).name ?? '');
    if (!name.success) {
      res
        .status(400)
        .send(render('sign-in', { req, res, mode: 'dev', title: 'Sign in', error: name.error.issues[0]!.message }));
      return;
    }
    sessionOf(req).staff = name.data;
    res.redirect(303, '/');
  });
}
