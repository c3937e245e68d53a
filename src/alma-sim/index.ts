// The Alma API simulator: a real HTTP server on loopback that answers the Alma REST calls alma-relink makes,
// with Alma's paths, parameters, JSON shapes, status codes and error bodies. Used by the demo and the tests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp } from './app';
import { FULL_KEY, type KeyPermissions } from './auth';
import { PROJECT_ROOT } from '../project-root';
import type { SimCall } from './call-log';
import { SimCore } from './core';
import type { SimFaults } from './faults';
import type { Fixtures, LoanRecord, UserRecord } from './fixtures';
import type { BibRequestsList } from './core';
import type { SimNotice } from './notices';
import type { SisLoadResult } from './sis';
import { LETTERS, type LostLetterCode } from './notices';
import { apiRoutes } from './routes';
import { DEFAULT_LOST_FEE_AMOUNT, EMAIL_TYPES } from './vocab';
import { declareLost, editUser, loanAtDesk, returnItem, type LostResult, type ReturnResult } from './staff';
import type { ChallengeResult, SentWebhook, SimWebhookSettings } from './webhooks';
import { DEFAULT_JOB_PROFILE, runJob, type JobName, type JobProfile, type JobRun } from './jobs';
import type { SimState } from './store';

export { loadFixtures, parseFixtures, FixtureError } from './fixtures';
export type { Fixtures, SimFixtures } from './fixtures';
export type { SimFaults, FaultRule } from './faults';
export type { KeyPermissions, Permission } from './auth';
export { FaultsError } from './faults';
export type { SimNotice, LetterCode, LostLetterCode } from './notices';
export { LETTERS, LOST_LETTERS } from './notices';
export type { SimCall } from './call-log';
export type { SimState } from './store';
export type { LostResult, ReturnResult } from './staff';
export { StaffActionError } from './staff';
export { JOBS, DEFAULT_JOB_PROFILE, JOB_TITLES } from './jobs';
export { DEFAULT_WEBHOOK_RETRY_DELAYS_MS, WebhookSettingsError } from './webhooks';
export type { ChallengeResult, SentWebhook, SimWebhookSettings } from './webhooks';
export type { JobName, JobProfile, JobRun } from './jobs';

/** The project's example fixtures (Alma's own shapes): three users, three items, a closed lost loan. */
export const exampleFixturesPath = path.join(PROJECT_ROOT, 'fixtures', 'alma-example.json');

export interface AlmaSimulatorOptions {
  /** Initial state; none: empty. */
  fixtures?: Fixtures;
  /** Default 'sim-key'. */
  apiKey?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** A loopback address; default 127.0.0.1. */
  host?: string;
  /**
   * Listen on a non-loopback `host` (0.0.0.0): only for a container network (docker compose --profile sim), where
   * the worker reaches the simulator by service name. Its admin routes have no authentication: never expose it.
   */
  allowNonLoopback?: boolean;
  /** Seeds the PRNG behind random faults; default 1. */
  seed?: number;
  /** Calls per day, the start value of X-Exl-Api-Remaining; default 1,000,000. */
  dailyBudget?: number;
  /**
   * The institution's per-second threshold: calls beyond it in any one-second window get 429 PER_SECOND_THRESHOLD, as
   * Alma's gateway answers before processing them. A sandbox's is 10, production's 25 or 50; default none. A fault
   * configuration's perSecondLimit, while set, takes its place.
   */
  perSecondLimit?: number;
  /**
   * A test mode: refuse query parameters the OpenAPI does not declare for the operation, so a misspelt one cannot pass
   * unseen. Default false: ignore them, as Alma does.
   */
  strictParams?: boolean;
  /** The letter a Lost click sends, per institution: FulLostLoanLetter (default) or FulOverdueAndLostLoanLetter. */
  lostLetter?: LostLetterCode;
  /** The Lost item replacement fee a Lost click charges; 0: the institution charges none. Default 85. */
  lostItemFee?: number;
  /** What a loan's process_status reads after the Lost click (the API code is not documented). Default LOST. */
  lostProcessStatus?: string;
  /** The institution's EmailTypes code table: a PUT with another email type is refused (401864). Default Alma's. */
  emailTypes?: readonly string[];
  /**
   * The length Alma keeps of an email's `description` (a tenant or a SIS load may trim or rewrite it); longer ones are
   * cut on a user PUT. Default: kept whole.
   */
  emailDescriptionMax?: number;
  /**
   * What `GET /bibs/{mms_id}/requests` lists besides the title-level requests, which nobody has documented: 'item-id'
   * (default: item-level requests too, with their item_id and barcode), 'barcode-only' (with the barcode, no item_id)
   * or 'title-level-only' (none of them).
   */
  bibRequestsList?: BibRequestsList;
  /**
   * Whether a return (a scan-in that closes a loan) sends the borrower the Return Receipt Letter, as an institution
   * that enables it does. Default true: the side on which a return made without the holding address shows.
   */
  returnReceipt?: boolean;
  /**
   * Whether the due-date PUT accepts a due date in the past. Default false: Ex Libris' OpenAPI documents the refusal
   * (401681 "Due date cannot be in the past."); true plays a tenant that would accept one, which nobody has shown.
   */
  acceptPastDueDate?: boolean;
  /** What the key may do per API area (Users, Bibs, Configuration); default Users and Bibs read-write, Conf read. */
  keyPermissions?: Partial<KeyPermissions>;
  /** The scheduled jobs' configuration (courtesy and overdue days, the lost threshold); DEFAULT_JOB_PROFILE. */
  jobs?: Partial<JobProfile>;
  /** Where unexpected simulator errors are reported; default stderr. */
  log?: (line: string) => void;
  /** Alma's webhooks to this listener (challenged at start; a failed challenge is reported, not fatal). */
  webhooks?: SimWebhookSettings;
}

