// Sign-in by a reverse proxy (Shibboleth, Apache mod_auth_*): the proxy authenticates staff and passes the name in a
// header. Only the configured proxies may: express's own `trust proxy` list (proxy-addr) decides who they are.
import type { Request } from 'express';
import { AccessRefused, staffNameSchema } from './staff';

/** The staff name the proxy passed, undefined when none; AccessRefused when the request did not come through it. */
export function proxyStaff(req: Request, header: string): string | undefined {
  const trusted = req.app.get('trust proxy fn') as (addr: string, i: number) => boolean;
  const peer = req.socket.remoteAddress ?? '';
  if (!trusted(peer, 0)) {
    throw new AccessRefused(403, 'This desk is reached only through the library sign-in proxy.');
  }
  const value = req.get(header);
  if (value === undefined || value === '') return undefined;
  const name = staffNameSchema.safeParse(value);
  if (!name.success) throw new AccessRefused(403, `The sign-in proxy passed a name the desk does not accept.`);
  return name.data;
}
