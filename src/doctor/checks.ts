// `relink doctor`: checks a library's real setup without changing anything, one row per check. Alma: the key
// reaches the region and may read and write Users and Bibs (Alma's own test endpoints: a POST there writes nothing),
// may read the Configuration, and every configured library and circulation desk exists. The relink: the holding
// address is well formed. Temporal: the connection, the search attributes, and no running relink stuck on its
// workflow task. Each check is independent, so one problem does not hide the others.
import { Connection } from '@temporalio/client';
import { connectClosable } from '../temporal-client-connection';
import { temporal as proto } from '@temporalio/proto';
import { ALMA_THRESHOLDS, AlmaClient, baseUrlFor, isAlmaError } from '../alma';
import {
  ConfigError,
  desksOf,
  loadSettings,
  temporalConnectionOptions,
  workerRateShare,
  type AlmaSettings,
  type RelinkSettings,
  type TemporalSettings,
} from '../config';
import { normaliseStatus } from '../activities/item-state';
import {
  DEFAULT_LOST_PROCESS_STATUSES,
  LOAN_PROCESS_STATUS_TABLE,
  lostProcessStatuses,
  lostRowOf,
} from '../activities/lost-status';
import { EMAIL_PATTERN } from '../contract';
import { RELINK_SEARCH_ATTRIBUTES } from '../namespace-setup';
import { findStuckRelinks, stuckText } from '../stuck-relinks';

/** `warning`: may be right, the doctor cannot tell (e.g. a rate fit for production only); not counted a problem. */
export type CheckStatus = 'ok' | 'problem' | 'warning' | 'skipped';
export interface CheckRow {
  area: 'settings' | 'alma' | 'relink' | 'temporal';
  check: string;
  status: CheckStatus;
  detail: string;
}

const ok = (area: CheckRow['area'], check: string, detail: string): CheckRow => ({ area, check, status: 'ok', detail });
const problem = (area: CheckRow['area'], check: string, detail: string): CheckRow => ({
  area,
  check,
  status: 'problem',
  detail,
});
const warning = (area: CheckRow['area'], check: string, detail: string): CheckRow => ({
  area,
  check,
  status: 'warning',
  detail,
});
const skipped = (area: CheckRow['area'], check: string, detail: string): CheckRow => ({
  area,
  check,
  status: 'skipped',
  detail,
});

/** One part of the settings, or the problems that part has as rows. */
function part<P extends 'alma' | 'relink' | 'temporal'>(name: P, env: NodeJS.ProcessEnv, rows: CheckRow[]) {
  try {
    return loadSettings([name], env, { dotenv: env === process.env })[name];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) rows.push(problem('settings', `${name} settings`, p));
    return undefined;
  }
}

/** What an Alma refusal means for a check, in words an administrator acts on. */
function almaProblem(err: unknown, need: string): string {
  if (!isAlmaError(err)) return (err as Error).message;
  if (err.code === 'UNAUTHORIZED')
    return `Alma refused the key (${err.code}): give it ${need} in the Developer Network, or check it is this region's and environment's key`;
  return err.message;
}

/**
 * ALMA_RATE_LIMIT against Alma's per-second thresholds. No answer of Alma's says whether a key is a sandbox's or
 * production's (both use the same gateways), so a rate above the sandbox's is a warning, and one above every
 * threshold a problem.
 */
export function rateLimitCheck(alma: Pick<AlmaSettings, 'ALMA_RATE_LIMIT' | 'ALMA_RATE_LIMIT_WORKERS'>): CheckRow {
  const rate = alma.ALMA_RATE_LIMIT;
  const { sandbox, production, productionRaised } = ALMA_THRESHOLDS;
  const check = 'per-second rate';
  const workers =
    alma.ALMA_RATE_LIMIT_WORKERS > 1
      ? ` (${alma.ALMA_RATE_LIMIT_WORKERS} workers, ${workerRateShare(alma)}/s each)`
      : '';
  const shared = 'shared with every other integration of the institution';
  if (rate <= sandbox)
    return ok(
      'alma',
      check,
      `${rate}/s${workers}: within a sandbox's ${sandbox}/s and production's ${production}/s, ${shared}`,
    );
  if (rate <= production)
    return warning(
      'alma',
      check,
      `${rate}/s${workers}: fits production (${production}/s, ${shared}) but a sandbox allows ${sandbox}/s; ` +
        `with a sandbox key set ALMA_RATE_LIMIT=${sandbox}`,
    );
  if (rate <= productionRaised)
    return warning(
      'alma',
      check,
      `${rate}/s${workers}: above production's ${production}/s; right only where Ex Libris raised the institution to ` +
        `${productionRaised}/s, ${shared}`,
    );
  return problem(
    'alma',
    check,
    `${rate}/s${workers}: above every Alma threshold (at most ${productionRaised}/s, ${shared})`,
  );
}

