// Settings from the environment (or a .env file), validated once at start with one message listing everything
// missing or malformed. Each entry point asks only for the parts it uses: the CLI never needs the Alma API key.
import { existsSync, readFileSync } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';
import type { TLSConfig } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { networkListSchema } from './codec/access';
import { keyListSchema } from './codec/keys';
import { DEFAULT_RATE_LIMIT } from './alma/rate-limiter';
import { withSecretFiles } from './secret-files';
import {
  DEFAULT_HOLDING_EMAIL_TYPE,
  EMAIL_PATTERN,
  holdingLimitMs,
  LOST_MODES,
  lostModeProblems,
  RELINK_DEFAULTS,
  RESTORE_AT_ONCE,
  restoreAfterProblem,
  type CirculationDesks,
} from './contract';

const regions = ['na', 'eu', 'ap', 'aps', 'ca', 'cn'] as const;

/** A PEM given inline (`-----BEGIN ...`) or as a file path, read at start so a wrong path is reported with the rest. */
function pemOrFile(what: string) {
  return z.string().transform((value, ctx) => {
    if (value.trimStart().startsWith('-----BEGIN')) return Buffer.from(value.replace(/\\n/g, '\n'));
    try {
      return readFileSync(value);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `cannot read ${what} from ${value}: ${(err as NodeJS.ErrnoException).code}`,
      });
      return z.NEVER;
    }
  });
}

const temporalSchema = z
  .object({
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d+$/, 'must be host:port')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    RELINK_TASK_QUEUE: z.string().min(1).default('alma-relink'),
    /** Base of the Temporal Web UI, for the links staff tools print. */
    TEMPORAL_UI_URL: z.url({ message: 'must be a URL like http://127.0.0.1:8233' }).default('http://127.0.0.1:8233'),
    // A multi-node cluster behind TLS, or Temporal Cloud: mTLS client certificate and key, or an API key.
    TEMPORAL_TLS_CERT: pemOrFile('the client certificate (PEM)').optional(),
    TEMPORAL_TLS_KEY: pemOrFile('the client private key (PEM)').optional(),
    TEMPORAL_TLS_CA: pemOrFile("the server's CA certificate (PEM)").optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    /** TLS without a client certificate (a server with a public certificate); implied by the other TLS settings. */
    TEMPORAL_TLS: z.stringbool({ message: 'must be true or false' }).optional(),
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    /** The worker adds the relink's search attributes at start when missing (needs operator rights; off for Cloud). */
    RELINK_REGISTER_SEARCH_ATTRIBUTES: z.stringbool({ message: 'must be true or false' }).default(true),
  })
  .refine((t) => !t.TEMPORAL_TLS_CERT === !t.TEMPORAL_TLS_KEY, {
    message: 'set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY together (the client certificate and its key)',
    path: ['TEMPORAL_TLS_KEY'],
  })
  .refine((t) => !(t.TEMPORAL_TLS === false && (t.TEMPORAL_TLS_CERT || t.TEMPORAL_API_KEY || t.TEMPORAL_TLS_CA)), {
    message: 'TEMPORAL_TLS=false contradicts the TLS certificate or API key settings',
    path: ['TEMPORAL_TLS'],
  });

