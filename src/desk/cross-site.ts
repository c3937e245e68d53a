// A form posted to the desk from another web site (a link or script on a page staff happened to open) is refused
// before the session is read, so it neither acts nor replaces the staff member's session cookie.
import type { RequestHandler } from 'express';
import { render } from './render';

/** Whether the browser says the form came from another site: Sec-Fetch-Site, or else the Origin header. */
function crossSite(fetchSite: string | undefined, origin: string | undefined, host: string | undefined): boolean {
  if (fetchSite) return fetchSite !== 'same-origin' && fetchSite !== 'none';
  if (!origin) return false;
  try {
    return origin === 'null' || new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export const refuseCrossSiteForms: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  if (!crossSite(req.get('sec-fetch-site'), req.get('origin'), req.get('host'))) return next();
  res.status(403).send(
    render('error', {
      req,
      res,
      title: 'Refused',
      message:
        'This form came from another web site, not from the desk, so the desk did nothing. You are still signed ' +
        'in: open the desk and use its own buttons.',
    }),
  );
};