/**
 * Which loan process status code means Lost, read from Alma's code table, against ALMA_LOST_PROCESS_STATUS (unset: the
 * likely codes LOST and LOST_LOAN). The Lost confirmation compares a loan's process_status with it.
 */
async function lostStatusCheck(client: AlmaClient, setting: string | undefined): Promise<CheckRow> {
  const check = 'Lost process status';
  let rows;
  try {
    rows = await client.getCodeTable(LOAN_PROCESS_STATUS_TABLE);
  } catch (err) {
    const using = setting
      ? `ALMA_LOST_PROCESS_STATUS=${setting}`
      : `the likely codes ${DEFAULT_LOST_PROCESS_STATUSES.join(', ')}`;
    return warning(
      'alma',
      check,
      `could not read the code table ${LOAN_PROCESS_STATUS_TABLE} (${almaProblem(err, 'Configuration read-only')}); ` +
        `the Lost check uses ${using}: find the code of "Lost" in Alma's Loan Process Status code table and set ` +
        'ALMA_LOST_PROCESS_STATUS to it',
    );
  }
  const lost = lostRowOf(rows);
  if (!lost)
    return problem(
      'alma',
      check,
      `the code table ${LOAN_PROCESS_STATUS_TABLE} has no row described as Lost (codes: ${rows.map((r) => r.code).join(', ') || 'none'}); set ALMA_LOST_PROCESS_STATUS to the code staff's Lost click sets`,
    );
  const accepted = lostProcessStatuses(setting);
  if (accepted.has(normaliseStatus(lost.code)))
    return ok(
      'alma',
      check,
      `Lost is code ${lost.code} in Alma; ${setting ? `ALMA_LOST_PROCESS_STATUS=${setting} matches` : 'the default (LOST or LOST_LOAN) accepts it'}`,
    );
  return problem(
    'alma',
    check,
    `Lost is code ${lost.code} in Alma, but ${setting ? `ALMA_LOST_PROCESS_STATUS is ${setting}` : 'the default accepts only LOST or LOST_LOAN'}: ` +
      `set ALMA_LOST_PROCESS_STATUS=${lost.code}, or a Lost click is confirmed only by its lost-item fee (where one is charged)`,
  );
}

async function almaChecks(alma: AlmaSettings, relink: RelinkSettings | undefined, rows: CheckRow[]): Promise<void> {
  const baseUrl = baseUrlFor({ baseUrl: alma.ALMA_BASE_URL, region: alma.ALMA_REGION });
  const client = new AlmaClient({ baseUrl, apiKey: alma.ALMA_API_KEY, getRetries: 1, timeoutMs: 15_000 });
  rows.push(rateLimitCheck(alma));
  try {
    const tests = [
      ['users', 'GET', 'the key reaches Alma; Users read', 'Users read-write'],
      ['users', 'POST', 'Users write', 'Users read-write'],
      ['bibs', 'GET', 'Bibs read', 'Bibs read-write'],
      ['bibs', 'POST', 'Bibs write', 'Bibs read-write'],
    ] as const;
    for (const [area, method, check, need] of tests) {
      try {
        await client.testAccess(area, method);
        rows.push(ok('alma', check, `${method} ${area} test endpoint at ${baseUrl}`));
      } catch (err) {
        rows.push(problem('alma', check, almaProblem(err, need)));
      }
    }
    let libraries: string[] | undefined;
    try {
      libraries = (await client.listLibraries()).map((l) => l.code);
      rows.push(ok('alma', 'Configuration read', `${libraries.length} libraries`));
    } catch (err) {
      rows.push(problem('alma', 'Configuration read', almaProblem(err, 'Configuration read-only')));
    }
    rows.push(await lostStatusCheck(client, alma.ALMA_LOST_PROCESS_STATUS));
    if (!relink) return;
    const desks = desksOf(relink);
    const wanted: Array<[string, string]> = Object.entries(desks.deskByLibrary ?? {});
    if (desks.library && desks.circDesk) wanted.unshift([desks.library, desks.circDesk]);
    for (const [library, desk] of wanted) {
      const check = `library ${library}, desk ${desk}`;
      if (!libraries) {
        rows.push(skipped('alma', check, 'the libraries could not be read'));
      } else if (!libraries.includes(library)) {
        rows.push(problem('alma', check, `Alma has no library ${library} (it has ${libraries.join(', ') || 'none'})`));
      } else {
        try {
          const codes = (await client.listCircDesks(library)).map((d) => d.code);
          rows.push(
            codes.includes(desk)
              ? ok('alma', check, 'both exist')
              : problem('alma', check, `library ${library} has no desk ${desk} (it has ${codes.join(', ') || 'none'})`),
          );
        } catch (err) {
          rows.push(problem('alma', check, almaProblem(err, 'Configuration read-only')));
        }
      }
    }
  } finally {
    client.close();
  }
}

