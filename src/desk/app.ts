// The relink desk: a small web app for circulation staff, beside the worker. It holds the Temporal connection and the
// codec key (through RelinkClient), so staff PCs need only a browser. Server-rendered pages with plain HTML forms;
// a small script refreshes the home page. helmet's strict CSP, signed HTTP-only session cookies, CSRF tokens on every
// form, a rate limit on starts.
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import cookieSession from 'cookie-session';
import helmet from 'helmet';
import { RelinkClientError, type RelinkClient } from '../client';
import type { RelinkSettings } from '../config';
import { PROJECT_ROOT } from '../project-root';
import { BATCH_MAX_DEFAULT } from '../staff-input/batch-file';
import { installAuth, type DeskAuth } from './auth';
import { AccessRefused, sessionOf } from './auth/staff';
import { refuseCrossSiteForms } from './cross-site';
import { NotFound } from './errors';
import { createForms } from './forms';
import { batchPage } from './pages/batch';
import { findPage } from './pages/find';
import { relinkPage } from './pages/relink';
import { startPage } from './pages/start';
import { waitingPage } from './pages/waiting';
import { render } from './render';
import { createSessions, type SessionOptions } from './sessions';
import { memorySeenMarks, type SeenMarks } from './seen-marks';
import { stdoutStaffLog, type StaffLog } from './staff-log';
import { createStartLimit } from './start-limit';
import { timeFormat } from './words';

export interface DeskOptions {
  relinks: RelinkClient;
  /** The relink settings (holding address, desks, deadlines) every start uses, as `relink start` does. */
  relink: RelinkSettings;
  auth: DeskAuth;
  sessionKeys: string[];
  /** Server-side session ends (DESK_SESSION_MAX_AGE, DESK_SESSION_IDLE) and where sessions are kept. */
  sessions?: SessionOptions;
  /** Cookies only over https: true when the desk's public address is https. */
  secureCookies?: boolean;
  startsPerMinute?: number;
  /** Items one batch file may hold (DESK_BATCH_MAX). */
  batchMax?: number;
  /** The library's time zone (ALMA_TIME_ZONE): the pages show times in it. */
  timeZone?: string;
  log?: StaffLog;
  /** Relinks on one page of Find a relink (default 25). */
  findPageSize?: number;
  /** Where "seen" marks on ended relinks are kept (default: the desk's memory, seen-marks.ts). */
  seen?: SeenMarks;
}

export function createDeskApp({
  relinks,
  relink,
  auth,
  sessionKeys,
  sessions: sessionOptions,
  secureCookies = false,
  startsPerMinute = 30,
  batchMax = BATCH_MAX_DEFAULT,
  timeZone = 'UTC',
  log = stdoutStaffLog,
  seen = memorySeenMarks(),
  findPageSize,
}: DeskOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind the sign-in or TLS proxy, express (proxy-addr) knows which peers are the proxies; nobody else is trusted.
  // Their X-Forwarded-Proto tells the desk the browser's connection is https, so the Secure cookie is sent at all.
  app.set('trust proxy', auth.kind === 'dev' ? false : (auth.trustedProxies ?? false));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use('/static', express.static(path.join(PROJECT_ROOT, 'src', 'desk', 'static'), { maxAge: '1h' }));
  // Before the session is read: a refused cross-site form must not write the cookie (that signed staff out).
  app.use(refuseCrossSiteForms);
  const when = timeFormat(timeZone);
  app.use((_req, res, next) => {
    res.locals.when = when;
    next();
  });
  const sessions = createSessions(sessionOptions);
  app.use(
    cookieSession({
      name: 'relink-desk',
      keys: sessionKeys,
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies,
      // The browser's copy lasts no longer than the session; the server ends it (sessions/) whatever the browser keeps.
      maxAge: sessions.maxAgeMs,
    }),
  );
  app.use(sessions.check);
  const forms = createForms();
  app.use((req, res, next) => {
    res.locals.csrfToken = () => forms.token(req);
    next();
  });

  const requireStaff = installAuth(app, auth, forms, sessions);
  app.use(requireStaff);

  // Per staff member: one person's runaway script does not hold up the rest of the desk.
  const starts = createStartLimit(startsPerMinute, (req, res) => {
    res.status(429).send(
      render('error', {
        req,
        res,
        title: 'Too many starts',
        message: `At most ${startsPerMinute} starts a minute, a batch's relinks included. Wait a minute and try again.`,
      }),
    );
  });
  const limit = starts.middleware;
  waitingPage(app, { relinks, seen, forms, log });
  startPage(app, { relinks, relink, forms, limit, log });
  relinkPage(app, { relinks, forms, log });
  findPage(app, relinks, findPageSize);
  batchPage(app, { relinks, relink, forms, limit, log, starts, startsPerMinute, batchMax });

  app.use((req, res) => {
    res.status(404).send(render('error', { req, res, title: 'Not found', message: 'The desk has no such page.' }));
  });
  const errors: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const status =
      err instanceof AccessRefused
        ? err.status
        : err instanceof NotFound || (err instanceof RelinkClientError && err.kind === 'not-found')
          ? 404
          : err instanceof RelinkClientError
            ? 409
            : ((err as { status?: number }).status ?? 500);
    const message =
      status === 413
        ? 'The form was larger than the desk takes. Send less at once (a batch file of at most 1 MB).'
        : err instanceof Error
          ? err.message
          : String(err);
    if (status >= 500) console.error(`desk: ${req.method} ${req.path}: ${message}`);
    // An error page never starts a session: its only form (sign out) uses the token the session already has.
    res.locals.csrfToken = () => sessionOf(req).csrfToken ?? '';
    res.status(status).send(
      render('error', {
        req,
        res,
        title: status === 403 ? 'Refused' : status === 401 ? 'Not signed in' : 'Something went wrong',
        message,
      }),
    );
  };
  app.use(errors);
  return app;
}