export interface AlmaSimulator {
  /** e.g. http://127.0.0.1:PORT; the API base is `${url}/almaws/v1`. */
  readonly url: string;
  readonly apiBase: string;
  readonly port: number;
  readonly apiKey: string;
  close(): Promise<void>;
  /** New state from fixtures (none: empty); clears letters, calls and faults, reseeds the PRNG. */
  reset(fixtures?: Fixtures): void;
  state(): SimState;
  notices(): SimNotice[];
  /** The calls received, in arrival order; from the `from`-th on (0-based) when given. */
  calls(from?: number): SimCall[];
  /** Replaces the whole fault configuration; throws FaultsError when invalid. */
  setFaults(faults: SimFaults): void;
  /** The fault configuration in force, with rules' remaining `times` and the daily counter. */
  faults(): SimFaults;
  /** Alma's midnight: the daily counter back to the budget (or to `remaining`), other faults kept. */
  resetDailyQuota(remaining?: number): void;
  /** The staff member's Lost click on a loan; throws StaffActionError (status 404/409/400) when refused. */
  declareLost(loanId: string, options?: { amount?: number }): LostResult;
  /** The staff member returns the item at a desk in Alma (not the API: API faults do not apply). */
  returnItem(barcode: string, deskCode?: string): ReturnResult;
  /** A staff member's loan at a desk in Manage Patron Services, overriding the limits the API cannot. */
  loanAtDesk(userId: string, barcode: string, deskCode?: string): LoanRecord;
  /** One run of an Alma scheduled job now (POST /_sim/jobs/{job}/run): its letters go to the addresses of now. */
  runJob(job: JobName): JobRun;
  /** A SIS load now (POST /_sim/sis-load): External segments of External users rebuilt from the SIS file (sis.ts). */
  sisLoad(patronIds?: string[]): SisLoadResult;
  /** A staff member edits a user record in Alma's UI (the fields given, replaced whole): a USER webhook follows. */
  editUser(userId: string, changes: Record<string, unknown>): UserRecord;
  /** Sets (none: stops) the webhook listener, and challenges it; throws WebhookSettingsError when invalid. */
  configureWebhooks(settings: SimWebhookSettings | undefined): Promise<ChallengeResult | undefined>;
  /** The webhook messages since the last reset, with each one's attempts and fate. */
  webhooksSent(): SentWebhook[];
  /** Resolves once no webhook message waits to be sent or retried. */
  webhooksIdle(): Promise<void>;
}

/** Every /almaws/v1 route served, as OpenAPI method and path template. `redirect` marks the one non-OpenAPI path. */
export const simulatedRoutes: Array<{ method: string; path: string; query: readonly string[]; redirect?: true }> =
  apiRoutes.map((r) => ({ method: r.method, path: r.path, query: r.query, ...(r.redirect ? { redirect: true } : {}) }));

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startAlmaSimulator(options: AlmaSimulatorOptions = {}): Promise<AlmaSimulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !options.allowNonLoopback) {
    throw new Error(`the Alma simulator listens on loopback only, not ${host} (--allow-non-loopback in a container)`);
  }
  const apiKey = options.apiKey ?? 'sim-key';
  const core = new SimCore(
    {
      apiKey,
      seed: options.seed ?? 1,
      dailyBudget: options.dailyBudget ?? 1_000_000,
      perSecondLimit: options.perSecondLimit,
      strictParams: options.strictParams ?? false,
      lostLetter: options.lostLetter ?? LETTERS.lostLoan,
      lostItemFee: options.lostItemFee ?? DEFAULT_LOST_FEE_AMOUNT,
      lostProcessStatus: options.lostProcessStatus ?? 'LOST',
      emailTypes: options.emailTypes ?? EMAIL_TYPES,
      emailDescriptionMax: options.emailDescriptionMax,
      bibRequestsList: options.bibRequestsList ?? 'item-id',
      returnReceipt: options.returnReceipt ?? true,
      acceptPastDueDate: options.acceptPastDueDate ?? false,
      keyPermissions: { ...FULL_KEY, ...options.keyPermissions },
      jobProfile: { ...DEFAULT_JOB_PROFILE, ...options.jobs },
    },
    options.fixtures,
  );
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const server = createServer(createApp(core, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (options.webhooks) {
    const challenge = await core.webhooks.configure(options.webhooks);
    if (!challenge?.ok)
      log(`alma-sim: the webhook listener ${options.webhooks.url} failed the challenge (${challenge?.status})`);
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    apiBase: `${url}/almaws/v1`,
    port,
    apiKey,
    close() {
      closing ??= new Promise<void>((resolve) => {
        core.cancelTimers();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
    reset: (fixtures) => core.reset(fixtures),
    state: () => core.store.snapshot(),
    notices: () => core.notices.all(),
    calls: (from) => core.calls.all(from),
    setFaults: (faults) => core.faults.configure(faults),
    faults: () => core.faults.current(),
    resetDailyQuota: (remaining) => core.faults.resetDaily(remaining),
    declareLost: (loanId, opts) => declareLost(core, loanId, opts?.amount),
    returnItem: (barcode, deskCode) => returnItem(core, barcode, deskCode),
    loanAtDesk: (userId, barcode, deskCode) => loanAtDesk(core, userId, barcode, deskCode),
    runJob: (job) => runJob(core, job),
    sisLoad: (patronIds) => core.sisLoad(patronIds),
    editUser: (userId, changes) => editUser(core, userId, changes),
    configureWebhooks: (settings) => core.webhooks.configure(settings),
    webhooksSent: () => core.webhooks.sent(),
    webhooksIdle: () => core.webhooks.idle(),
  };
}
