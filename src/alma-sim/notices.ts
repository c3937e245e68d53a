// The letters Alma sends. Each goes to the user's preferred email *at the moment it is sent* (which is what the
// relink's email swap is about), and, for SMS-enabled letters, also to the phone marked preferred_sms.
import type { UserRecord } from './fixtures';
import { isoSeconds } from './store';

export const LETTERS = {
  loanReceipt: 'FulLoanReceiptLetter',
  /** The Loan Status Notice: a due date changed (the due-date PUT with notify_user=true). [INFERRED] code. */
  loanStatusNotice: 'FulLoanStatusNoticeLetter',
  /** Sent at a return, where the institution enables it (returnReceipt). */
  returnReceipt: 'FulReturnReceiptLetter',
  onHoldShelf: 'FulPlaceOnHoldShelfLetter',
  lostLoan: 'FulLostLoanLetter',
  overdueAndLostLoan: 'FulOverdueAndLostLoanLetter',
  cancelRequest: 'FulCancelRequestLetter',
  // Sent later, by Alma's scheduled jobs (jobs.ts), not at the event.
  finesFeesNotification: 'FulFinesFeesNotificationLetter',
  courtesy: 'FulUserLoansCourtesyLetter',
  overdueNotification: 'FulOverdueAndLostLoanNotificationLetter',
  borrowingActivity: 'FulUserBorrowingActivityLetter',
} as const;
export type LetterCode = (typeof LETTERS)[keyof typeof LETTERS];
/** The letter a Lost click sends: which of the two depends on the institution's letter configuration. */
export type LostLetterCode = typeof LETTERS.lostLoan | typeof LETTERS.overdueAndLostLoan;
export const LOST_LETTERS: readonly LostLetterCode[] = [LETTERS.lostLoan, LETTERS.overdueAndLostLoan];

// Alma's SMS-enabled letters among the ones simulated; the cancellation letter and the borrowing activity report are
// email only. (Which job letters an institution sends by SMS is its own configuration: the simulator sends the job
// letters that can go by SMS by SMS too, the side on which a missed suppression shows.)
const SMS_LETTERS = new Set<LetterCode>([
  LETTERS.loanReceipt,
  LETTERS.returnReceipt,
  LETTERS.onHoldShelf,
  LETTERS.lostLoan,
  LETTERS.overdueAndLostLoan,
  LETTERS.finesFeesNotification,
  LETTERS.courtesy,
  LETTERS.overdueNotification,
]);

export interface NoticeContext {
  loan_id?: string;
  request_id?: string;
  fee_id?: string;
  item_barcode?: string;
  title?: string;
  [key: string]: unknown;
}

export interface SimNotice extends NoticeContext {
  id: string;
  at: string;
  letter: LetterCode;
  user_id: string;
  channel: 'email' | 'sms';
  /** The preferred email (or SMS number) when the letter was sent; null: the user had none, nothing went out. */
  address: string | null;
}

export function preferredEmail(user: UserRecord): string | null {
  return user.contact_info?.email?.find((e) => e.preferred === true)?.email_address ?? null;
}

export function smsNumber(user: UserRecord): string | null {
  return user.contact_info?.phone?.find((p) => p.preferred_sms === true)?.phone_number ?? null;
}

export class NoticeLog {
  private list: SimNotice[] = [];
  private seq = 0;

  constructor(private readonly now: () => Date) {}

  send(letter: LetterCode, user: UserRecord, context: NoticeContext = {}): SimNotice[] {
    const at = isoSeconds(this.now());
    const notice = (channel: SimNotice['channel'], address: string | null): SimNotice => ({
      id: this.nextId(),
      at,
      letter,
      user_id: user.primary_id,
      channel,
      address,
      ...context,
    });
    const sent = [notice('email', preferredEmail(user))];
    const sms = smsNumber(user);
    if (SMS_LETTERS.has(letter) && sms) sent.push(notice('sms', sms));
    this.list.push(...sent);
    return sent;
  }

  all(): SimNotice[] {
    return structuredClone(this.list);
  }

  clear(): void {
    this.list = [];
    this.seq = 0;
  }

  private nextId(): string {
    this.seq += 1;
    return `N${String(this.seq).padStart(5, '0')}`;
  }
}
