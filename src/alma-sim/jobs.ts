// Alma's scheduled jobs that send letters later, not at the event, run here when an admin asks
// (POST /_sim/jobs/{job}/run) instead of nightly. Each sends its letters to the patron's preferred email (and SMS
// phone) *at the moment it runs*, and notifies each fee or loan only once, as Alma does: a relink that restores the
// patron's address before the fines/fees job has run lets that job's letter about the lost-item fee reach the patron.
import type { SimCore } from './core';
import type { FeeRecord, LoanRecord } from './fixtures';
import { LETTERS, type LetterCode, type SimNotice } from './notices';
import { declareLost } from './staff';

export const JOBS = ['fines-fees-notification', 'courtesy', 'overdue-and-lost', 'borrowing-activity'] as const;
export type JobName = (typeof JOBS)[number];

export const isJobName = (name: string): name is JobName => (JOBS as readonly string[]).includes(name);

/**
 * The institution's job configuration where tenants differ (Fulfillment > Configuration). Days count from the due
 * date, as Alma's profiles do.
 */
export interface JobProfile {
  /** The courtesy notice goes out this many days (or fewer) before a loan is due. Default 2. */
  courtesyDaysBeforeDue: number;
  /** The overdue-and-lost job's overdue notice: a loan at least this many days past due. Default 1. */
  overdueAfterDays: number;
  /**
   * The overdue-and-lost job's "Change to Lost" profile: a loan at least this many days past due is marked Lost, with
   * the lost-item fee and FulOverdueAndLostLoanLetter. Null (default): no such profile, the job marks nothing Lost.
   */
  lostAfterDays: number | null;
}

export const DEFAULT_JOB_PROFILE: JobProfile = { courtesyDaysBeforeDue: 2, overdueAfterDays: 1, lostAfterDays: null };

export interface JobRun {
  job: JobName;
  ranAt: string;
  /** The letters this run sent (email, and SMS where the letter has it). */
  notices: SimNotice[];
  /** Loans the overdue-and-lost job marked Lost (its lost threshold). */
  markedLost: string[];
}

/** What each job has already notified, so a second run does not notify it again. Cleared by a reset. */
export class JobLedger {
  readonly feesNotified = new Set<string>();
  readonly courtesyLoans = new Set<string>();
  readonly overdueLoans = new Set<string>();
  readonly reportedLoans = new Set<string>();

  clear(): void {
    for (const set of [this.feesNotified, this.courtesyLoans, this.overdueLoans, this.reportedLoans]) set.clear();
  }
}

const DAY_MS = 86_400_000;

export function runJob(core: SimCore, job: JobName): JobRun {
  const ranAt = core.now();
  const run: JobRun = { job, ranAt: ranAt.toISOString(), notices: [], markedLost: [] };
  const now = ranAt.getTime();
  switch (job) {
    case 'fines-fees-notification':
      finesFees(core, run);
      break;
    case 'courtesy':
      perUserLoans(core, run, LETTERS.courtesy, core.jobLedger.courtesyLoans, (loan) => {
        const due = dueMs(loan);
        return due !== undefined && due > now && due - now <= core.options.jobProfile.courtesyDaysBeforeDue * DAY_MS;
      });
      break;
    case 'overdue-and-lost':
      overdueAndLost(core, run, now);
      break;
    case 'borrowing-activity':
      // The report lists every active loan, Lost ones too.
      perUserLoans(core, run, LETTERS.borrowingActivity, core.jobLedger.reportedLoans, () => true, activeLoans(core));
      break;
  }
  core.webhooks.emit('JOB_END', undefined, 'job_instance', jobInstance(core, job, ranAt), core.now());
  return run;
}

/**
 * [INFERRED] The jobs' names as Alma's Monitor Jobs page shows them, which the listener tells the jobs by (Alma's job
 * ids differ per institution).
 */
export const JOB_TITLES: Record<JobName, string> = {
  'fines-fees-notification': 'Fines/Fees Notifications',
  courtesy: 'Loans - Courtesy',
  'overdue-and-lost': 'Loans - Overdue and Lost Loan',
  'borrowing-activity': 'Borrowing Activity Report',
};