/** A duration like "5 minutes", in ms. */
const durationMs = (example: string) =>
  z.string().transform((text, ctx) => {
    try {
      return msToNumber(text as Duration);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a duration like "${example}"` });
      return z.NEVER;
    }
  });

/** Whether Intl knows the IANA time zone (node ships full ICU). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const almaSchema = z
  .object({
    ALMA_BASE_URL: z.url({ message: 'must be a URL like https://api-eu.hosted.exlibrisgroup.com' }).optional(),
    ALMA_REGION: z.enum(regions, { message: `must be one of ${regions.join(', ')}` }).optional(),
    ALMA_API_KEY: z.string({ message: 'is required (an Alma API key with Users and Bibs read/write)' }).min(1),
    // Alma's per-second threshold is the institution's, shared by every integration: a sandbox allows 10, production
    // 25 or 50 (ALMA_THRESHOLDS). The default, 10, fits both; raise it only on production (relink doctor checks it).
    ALMA_RATE_LIMIT: z.coerce.number().positive().max(1000).default(DEFAULT_RATE_LIMIT),
    // How many worker processes share ALMA_RATE_LIMIT: each keeps to an equal share, so together they never exceed it.
    ALMA_RATE_LIMIT_WORKERS: z.coerce.number().int().min(1).max(100).default(1),
    ALMA_MIN_DAILY_REMAINING: z.coerce.number().int().min(0).default(5000),
    // A reading below the floor is refreshed by one call after this long, or after the institution's midnight (when
    // Alma's count restarts): without it a worker that once read a low count would never call Alma again.
    ALMA_QUOTA_RECHECK: durationMs('5 minutes')
      .pipe(z.number().min(1000, 'must be at least 1 second'))
      .prefault('5 minutes'),
    ALMA_TIME_ZONE: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone like Europe/Helsinki or America/Chicago')
      .default('UTC'),
    // The loan process status code that means Lost, from Alma's Loan Process Status code table (relink doctor shows
    // it); unset: LOST or LOST_LOAN, the likely codes.
    ALMA_LOST_PROCESS_STATUS: z
      .string()
      .trim()
      .regex(/^[\w-]+$/, "must be a code of Alma's loan process status code table, e.g. LOST")
      .optional(),
  })
  .refine((c) => c.ALMA_BASE_URL || c.ALMA_REGION, {
    message: 'set ALMA_BASE_URL or ALMA_REGION (na, eu, ap, aps, ca, cn)',
    path: ['ALMA_BASE_URL'],
    when: () => true, // report it with the other problems, not only once they are fixed
  });

/** The calls per second this worker process may start: its equal share of the institution's ALMA_RATE_LIMIT. */
export function workerRateShare(alma: Pick<AlmaSettings, 'ALMA_RATE_LIMIT' | 'ALMA_RATE_LIMIT_WORKERS'>): number {
  return alma.ALMA_RATE_LIMIT / alma.ALMA_RATE_LIMIT_WORKERS;
}

const deskMap = z
  .string()
  .regex(/^\s*[\w-]+=[\w-]+(\s*,\s*[\w-]+=[\w-]+)*\s*$/, 'must look like MAIN=DEFAULT_CIRC_DESK,SCI=SCI_DESK')
  .transform((s) => Object.fromEntries(s.split(',').map((pair) => pair.trim().split('=') as [string, string])));

const duration = z.string().regex(/^\d+\s*[a-z]+$/i, 'must be a duration like "24 hours"');

/** A duration setting given on the command line (relink start --holding-address-limit), by the same rule. */
export const durationSchema = duration;

/**
 * Why a holding-address limit does not fit the Lost deadline, if it does not: the limit counts from the same start
 * (the Lost wait), so a shorter one would leave no overdue wait at all.
 */
export function holdingLimitProblem(limit: string, lostDeadline: string): string | undefined {
  try {
    if (msToNumber(limit as Duration) >= msToNumber(lostDeadline as Duration)) return undefined;
  } catch {
    return `"${limit}" or "${lostDeadline}" is not a duration like "7 days"`;
  }
  return (
    `the holding-address limit (${limit}) is shorter than the Lost deadline (${lostDeadline}); both count from the ` +
    'start of the Lost wait, so the limit must be at least the deadline'
  );
}

const relinkSchema = z
  .object({
    RELINK_HOLDING_EMAIL: z
      .string({ message: 'is required (the library address that receives notices)' })
      .regex(EMAIL_PATTERN, 'must be an email address'),
    // The holding entry's email_type: a code of the institution's EmailTypes code table.
    RELINK_HOLDING_EMAIL_TYPE: z
      .string()
      .regex(/^[\w-]+$/, "must be a code of Alma's EmailTypes code table, e.g. work")
      .default(DEFAULT_HOLDING_EMAIL_TYPE),
    ALMA_LIBRARY: z.string().min(1).optional(),
    ALMA_CIRC_DESK: z.string().min(1).optional(),
    ALMA_DESK_MAP: deskMap.optional(),
    // Circulation desks with hold-shelf processing (Alma's desk setting): their scan-in places the item on the shelf.
    ALMA_HOLD_SHELF_DESKS: z
      .string()
      .regex(/^\s*[\w-]+(\s*,\s*[\w-]+)*\s*$/, 'must be desk codes like SCI_DESK,LAW_DESK')
      .transform((s) => s.split(',').map((code) => code.trim()))
      .optional(),
    RELINK_LOST_DEADLINE: duration.default(RELINK_DEFAULTS.lostDeadline),
    // How long the holding address may stay (from the start of the Lost wait): past the Lost deadline the relink is
    // overdue and waits for staff; at this limit it returns its loans itself and restores.
    RELINK_HOLDING_ADDRESS_LIMIT: duration.default(RELINK_DEFAULTS.holdingAddressLimit),
    // How often the relink checks Alma for the Lost click by itself (unset: RELINK_DEFAULTS).
    RELINK_LOST_POLL_INITIAL: duration.optional(),
    RELINK_LOST_POLL_MAX: duration.optional(),
    // Alma's webhooks reach this deployment (npm run webhooks): the relink's own checks become the fallback.
    RELINK_WEBHOOKS: z
      .enum(['on', 'off', '1', '0', 'true', 'false'])
      .transform((v) => v === 'on' || v === '1' || v === 'true')
      .default(false),
    // How long after the restore a follow-up reads the record again, to undo a write Alma applies late.
    RELINK_RESTORE_RECHECK: duration.default(RELINK_DEFAULTS.restoreRecheck),
    // The quiet period between a verified Lost and the restore: 0 (at once), a duration, or "next HH:MM" (ALMA_TIME_ZONE).
    RELINK_RESTORE_AFTER: z
      .string()
      .trim()
      .superRefine((value, ctx) => {
        if (restoreAfterProblem(value))
          ctx.addIssue({
            code: 'custom',
            message: 'must be 0, a duration like "12 hours", "next 02:30" or "after-fines-job"',
          });
      })
      .default(RESTORE_AT_ONCE),
    // Who declares the loans Lost: staff-click (default) or overdue-job, Alma's Overdue and Lost Loan job (lost-mode.ts).
    RELINK_LOST_MODE: z.enum(LOST_MODES).default('staff-click'),
    RELINK_LOST_AFTER_OVERDUE: duration.optional(),
    RELINK_LOST_JOB_AT: z.string().trim().optional(),
  })
  .superRefine((c, ctx) => {
    const problem = holdingLimitProblem(c.RELINK_HOLDING_ADDRESS_LIMIT, c.RELINK_LOST_DEADLINE);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['RELINK_HOLDING_ADDRESS_LIMIT'] });
    for (const message of lostModeProblems({
      lostMode: c.RELINK_LOST_MODE,
      lostAfterOverdue: c.RELINK_LOST_AFTER_OVERDUE,
      lostJobAt: c.RELINK_LOST_JOB_AT,
      holdingAddressLimitMs: holdingLimitMs(c.RELINK_HOLDING_ADDRESS_LIMIT),
    }))
      ctx.addIssue({ code: 'custom', message, path: ['RELINK_LOST_MODE'] });
  })
  .refine((c) => (c.ALMA_LIBRARY && c.ALMA_CIRC_DESK) || c.ALMA_DESK_MAP, {
    message: 'set ALMA_LIBRARY and ALMA_CIRC_DESK, or ALMA_DESK_MAP (e.g. MAIN=DEFAULT_CIRC_DESK,SCI=SCI_DESK)',
    path: ['ALMA_CIRC_DESK'],
    when: () => true, // report it with the other problems, not only once they are fixed
  });

const originList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ message: 'must be origins like http://127.0.0.1:8233 (comma-separated)' })).min(1));

const codecSchema = z
  .object({
    /** `id:base64key[,id:base64key...]`: 32-byte AES keys; the first encrypts, all decrypt (rotation). */
    RELINK_CODEC_KEYS: keyListSchema.optional(),
    /** The same list in a file (one entry a line, # comments): a Docker or Kubernetes secret. */
    RELINK_CODEC_KEY_FILE: z
      .string()
      .min(1)
      .transform((file, ctx) => {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code}` });
          return z.NEVER;
        }
        const parsed = keyListSchema.safeParse(text);
        if (!parsed.success) {
          for (const issue of parsed.error.issues)
            ctx.addIssue({ code: 'custom', message: `${file}: ${issue.message}` });
          return z.NEVER;
        }
        return parsed.data;
      })
      .optional(),
    /** The codec server: where it listens, and which Web UI origins may call it from a browser. */
    RELINK_CODEC_HOST: z.string().min(1).default('127.0.0.1'),
    RELINK_CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(8888),
    RELINK_CODEC_CORS_ORIGINS: originList.default(['http://127.0.0.1:8233', 'http://localhost:8233']),
    /** Who may decode (codec/access.ts): tokens of this OIDC issuer, and/or callers from these networks. */
    RELINK_CODEC_OIDC_ISSUER: z.url({ message: 'must be the OIDC issuer URL' }).optional(),
    RELINK_CODEC_OIDC_AUDIENCE: z.string().min(1).optional(),
    RELINK_CODEC_OIDC_JWKS_URL: z.url({ message: 'must be a URL' }).optional(),
    RELINK_CODEC_ALLOWED_NETWORKS: networkListSchema.optional(),
    /** Proxies whose X-Forwarded-For is believed (express `trust proxy`): loopback, uniquelocal, CIDRs. */
    RELINK_CODEC_TRUSTED_PROXIES: z.string().min(1).default('loopback'),
    RELINK_CODEC_ENCODE: z.stringbool({ message: 'must be true or false' }).default(true),
  })
  .refine((c) => !(c.RELINK_CODEC_KEYS && c.RELINK_CODEC_KEY_FILE), {
    message: 'set RELINK_CODEC_KEYS or RELINK_CODEC_KEY_FILE, not both',
    path: ['RELINK_CODEC_KEY_FILE'],
  });

