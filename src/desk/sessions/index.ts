// Signed-in sessions that end on the server. The signed cookie (cookie-session, keys rotated as before) carries a
// random session id; the store holds what the server alone decides: when it began, when it was last used, whether
// it still exists. Sign-out and expiry delete the record, so a cookie copied earlier signs nobody in again.
import { createHash, randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { sessionOf } from '../auth/staff';
import { MemorySessionStore } from './memory-store';
import type { SessionStore } from './store';

export type { SessionRecord, SessionStore } from './store';

/** The defaults of DESK_SESSION_MAX_AGE and DESK_SESSION_IDLE: a working day, an hour away from the desk. */
export const SESSION_DEFAULTS = { maxAgeMs: 10 * 3600_000, idleMs: 3600_000 };

export interface SessionOptions {
  maxAgeMs?: number;
  idleMs?: number;
  store?: SessionStore;
  /** The desk's clock (tests move it). */
  now?: () => number;
}

export interface Sessions {
  /** Checks the request's session against the store: an ended one is emptied (signed out) with a word why. */
  check: RequestHandler;
  /** Signs `staff` in: a new session id, so an id from before the sign-in (fixation) is worth nothing. */
  begin(req: Request, staff: string): Promise<void>;
  /** Signs out: the record goes, then the cookie. */
  end(req: Request): Promise<void>;
  maxAgeMs: number;
  store: SessionStore;
}

/** Writes of "last used" at most this often: idle expiry is exact to a minute, the store spared a write a page. */
const TOUCH_EVERY_MS = 60_000;

const keyOf = (id: string) => createHash('sha256').update(id).digest('base64url');

const duration = (ms: number) =>
  ms % 3600_000 === 0 ? `${ms / 3600_000} hour${ms === 3600_000 ? '' : 's'}` : `${Math.round(ms / 60_000)} minutes`;

/** A request the page's own script makes on its own (the home page's refresh): not staff using the desk. */
const background = (req: Request) => req.method === 'GET' && req.query.fragment === '1';

export function createSessions({
  maxAgeMs = SESSION_DEFAULTS.maxAgeMs,
  idleMs = SESSION_DEFAULTS.idleMs,
  store = new MemorySessionStore(),
  now = Date.now,
}: SessionOptions = {}): Sessions {
  let sweptAt = 0;
  const sweep = async (t: number) => {
    if (t - sweptAt < TOUCH_EVERY_MS) return;
    sweptAt = t;
    await store.sweep({ createdBefore: t - maxAgeMs, seenBefore: t - idleMs });
  };

  const check: RequestHandler = async (req, _res, next) => {
    try {
      const session = sessionOf(req);
      // Nobody signed in (before sign-in: the CSRF token and the OpenID Connect state only), or the proxy's header
      // names staff on each request: nothing on the server to check.
      if (!session.sid && !session.staff) return next();
      const t = now();
      const key = session.sid ? keyOf(session.sid) : undefined;
      const record = key ? await store.get(key) : undefined;
      const ended = !record
        ? 'You were signed out. Sign in again.'
        : record.staff !== session.staff
          ? 'Sign in again.'
          : t - record.createdAt >= maxAgeMs
            ? `You were signed out: a session lasts at most ${duration(maxAgeMs)}. Sign in again.`
            : t - record.seenAt >= idleMs
              ? `You were signed out after ${duration(idleMs)} without using the desk. Sign in again.`
              : undefined;
      if (ended) {
        if (record && key) await store.revoke(key);
        for (const name of Object.keys(session)) delete (session as Record<string, unknown>)[name];
        session.flash = ended;
      } else if (!background(req) && t - record!.seenAt >= TOUCH_EVERY_MS) {
        await store.touch(key!, t);
      }
      await sweep(t);
      next();
    } catch (err) {
      next(err);
    }
  };

  return {
    check,
    maxAgeMs,
    store,
    async begin(req, staff) {
      const session = sessionOf(req);
      if (session.sid) await store.revoke(keyOf(session.sid));
      const sid = randomBytes(32).toString('base64url');
      const t = now();
      await store.create(keyOf(sid), { staff, createdAt: t, seenAt: t });
      session.sid = sid;
      session.staff = staff;
      // A fresh CSRF token for the signed-in session: one seen before sign-in is not carried over.
      delete session.csrfToken;
    },
    async end(req) {
      const sid = sessionOf(req).sid;
      if (sid) await store.revoke(keyOf(sid));
      req.session = null;
    },
  };
}
