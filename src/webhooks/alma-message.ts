// Alma's webhook message as the listener reads it: only the fields it routes by, the rest of each object passed over
// (.loose()). Documented by Ex Libris (Developer Network, "Webhooks", "Anatomy of a Webhook", "Supported Events"):
// the top-level `id`, `action` (JOB_END, NOTIFICATION, USER, LOAN, REQUEST, BIB, ITEM), `time`, and one
// action-specific object (`job_instance` is shown in the anatomy; rest_item_loan, webhook_user_extended and
// rest_user_request are the documented payload types of LOAN, USER and REQUEST); LOAN and REQUEST name the specific
// event in `event`. [INFERRED] from public listeners: `event` and `institution` are code objects ({ value, desc }),
// the objects' keys are `item_loan`, `webhook_user` (with the record under `user`) and `user_request`. An id or time
// Alma sends as a number is taken as text.
import { z } from 'zod';

const text = z.union([z.string(), z.number()]).transform(String);
const code = z.object({ value: text }).loose();

export const almaWebhookMessage = z
  .object({
    id: text.pipe(z.string().min(1, 'the message has no id')),
    action: z.string().min(1),
    time: text.optional(),
    institution: code.optional(),
    event: code.optional(),
    item_loan: z
      .object({
        loan_id: text.optional(),
        user_id: text.optional(),
        item_barcode: text.optional(),
        item_id: text.optional(),
        mms_id: text.optional(),
      })
      .loose()
      .optional(),
    webhook_user: z
      .object({ user: z.object({ primary_id: text.optional() }).loose().optional() })
      .loose()
      .optional(),
    user_request: z
      .object({
        request_id: text.optional(),
        barcode: text.optional(),
        item_id: text.optional(),
        mms_id: text.optional(),
      })
      .loose()
      .optional(),
    job_instance: z
      .object({
        id: text.optional(),
        name: z.string().optional(),
        job_info: z.object({ id: text.optional(), name: z.string().optional() }).loose().optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

export type AlmaWebhookMessage = z.infer<typeof almaWebhookMessage>;

/** Alma's actions (the Supported Events' names). [DOC] */
export const ALMA_ACTIONS = {
  jobEnd: 'JOB_END',
  user: 'USER',
  loan: 'LOAN',
  request: 'REQUEST',
} as const;

/**
 * Event codes (Alma's WebhookEvents code table). LOAN_CREATED, LOAN_RETURNED and LOAN_DUE_DATE are seen in public
 * listeners; LOAN_LOST (declared lost), LOAN_CLAIMED_RETURNED, LOAN_RENEWED, USER_UPDATED and REQUEST_CREATED are
 * [INFERRED] from the documented event descriptions: the listener therefore passes on every LOAN event, whatever its
 * code, and the relink looks at Alma itself.
 */
export const ALMA_EVENTS = {
  loanCreated: 'LOAN_CREATED',
  loanReturned: 'LOAN_RETURNED',
  loanLost: 'LOAN_LOST',
  userUpdated: 'USER_UPDATED',
  requestCreated: 'REQUEST_CREATED',
} as const;

/**
 * The jobs a relink may wait for, told by their name in `job_instance` (or its job_info): Alma's job ids differ per
 * institution, its names do not. [INFERRED] the names as Alma's Monitor Jobs page shows them: "Fines/Fees
 * Notifications" (also "Send Fines and Fees Notifications") and "Loans - Overdue and Lost Loan".
 */
export const RELINK_JOBS: ReadonlyArray<{ job: 'fines-fees-notification' | 'overdue-and-lost'; name: RegExp }> = [
  { job: 'fines-fees-notification', name: /fines?\s*(?:\/|and|&)?\s*fees?\b.*notification/i },
  { job: 'overdue-and-lost', name: /overdue\s+and\s+lost\s+loan/i },
];