/**
 * How much one worker process takes on. Relink activities spend nearly all their time waiting on Alma (or on the
 * client's rate limiter), so activity slots are cheap; cached workflows are what hold memory.
 */
const workerSchema = z.object({
  /** Activities running at once; each is one Alma step of one relink, mostly waiting. */
  RELINK_WORKER_MAX_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(200),
  /**
   * Workflow tasks held at once. Each is a few milliseconds of CPU, but holds its slot until the server has taken
   * its answer: with a busy server, the SDK's 40 left tasks waiting on the server for seconds.
   */
  RELINK_WORKER_MAX_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(100),
  /**
   * Open relinks kept in memory between their steps (~0.1 MB each). One past the cache is replayed from its history
   * at its next step (CPU, and a history read on the server), so this bounds memory without limiting how many
   * relinks may be open. Raising it far means raising the heap limit too (WORKER_NODE_FLAGS in worker.ts).
   */
  RELINK_WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(250),
  /**
   * A workflow bundle built by `npm run build` (dist/src/workflows.bundle.js). The compiled worker finds its own;
   * set this only to use another. Unset when running from TypeScript: the worker bundles the sources at start.
   */
  RELINK_WORKFLOW_BUNDLE: z
    .string()
    .min(1)
    .refine((file) => existsSync(file), { message: 'no such file (build one with npm run build)' })
    .optional(),
  /** The worker's JSON log lines on stderr: TRACE, DEBUG, INFO, WARN or ERROR. */
  RELINK_LOG_LEVEL: z
    .enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'], { message: 'must be TRACE, DEBUG, INFO, WARN or ERROR' })
    .default('INFO'),
  /** host:port of the worker's Prometheus endpoint (/metrics), e.g. 0.0.0.0:9464 in a container; unset: none. */
  RELINK_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-f:]+\]|[^\s:]+):\d+$/i, 'must be host:port, e.g. 0.0.0.0:9464')
    .optional(),
  /** How often the relink gauges are counted (each round is a few visibility queries). */
  RELINK_METRICS_INTERVAL: durationMs('30 seconds')
    .pipe(z.number().min(1000, 'must be at least 1 second'))
    .prefault('30 seconds'),
  /**
   * How long a stopping worker lets the steps in flight finish before cancelling them (SIGTERM, Ctrl-C). A step is a
   * few Alma calls of at most 30 s each; a cancelled one is retried by another worker, so this spares a retry.
   */
  RELINK_SHUTDOWN_GRACE: durationMs('30 seconds').prefault('30 seconds'),
});

