// Where a webhook goes: to one relink by its workflow id, to the relinks a visibility query finds, or nowhere
// (ignored, with the reason logged and counted). A webhook is a reason for a relink to look at Alma, never proof, so a
// wider target costs a look, a narrower one a missed shortcut (the relink's polls remain the fallback).
import {
  RelinkAwaiting,
  RelinkBarcodes,
  RelinkStep,
  equalsClause,
  relinkWorkflowId,
  type AlmaEvent,
  type Awaiting,
  type RelinkStepName,
} from '../contract';
import { RUNNING_RELINKS } from '../stuck-relinks';
import { ALMA_ACTIONS, ALMA_EVENTS, RELINK_JOBS, type AlmaWebhookMessage } from './alma-message';

export type Target = { workflowId: string } | { query: string };

export type Routing =
  | { pass: true; event: AlmaEvent; target: Target }
  | { pass: false; reason: 'unknown-action' | 'unhandled-event' | 'other-job' | 'no-subject' };

/** The waits a job's end matters to: the overdue-and-lost job may declare the loans Lost; the fines/fees job ends a quiet period that waits for it. */
export const JOB_WAITS: Record<NonNullable<AlmaEvent['job']>, readonly Awaiting[]> = {
  'overdue-and-lost': ['lost-job', 'lost-declaration', 'overdue'],
  'fines-fees-notification': ['quiet-period'],
};

/** The steps before the loan, where a new request on one of the relink's titles matters (the queue re-read before the scan-in). */
const BEFORE_LOAN: readonly RelinkStepName[] = ['preflight', 'request-review', 'email-swap', 'scan-in'];

const inList = (name: string, values: readonly string[]) =>
  `${name} IN (${values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(', ')})`;

export function route(message: AlmaWebhookMessage, receivedAt: Date): Routing {
  const at = message.time && !Number.isNaN(Date.parse(message.time)) ? message.time : receivedAt.toISOString();
  const code = message.event?.value;
  const base = { messageId: message.id, at };
  switch (message.action.toUpperCase()) {
    case ALMA_ACTIONS.loan: {
      // Every loan event: the code of "declared lost" is inferred, and the relink decides what it means.
      const loan = message.item_loan;
      if (!loan?.user_id) return { pass: false, reason: 'no-subject' };
      return {
        pass: true,
        target: { workflowId: relinkWorkflowId(loan.user_id) },
        event: {
          kind: 'loan',
          event: code ?? 'LOAN',
          ...base,
          ...(loan.loan_id ? { loanId: loan.loan_id } : {}),
          ...(loan.item_barcode ? { itemBarcode: loan.item_barcode } : {}),
          ...(loan.item_id ? { itemId: loan.item_id } : {}),
          ...(loan.mms_id ? { mmsId: loan.mms_id } : {}),
        },
      };
    }
    case ALMA_ACTIONS.user: {
      const id = message.webhook_user?.user?.primary_id;
      if (!id) return { pass: false, reason: 'no-subject' };
      return {
        pass: true,
        target: { workflowId: relinkWorkflowId(id) },
        event: { kind: 'user', event: code ?? ALMA_EVENTS.userUpdated, ...base },
      };
    }
    case ALMA_ACTIONS.request: {
      // Only a new request can stand in a relink's way; one closed or on the hold shelf cannot.
      if (code !== ALMA_EVENTS.requestCreated) return { pass: false, reason: 'unhandled-event' };
      const request = message.user_request;
      if (!request) return { pass: false, reason: 'no-subject' };
      const ids = {
        ...(request.barcode ? { itemBarcode: request.barcode } : {}),
        ...(request.item_id ? { itemId: request.item_id } : {}),
        ...(request.mms_id ? { mmsId: request.mms_id } : {}),
      };
      // An item-level request names the barcode, which the relinks list in RelinkBarcodes. A title-level one names
      // the bib only, which no search attribute holds, and its requester is another patron: it goes to every relink
      // that has not loaned yet, which compares mmsId with its own items.
      if (!request.barcode && !request.mms_id) return { pass: false, reason: 'no-subject' };
      const query = request.barcode
        ? `${RUNNING_RELINKS} AND ${equalsClause(RelinkBarcodes, request.barcode)}`
        : `${RUNNING_RELINKS} AND ${inList(RelinkStep.name, BEFORE_LOAN)}`;
      return { pass: true, target: { query }, event: { kind: 'request', event: code, ...base, ...ids } };
    }
    case ALMA_ACTIONS.jobEnd: {
      const instance = message.job_instance;
      const names = [instance?.name, instance?.job_info?.name].filter((n): n is string => !!n);
      const match = RELINK_JOBS.find((j) => names.some((n) => j.name.test(n)));
      if (!match) return { pass: false, reason: 'other-job' };
      return {
        pass: true,
        target: { query: `${RUNNING_RELINKS} AND ${inList(RelinkAwaiting.name, JOB_WAITS[match.job])}` },
        event: { kind: 'job', event: ALMA_ACTIONS.jobEnd, job: match.job, ...base },
      };
    }
    default:
      return { pass: false, reason: 'unknown-action' };
  }
}