/** The job_instance of a JOB_END webhook (rest_job_instance): the run's id, its job, status and times. */
function jobInstance(core: SimCore, job: JobName, ranAt: Date) {
  const jobId = `S${(JOBS.indexOf(job) + 1).toString().padStart(8, '0')}`;
  return {
    id: `${ranAt.getTime()}0101`,
    name: JOB_TITLES[job],
    job_info: { id: jobId, name: JOB_TITLES[job], type: { value: 'SCHEDULED', desc: 'Scheduled' } },
    status: { value: 'COMPLETED_SUCCESS', desc: 'Completed Successfully' },
    start_time: ranAt.toISOString(),
    end_time: core.now().toISOString(),
    progress: 100,
  };
}

/** Active fees with a balance, not notified before: one letter per patron listing them. */
function finesFees(core: SimCore, run: JobRun): void {
  const { store, jobLedger } = core;
  const due = store.fees.filter(
    (f) => f.status.value === 'ACTIVE' && (f.balance ?? 0) > 0 && !jobLedger.feesNotified.has(f.id),
  );
  for (const [userId, fees] of groupBy(due, (f) => store.feeUserId(f))) {
    const user = store.findUser(userId, 'primary_id');
    if (!user) continue;
    run.notices.push(
      ...core.notices.send(LETTERS.finesFeesNotification, user, {
        fee_ids: fees.map((f: FeeRecord) => f.id),
        ...(fees.length === 1 ? { fee_id: fees[0]!.id } : {}),
        amount: fees.reduce((sum, f) => sum + (f.balance ?? 0), 0),
      }),
    );
    for (const f of fees) jobLedger.feesNotified.add(f.id);
  }
}

/** Overdue notices once per loan past the threshold; with a lost threshold, the loans past it are marked Lost. */
function overdueAndLost(core: SimCore, run: JobRun, now: number): void {
  const { lostAfterDays, overdueAfterDays } = core.options.jobProfile;
  // Alma's job considers only overdue loans: nothing is marked Lost before its due date has passed.
  const overdueBy = (loan: LoanRecord) => {
    const due = dueMs(loan);
    return due === undefined || due >= now ? undefined : now - due;
  };
  if (lostAfterDays !== null) {
    for (const loan of activeNotLost(core)) {
      const late = overdueBy(loan);
      if (late === undefined || late < lostAfterDays * DAY_MS) continue;
      const lost = declareLost(core, loan.loan_id, core.options.lostItemFee, LETTERS.overdueAndLostLoan);
      run.notices.push(...lost.notices);
      run.markedLost.push(loan.loan_id);
    }
  }
  perUserLoans(core, run, LETTERS.overdueNotification, core.jobLedger.overdueLoans, (loan) => {
    const late = overdueBy(loan);
    return late !== undefined && late >= overdueAfterDays * DAY_MS;
  });
}

/** One letter per patron for their active, not lost loans that `qualifies` and `ledger` has not seen; then noted. */
function perUserLoans(
  core: SimCore,
  run: JobRun,
  letter: LetterCode,
  ledger: Set<string>,
  qualifies: (loan: LoanRecord) => boolean,
  candidates = activeNotLost(core),
): void {
  const loans = candidates.filter((l) => !ledger.has(l.loan_id) && qualifies(l));
  for (const [userId, list] of groupBy(loans, (l) => l.user_id)) {
    const user = core.store.findUser(userId, 'primary_id');
    if (!user) continue;
    run.notices.push(
      ...core.notices.send(letter, user, {
        loan_ids: list.map((l) => l.loan_id),
        ...(list.length === 1 ? { loan_id: list[0]!.loan_id, item_barcode: list[0]!.item_barcode } : {}),
      }),
    );
    for (const l of list) ledger.add(l.loan_id);
  }
}

const activeLoans = (core: SimCore): LoanRecord[] => core.store.loans.filter((l) => l.loan_status === 'ACTIVE');

const activeNotLost = (core: SimCore): LoanRecord[] =>
  activeLoans(core).filter((l) => l.process_status !== core.options.lostProcessStatus);

function dueMs(loan: LoanRecord): number | undefined {
  const t = loan.due_date ? Date.parse(loan.due_date) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

function groupBy<T>(list: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const t of list) map.set(key(t), [...(map.get(key(t)) ?? []), t]);
  return map;
}