/** Each hold-shelf desk must be a desk the relink scans in at, or the setting does nothing (a typo, say). */
function holdShelfDesksCheck(relink: RelinkSettings, rows: CheckRow[]): void {
  const listed = relink.ALMA_HOLD_SHELF_DESKS;
  if (!listed) return;
  const desks = desksOf(relink);
  const configured = new Set([
    ...Object.values(desks.deskByLibrary ?? {}),
    ...(desks.circDesk ? [desks.circDesk] : []),
  ]);
  const unknown = listed.filter((code) => !configured.has(code));
  rows.push(
    unknown.length === 0
      ? ok('relink', 'hold-shelf desks', `scan-ins at ${listed.join(', ')} place the item on the hold shelf`)
      : problem(
          'relink',
          'hold-shelf desks',
          `ALMA_HOLD_SHELF_DESKS names ${unknown.join(', ')}, not a desk of ALMA_CIRC_DESK or ALMA_DESK_MAP`,
        ),
  );
}

function holdingAddressCheck(env: NodeJS.ProcessEnv, rows: CheckRow[]): void {
  const address = env.RELINK_HOLDING_EMAIL;
  if (!address) rows.push(problem('relink', 'holding address', 'RELINK_HOLDING_EMAIL is not set'));
  else if (!EMAIL_PATTERN.test(address) || /[\s,;<>]/.test(address))
    rows.push(problem('relink', 'holding address', 'RELINK_HOLDING_EMAIL is not one well-formed email address'));
  // The library's own mailbox, not a patron's: printing it is fine, and tells the operator which one is set.
  else rows.push(ok('relink', 'holding address', address));
}

/**
 * The Lost mode. overdue-job rests on what no API shows (the Overdue and Lost Loan profiles and the job's schedule are
 * not in the Configuration API): the row says what the library must try in its own sandbox before enabling it.
 */
/** How recently Alma must have reached the listener for the doctor to call it working: a day without is worth a look. */
const WEBHOOK_QUIET_MS = 24 * 3_600_000;

/**
 * With RELINK_WEBHOOKS=on: has Alma reached the listener recently? Its /health (RELINK_WEBHOOK_HEALTH_URL, default the
 * listener's own address on this host) says when Alma last challenged it and last sent a message. The waits poll only
 * every few hours with webhooks on, so a listener Alma cannot reach slows every relink down.
 */
async function webhookChecks(relink: RelinkSettings, env: NodeJS.ProcessEnv, rows: CheckRow[]): Promise<void> {
  if (!relink.RELINK_WEBHOOKS) {
    rows.push(ok('relink', "Alma's webhooks", 'off: the relink checks Alma by itself (RELINK_LOST_POLL_*)'));
    return;
  }
  const url = env.RELINK_WEBHOOK_HEALTH_URL ?? `http://127.0.0.1:${env.RELINK_WEBHOOK_PORT ?? '8091'}/health`;
  let health: { lastChallengeAt?: string; lastMessageAt?: string };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`it answered ${res.status}`);
    health = (await res.json()) as typeof health;
  } catch (err) {
    rows.push(
      problem(
        'relink',
        "Alma's webhooks",
        `RELINK_WEBHOOKS is on, but the listener did not answer at ${url} (${(err as Error).message}): start ` +
          '`npm run webhooks` (alma-relink-webhooks.service), or set RELINK_WEBHOOK_HEALTH_URL',
      ),
    );
    return;
  }
  const last = [health.lastMessageAt, health.lastChallengeAt].filter(Boolean).map((t) => Date.parse(t!));
  const seen = last.length ? Math.max(...last) : undefined;
  const when = (t?: string) => t ?? 'never (since the listener started)';
  const detail = `last message from Alma: ${when(health.lastMessageAt)}; last challenge: ${when(health.lastChallengeAt)}`;
  if (seen !== undefined && Date.now() - seen < WEBHOOK_QUIET_MS) rows.push(ok('relink', "Alma's webhooks", detail));
  else
    rows.push(
      warning(
        'relink',
        "Alma's webhooks",
        `${detail}. Nothing from Alma for a day: check the Webhooks integration profile (its URL and secret) and that ` +
          'the proxy routes /alma/webhooks to the listener; meanwhile the relinks fall back to their slow poll',
      ),
    );
}