export type TemporalSettings = z.infer<typeof temporalSchema>;
export type WorkerSettings = z.infer<typeof workerSchema>;
export type CodecSettings = z.infer<typeof codecSchema>;
export type AlmaSettings = z.infer<typeof almaSchema>;
export type RelinkSettings = z.infer<typeof relinkSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The configuration is incomplete:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these in the environment or in a .env file.`,
    );
  }
}

type Part = 'temporal' | 'alma' | 'relink' | 'codec' | 'worker';
const schemas = {
  temporal: temporalSchema,
  alma: almaSchema,
  relink: relinkSchema,
  codec: codecSchema,
  worker: workerSchema,
};

export interface Settings {
  temporal: TemporalSettings;
  alma: AlmaSettings;
  relink: RelinkSettings;
  codec: CodecSettings;
  worker: WorkerSettings;
}

/** Validates the named parts of the configuration together, so one message lists every problem. */
export function loadSettings<P extends Part>(
  parts: readonly P[],
  env: NodeJS.ProcessEnv = process.env,
  { dotenv = true }: { dotenv?: boolean } = {},
): Pick<Settings, P> {
  if (dotenv) loadDotenv({ quiet: true });
  // An empty setting counts as unset: compose files pass `${VAR:-}` for everything optional.
  env = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  try {
    env = withSecretFiles(env);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  const problems: string[] = [];
  const out: Partial<Settings> = {};
  for (const part of parts) {
    let input = env;
    if (part === 'temporal') {
      try {
        input = withEnvConfig(env);
      } catch (err) {
        problems.push(`temporal profile: ${(err as Error).message}`);
        continue;
      }
    }
    const parsed = schemas[part].safeParse(input);
    if (parsed.success) (out as Record<string, unknown>)[part] = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => `${i.path.join('.') || part}: ${i.message}`));
  }
  if (problems.length) throw new ConfigError(problems);
  return out as Pick<Settings, P>;
}

/** A TLS file of a profile: its path, or its PEM text (which pemOrFile tells apart). */
const pemSource = (source: { path: string } | { data: string | Uint8Array } | undefined): string | undefined =>
  source === undefined
    ? undefined
    : 'path' in source
      ? source.path
      : typeof source.data === 'string'
        ? source.data
        : Buffer.from(source.data).toString('utf8');

/**
 * Temporal's standard client configuration (@temporalio/envconfig): a profile of the TOML file (TEMPORAL_CONFIG_FILE,
 * or ~/.config/temporalio/temporal.toml; TEMPORAL_PROFILE picks one) and the standard variables (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH/_DATA, …_CLIENT_KEY_…,
 * …_SERVER_CA_CERT_…, TEMPORAL_TLS_SERVER_NAME). They fill the settings this project names; the project's own names
 * (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA) stay as aliases and win where both are set.
 */
export function withEnvConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const profile: ClientConfigProfile = loadClientConfigProfile({
    overrideEnvVars: env as Record<string, string>,
  });
  const tls = profile.tls;
  const fromProfile: Record<string, string | undefined> = {
    TEMPORAL_ADDRESS: profile.address,
    TEMPORAL_NAMESPACE: profile.namespace,
    TEMPORAL_API_KEY: profile.apiKey,
    TEMPORAL_TLS_CERT: pemSource(tls?.clientCert),
    TEMPORAL_TLS_KEY: pemSource(tls?.clientKey),
    TEMPORAL_TLS_CA: pemSource(tls?.serverCACert),
    TEMPORAL_TLS_SERVER_NAME: tls?.serverName,
    TEMPORAL_TLS: tls ? String(!tls.disabled) : undefined,
  };
  const filled = Object.fromEntries(Object.entries(fromProfile).filter(([, v]) => v !== undefined && v !== ''));
  return { ...filled, ...env };
}

export function desksOf(relink: RelinkSettings): CirculationDesks {
  return {
    ...(relink.ALMA_LIBRARY ? { library: relink.ALMA_LIBRARY } : {}),
    ...(relink.ALMA_CIRC_DESK ? { circDesk: relink.ALMA_CIRC_DESK } : {}),
    ...(relink.ALMA_DESK_MAP ? { deskByLibrary: relink.ALMA_DESK_MAP } : {}),
    ...(relink.ALMA_HOLD_SHELF_DESKS ? { holdShelfDesks: relink.ALMA_HOLD_SHELF_DESKS } : {}),
  };
}

/**
 * Connection options for `Connection.connect` (clients) and `NativeConnection.connect` (workers): plain gRPC to a
 * dev server, mTLS to a self-hosted cluster, or TLS with an API key to Temporal Cloud.
 */
export function temporalConnectionOptions(t: TemporalSettings): {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
} {
  const tlsConfig: TLSConfig = {
    ...(t.TEMPORAL_TLS_CERT && t.TEMPORAL_TLS_KEY
      ? { clientCertPair: { crt: t.TEMPORAL_TLS_CERT, key: t.TEMPORAL_TLS_KEY } }
      : {}),
    ...(t.TEMPORAL_TLS_CA ? { serverRootCACertificate: t.TEMPORAL_TLS_CA } : {}),
    ...(t.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: t.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
  const tls = Object.keys(tlsConfig).length > 0 || t.TEMPORAL_API_KEY !== undefined || t.TEMPORAL_TLS === true;
  return {
    address: t.TEMPORAL_ADDRESS,
    ...(tls ? { tls: tlsConfig } : {}),
    ...(t.TEMPORAL_API_KEY ? { apiKey: t.TEMPORAL_API_KEY } : {}),
  };
}

/** True for a host (or host:port, or URL) on this machine: 127.x.x.x, ::1, localhost. */
export function isLoopback(hostOrAddress: string): boolean {
  let host = hostOrAddress;
  if (/^[a-z]+:\/\//i.test(host)) host = new URL(host).hostname;
  else if (/^\[.*\](:\d+)?$/.test(host)) host = host.slice(1, host.indexOf(']'));
  else if ((host.match(/:/g) ?? []).length === 1) host = host.slice(0, host.indexOf(':'));
  host = host.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
