// The desk's own settings (DESK_*), checked at start with the same message shape as the rest (ConfigError): where it
// listens, how staff sign in, the session key and the start rate limit.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import { ConfigError, isLoopback, isTimeZone } from '../config';
import { withSecretFiles } from '../secret-files';
import { batchMaxSchema } from '../staff-input/batch-file';
import type { DeskAuth } from './auth';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** The names express's `trust proxy` (proxy-addr) knows besides addresses and CIDR ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * One entry of DESK_TRUSTED_PROXIES, checked here because express would only throw at the first request. A /0 range
 * trusts every address, so anyone could pass a staff name in the header: refused.
 */
const trustedProxy = z.string().superRefine((entry, ctx) => {
  if (PROXY_RANGE_NAMES.includes(entry)) return;
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  const max = family === 6 ? 128 : 32;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!family || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${entry}" is not an address, a CIDR range like 10.20.0.0/16, or one of ${PROXY_RANGE_NAMES.join(', ')}`,
    });
  } else if (prefix === 0) {
    ctx.addIssue({
      code: 'custom',
      message:
        `"${entry}" trusts every address, so anyone could send a staff name in the header: name the sign-in ` +
        "proxy's own addresses",
    });
  }
});

const MINUTE = 60_000;
const DAY = 24 * 3600_000;

/** A session length like "10 hours", in ms, between `min` and `max`. */
const sessionLength = (example: string, min: number, minWords: string, max: number, maxWords: string) =>
  z
    .string()
    .default(example)
    .transform((text, ctx) => {
      let ms: number;
      try {
        ms = msToNumber(text as Duration);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a duration like "${example}"` });
        return z.NEVER;
      }
      if (ms < min) ctx.addIssue({ code: 'custom', message: `must be at least ${minWords}` });
      if (ms > max) ctx.addIssue({ code: 'custom', message: `must be at most ${maxWords}` });
      return ms;
    });

/**
 * DESK_SESSION_DATABASE_URL: a postgres:// URL naming a database. It holds a password, so no message repeats it
 * (zod's own messages never quote the value; these do not either).
 */
const sessionDatabaseUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a URL like postgresql://relink_desk@db.example:5432/relink_desk',
    });
    return;
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:')
    ctx.addIssue({ code: 'custom', message: `must be a postgresql:// URL, not ${url.protocol}//` });
  else if (url.pathname.length <= 1)
    ctx.addIssue({ code: 'custom', message: 'names no database: end it with /relink_desk' });
  else if (!url.username) ctx.addIssue({ code: 'custom', message: 'names no role: postgresql://relink_desk@…' });
});

const deskSchema = z.object({
  DESK_HOST: z.string().min(1).default('127.0.0.1'),
  DESK_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  /** The address staff open (https://desk.library.example.edu): the OpenID Connect redirect, secure cookies. */
  DESK_PUBLIC_URL: z.url({ message: 'must be a URL like https://relink-desk.library.example.edu' }).optional(),
  /** Keys that sign the session cookie, comma-separated; the first signs, all verify (rotation). */
  DESK_SESSION_KEYS: list.pipe(z.array(z.string().min(32, 'each key needs at least 32 characters')).min(1)).optional(),
  // Sign-in through the library's OpenID Connect provider ...
  DESK_OIDC_ISSUER: z.url({ message: 'must be the issuer URL of the OpenID Connect provider' }).optional(),
  DESK_OIDC_CLIENT_ID: z.string().min(1).optional(),
  DESK_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The ID token claim that names the staff member. */
  DESK_OIDC_USER_CLAIM: z.string().min(1).default('preferred_username'),
  // ... or through a reverse proxy that signs staff in (Shibboleth, Apache) and passes their name in a header.
  DESK_PROXY_USER_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'must be a header name like X-Remote-User')
    .default('X-Remote-User'),
  /**
   * The proxies' addresses (IPs or CIDR ranges): the sign-in proxy, whose header from any other address is refused;
   * with OpenID Connect, the TLS-terminating proxy in front, whose X-Forwarded-Proto says the browser uses https.
   */
  DESK_TRUSTED_PROXIES: list.pipe(z.array(trustedProxy).min(1)).optional(),
  /** A signed-in session ends this long after sign-in, however much it is used (the server decides, not the cookie). */
  DESK_SESSION_MAX_AGE: sessionLength('10 hours', 5 * MINUTE, '5 minutes', 7 * DAY, '7 days'),
  /** ... and this long after it was last used (the home page's own refresh is not use). */
  DESK_SESSION_IDLE: sessionLength('1 hour', MINUTE, '1 minute', 7 * DAY, '7 days'),
  /**
   * Where sessions are kept when several desk processes share them or they outlive a restart: the desk's own
   * database in the deployment's PostgreSQL (or DESK_SESSION_DATABASE_URL_FILE). Unset: the process's memory.
   */
  DESK_SESSION_DATABASE_URL: sessionDatabaseUrl.optional(),
  /** Relinks one staff member may start a minute, a batch's each counted: a batch goes at this pace. */
  DESK_STARTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  /** Items one batch file may hold (relink batch reads the same setting). */
  DESK_BATCH_MAX: batchMaxSchema,
  /** The library's time zone, the worker's setting: the desk shows times in it. */
  ALMA_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone like Europe/Helsinki or America/Chicago')
    .default('UTC'),
});