function lostModeChecks(relink: RelinkSettings, rows: CheckRow[]): void {
  if (relink.RELINK_LOST_MODE !== 'overdue-job') {
    rows.push(ok('relink', 'Lost mode', 'staff-click: staff click Lost in Manage Patron Services'));
    return;
  }
  rows.push(
    ok(
      'relink',
      'Lost mode',
      `overdue-job: the due date is moved to now, and Alma's Overdue and Lost Loan job is expected to declare the ` +
        `loan Lost ${relink.RELINK_LOST_AFTER_OVERDUE} past due, at its run (${relink.RELINK_LOST_JOB_AT}); else staff click`,
    ),
  );
  rows.push(
    skipped(
      'relink',
      'Lost mode in your sandbox',
      'no API shows this; before enabling it, check in your sandbox: (1) an Overdue and Lost Loan profile applies to ' +
        `these loans (their loan policy or user group) and changes them to Lost ${relink.RELINK_LOST_AFTER_OVERDUE} ` +
        'after the due date, with the lost-item fee you expect; (2) the "Loans - Overdue and Lost Item" job runs at ' +
        `${relink.RELINK_LOST_JOB_AT}; (3) a loan whose due date the API moved to now (PUT .../loans/{loan_id}, ` +
        'notify_user=false) is declared Lost by that run, and Alma sent no letter at the change; (4) Alma refuses a due ' +
        'date in the past (401681), as documented: the relink never sends one',
    ),
  );
}

async function temporalChecks(temporal: TemporalSettings, rows: CheckRow[]): Promise<void> {
  let connection: Connection;
  try {
    connection = await connectClosable({ ...temporalConnectionOptions(temporal), connectTimeout: '5 seconds' });
  } catch (err) {
    rows.push(problem('temporal', 'connection', `${temporal.TEMPORAL_ADDRESS}: ${(err as Error).message}`));
    rows.push(skipped('temporal', 'search attributes', 'no connection'));
    return;
  }
  try {
    const namespace = temporal.TEMPORAL_NAMESPACE;
    try {
      await connection.workflowService.describeNamespace({ namespace });
      rows.push(ok('temporal', 'connection', `${temporal.TEMPORAL_ADDRESS}, namespace ${namespace}`));
    } catch (err) {
      rows.push(problem('temporal', 'connection', `namespace ${namespace}: ${(err as Error).message}`));
      return;
    }
    try {
      const existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
      const { IndexedValueType } = proto.api.enums.v1;
      const wrong = Object.entries(RELINK_SEARCH_ATTRIBUTES)
        .filter(([name, type]) => existing[name] !== type)
        .map(([name, type]) => `${name} (${IndexedValueType[type]?.replace('INDEXED_VALUE_TYPE_', '')})`);
      rows.push(
        wrong.length === 0
          ? ok('temporal', 'search attributes', Object.keys(RELINK_SEARCH_ATTRIBUTES).join(', '))
          : problem(
              'temporal',
              'search attributes',
              `missing or of another type: ${wrong.join(', ')}; the worker adds them at start ` +
                '(RELINK_REGISTER_SEARCH_ATTRIBUTES), or an administrator does (temporal operator search-attribute create)',
            ),
      );
    } catch (err) {
      rows.push(problem('temporal', 'search attributes', (err as Error).message));
    }
    await stuckRelinksCheck(connection, namespace, rows);
  } finally {
    await connection.close();
  }
}

/** Running relinks the worker cannot go on with (stuck-relinks.ts): each named, with what to do. */
async function stuckRelinksCheck(connection: Connection, namespace: string, rows: CheckRow[]): Promise<void> {
  const check = 'stuck relinks';
  try {
    const stuck = await findStuckRelinks(connection.workflowService, namespace);
    if (stuck.length === 0) {
      rows.push(ok('temporal', check, 'no running relink fails its workflow task again and again'));
      return;
    }
    for (const s of stuck) {
      // No release replays it when two earlier ones wrote a step two ways: then the way out is a reset.
      const unstick =
        s.cause === 'nondeterminism'
          ? ` If no release can replay it (rolling back is not possible): relink unstick ${s.workflowId}`
          : '';
      rows.push(problem('temporal', check, `${s.workflowId} (${s.attempts} attempts): ${stuckText(s)}${unstick}`));
    }
  } catch (err) {
    rows.push(problem('temporal', check, (err as Error).message));
  }
}

/** Every check, in a stable order; nothing in Alma or Temporal is changed. */
export async function runDoctorChecks(env: NodeJS.ProcessEnv = process.env): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const alma = part('alma', env, rows);
  const relink = part('relink', env, rows);
  const temporal = part('temporal', env, rows);
  if (alma) await almaChecks(alma, relink, rows);
  else rows.push(skipped('alma', 'Alma', 'its settings have problems (above)'));
  holdingAddressCheck(env, rows);
  if (temporal) await temporalChecks(temporal, rows);
  else rows.push(skipped('temporal', 'Temporal', 'its settings have problems (above)'));
  if (relink) {
    holdShelfDesksCheck(relink, rows);
    lostModeChecks(relink, rows);
    await webhookChecks(relink, env, rows);
  }
  return rows;
}
