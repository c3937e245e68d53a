// Settings from the environment (or a .env file), validated once at start with one message listing everything
// missing or malformed. Each entry point asks only for the parts it uses: the CLI never needs the Alma API key.
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import type { CirculationDesks } from './workflows/types';
import { EMAIL_PATTERN } from './workflows/validate';

const regions = ['na', 'eu', 'ap', 'aps', 'ca', 'cn'] as const;

const temporalSchema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  RELINK_TASK_QUEUE: z.string().min(1).default('alma-relink'),
  /** Base of the Temporal Web UI, for the links staff tools print. */
  TEMPORAL_UI_URL: z.url({ message: 'must be a URL like http://127.0.0.1:8233' }).default('http://127.0.0.1:8233'),
});

const almaSchema = z
  .object({
    ALMA_BASE_URL: z.url({ message: 'must be a URL like https://api-eu.hosted.exlibrisgroup.com' }).optional(),
    ALMA_REGION: z.enum(regions, { message: `must be one of ${regions.join(', ')}` }).optional(),
    ALMA_API_KEY: z.string({ message: 'is required (an Alma API key with Users and Bibs read/write)' }).min(1),
    ALMA_RATE_LIMIT: z.coerce.number().positive().max(1000).default(20),
    ALMA_MIN_DAILY_REMAINING: z.coerce.number().int().min(0).default(5000),
  })
  .refine((c) => c.ALMA_BASE_URL || c.ALMA_REGION, {
    message: 'set ALMA_BASE_URL or ALMA_REGION (na, eu, ap, aps, ca, cn)',
    path: ['ALMA_BASE_URL'],
  });

const deskMap = z
  .string()
  .regex(/^\s*[\w-]+=[\w-]+(\s*,\s*[\w-]+=[\w-]+)*\s*$/, 'must look like MAIN=DEFAULT_CIRC_DESK,SCI=SCI_DESK')
  .transform((s) => Object.fromEntries(s.split(',').map((pair) => pair.trim().split('=') as [string, string])));

const duration = z.string().regex(/^\d+\s*[a-z]+$/i, 'must be a duration like "24 hours"');

const relinkSchema = z
  .object({
    RELINK_HOLDING_EMAIL: z
      .string({ message: 'is required (the library address that receives notices)' })
      .regex(EMAIL_PATTERN, 'must be an email address'),
    ALMA_LIBRARY: z.string().min(1).optional(),
    ALMA_CIRC_DESK: z.string().min(1).optional(),
    ALMA_DESK_MAP: deskMap.optional(),
    RELINK_LOST_DEADLINE: duration.default('24 hours'),
    // How often the relink checks Alma for the Lost click by itself (workflow defaults 1 minute, up to 30 minutes).
    RELINK_LOST_POLL_INITIAL: duration.optional(),
    RELINK_LOST_POLL_MAX: duration.optional(),
  })
  .refine((c) => (c.ALMA_LIBRARY && c.ALMA_CIRC_DESK) || c.ALMA_DESK_MAP, {
    message: 'set ALMA_LIBRARY and ALMA_CIRC_DESK, or ALMA_DESK_MAP (e.g. MAIN=DEFAULT_CIRC_DESK,SCI=SCI_DESK)',
    path: ['ALMA_CIRC_DESK'],
  });

export type TemporalSettings = z.infer<typeof temporalSchema>;
export type AlmaSettings = z.infer<typeof almaSchema>;
export type RelinkSettings = z.infer<typeof relinkSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The configuration is incomplete:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSet these in the environment or in a .env file.`,
    );
  }
}

type Part = 'temporal' | 'alma' | 'relink';
const schemas = { temporal: temporalSchema, alma: almaSchema, relink: relinkSchema };

export interface Settings {
  temporal: TemporalSettings;
  alma: AlmaSettings;
  relink: RelinkSettings;
}

/** Validates the named parts of the configuration together, so one message lists every problem. */
export function loadSettings<P extends Part>(
  parts: readonly P[],
  env: NodeJS.ProcessEnv = process.env,
  { dotenv = true }: { dotenv?: boolean } = {},
): Pick<Settings, P> {
  if (dotenv) loadDotenv({ quiet: true });
  const problems: string[] = [];
  const out: Partial<Settings> = {};
  for (const part of parts) {
    const parsed = schemas[part].safeParse(env);
    if (parsed.success) (out as Record<string, unknown>)[part] = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => `${i.path.join('.') || part}: ${i.message}`));
  }
  if (problems.length) throw new ConfigError(problems);
  return out as Pick<Settings, P>;
}

export function desksOf(relink: RelinkSettings): CirculationDesks {
  return {
    ...(relink.ALMA_LIBRARY ? { library: relink.ALMA_LIBRARY } : {}),
    ...(relink.ALMA_CIRC_DESK ? { circDesk: relink.ALMA_CIRC_DESK } : {}),
    ...(relink.ALMA_DESK_MAP ? { deskByLibrary: relink.ALMA_DESK_MAP } : {}),
  };
}