export type DeskEnv = z.infer<typeof deskSchema>;

export interface DeskSettings {
  host: string;
  port: number;
  publicUrl?: string;
  sessionKeys: string[];
  /** `database`: DESK_SESSION_DATABASE_URL, the PostgreSQL store; without it, the memory store. */
  sessions: { maxAgeMs: number; idleMs: number; database?: string };
  auth: DeskAuth;
  startsPerMinute: number;
  batchMax: number;
  timeZone: string;
}

/**
 * The desk's settings. Without OpenID Connect or a trusted proxy it refuses to start, except on loopback, where a
 * developer signs in by typing a name (and the session key is a fresh random one).
 */
export function loadDeskSettings(env: NodeJS.ProcessEnv = process.env): DeskSettings {
  env = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  try {
    // The database URL holds the desk role's password: from a file (a compose secret, a systemd credential).
    env = withSecretFiles(env, ['DESK_SESSION_DATABASE_URL']);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  const parsed = deskSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const d = parsed.data;
  const problems: string[] = [];
  const oidc = d.DESK_OIDC_ISSUER !== undefined;
  const proxy = d.DESK_TRUSTED_PROXIES !== undefined;
  let auth: DeskAuth = { kind: 'dev' };
  if (oidc) {
    if (!d.DESK_OIDC_CLIENT_ID) problems.push('DESK_OIDC_CLIENT_ID: is required with DESK_OIDC_ISSUER');
    if (!d.DESK_OIDC_CLIENT_SECRET) problems.push('DESK_OIDC_CLIENT_SECRET: is required with DESK_OIDC_ISSUER');
    if (!d.DESK_PUBLIC_URL) problems.push('DESK_PUBLIC_URL: is required with DESK_OIDC_ISSUER (the redirect address)');
    auth = {
      kind: 'oidc',
      issuer: d.DESK_OIDC_ISSUER!,
      clientId: d.DESK_OIDC_CLIENT_ID ?? '',
      clientSecret: d.DESK_OIDC_CLIENT_SECRET ?? '',
      publicUrl: d.DESK_PUBLIC_URL ?? '',
      userClaim: d.DESK_OIDC_USER_CLAIM,
      ...(proxy ? { trustedProxies: d.DESK_TRUSTED_PROXIES! } : {}),
    };
  } else if (proxy) {
    auth = { kind: 'proxy', header: d.DESK_PROXY_USER_HEADER, trustedProxies: d.DESK_TRUSTED_PROXIES! };
  } else if (!isLoopback(d.DESK_HOST)) {
    problems.push(
      `DESK_HOST: the desk listens on ${d.DESK_HOST} but has no sign-in: set DESK_OIDC_ISSUER (OpenID Connect) or ` +
        'DESK_TRUSTED_PROXIES (a reverse proxy passing DESK_PROXY_USER_HEADER). Only on loopback does it run without.',
    );
  }
  // The desk has no TLS listener of its own: an https address means a proxy terminates TLS, and unless the desk
  // believes that proxy it sees plain http, never sends its Secure session cookie, and nobody stays signed in.
  if (d.DESK_PUBLIC_URL?.startsWith('https:') && !proxy)
    problems.push(
      'DESK_PUBLIC_URL: is https, but the desk itself speaks plain http and trusts no proxy, so it would never send ' +
        'its Secure session cookie and nobody could stay signed in: put the desk behind the TLS-terminating reverse ' +
        "proxy and set DESK_TRUSTED_PROXIES to that proxy's address (it must send X-Forwarded-Proto: https)",
    );
  if (d.DESK_SESSION_IDLE > d.DESK_SESSION_MAX_AGE)
    problems.push('DESK_SESSION_IDLE: is longer than DESK_SESSION_MAX_AGE, so it would never end a session');
  if (auth.kind !== 'dev' && !d.DESK_SESSION_KEYS)
    problems.push(
      'DESK_SESSION_KEYS: is required with a sign-in (at least 32 random characters, e.g. from openssl rand -base64 32)',
    );
  if (problems.length) throw new ConfigError(problems);
  return {
    host: d.DESK_HOST,
    port: d.DESK_PORT,
    ...(d.DESK_PUBLIC_URL ? { publicUrl: d.DESK_PUBLIC_URL } : {}),
    // On loopback without a sign-in: sessions last as long as this process.
    sessionKeys: d.DESK_SESSION_KEYS ?? [randomBytes(32).toString('base64url')],
    sessions: {
      maxAgeMs: d.DESK_SESSION_MAX_AGE,
      idleMs: d.DESK_SESSION_IDLE,
      ...(d.DESK_SESSION_DATABASE_URL ? { database: d.DESK_SESSION_DATABASE_URL } : {}),
    },
    auth,
    startsPerMinute: d.DESK_STARTS_PER_MINUTE,
    batchMax: d.DESK_BATCH_MAX,
    timeZone: d.ALMA_TIME_ZONE,
  };
}
