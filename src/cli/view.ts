// One relink as the CLI shows it, running or closed: the shape of `relink status --json`, and what the human
// rendering (format.ts) prints. Ids, steps and Alma's words only: the progress and audit carry no email address.
import type {
  AuditEntry,
  Awaiting,
  ContactState,
  ExecutionStatus,
  ItemProgress,
  RelinkClient,
  RelinkProgress,
  RelinkStatus,
} from '../client';
import { instructionsText, LOST_CLICK_WAITS } from '../contract';
import { WORKER_ANSWER_MS } from './context';

/** The patron's preferred email: untouched, replaced by the holding address, or put back. */
export type EmailState = 'unchanged' | 'holding-address' | 'restored';

export interface StatusView {
  workflowId: string;
  patronId: string;
  status: ExecutionStatus;
  step?: string;
  awaiting: Awaiting;
  /** For staff: exactly what to do in Alma. */
  awaitingInstructions?: string;
  /** The commands that answer what the relink awaits. */
  nextCommands?: string[];
  items: ItemProgress[];
  email?: { state: EmailState; verified: boolean };
  /** Once closed: completed, aborted, needs-attention, failed, cancelled or terminated. */
  outcome?: string;
  reason?: string;
  failure?: { type?: string; message: string };
  audit: AuditEntry[];
  uiUrl?: string;
  /** Alma's webhooks tell the relink of the Lost click: the command is a fallback. */
  webhooks?: boolean;
}

/** What a waiting relink asks, worded for the CLI (its commands; times in UTC, as its audit lines). */
export function cliInstructions(
  progress: Pick<RelinkProgress, 'workflowId' | 'awaitingSteps' | 'awaitingInstructions'>,
): string | undefined {
  if (progress.awaitingSteps) {
    return instructionsText(progress.awaitingSteps, { place: 'cli', workflowId: progress.workflowId });
  }
  return progress.awaitingInstructions;
}

export function nextCommands(workflowId: string, awaiting: Awaiting, items: ItemProgress[] = []): string[] {
  if (awaiting === 'request-review')
    return [`relink review ${workflowId} --proceed`, `relink review ${workflowId} --abort`];
  if (LOST_CLICK_WAITS.includes(awaiting)) {
    const open = items.filter((i) => i.loanId && !i.lostConfirmed);
    return [
      `relink confirm-lost ${workflowId}`,
      ...(open.length > 1 ? open.map((i) => `relink confirm-lost ${workflowId} --barcode ${i.barcode}`) : []),
    ];
  }
  if (awaiting === 'quiet-period') return [`relink restore-now ${workflowId}`];
  if (awaiting === 'return-refused') return [`relink confirm-lost ${workflowId}`];
  if (awaiting === 'staff-loan') return [`relink confirm-lost ${workflowId}`];
  return [];
}

function emailOf(contact: ContactState | undefined): StatusView['email'] {
  if (!contact) return undefined;
  const state: EmailState = contact.restored ? 'restored' : contact.swapped ? 'holding-address' : 'unchanged';
  return { state, verified: contact.verified };
}

const patronOf = (workflowId: string) => workflowId.replace(/^relink-/, '');

/** The view of a status, with the progress a closed relink still answers (its items, audit and email state). */
export function viewOf(status: RelinkStatus, closedProgress?: RelinkProgress): StatusView {
  const progress = status.progress ?? closedProgress;
  const result = status.result;
  const view: StatusView = {
    workflowId: status.workflowId,
    patronId: progress?.patronId ?? patronOf(status.workflowId),
    status: status.status,
    ...(status.step ? { step: status.step } : {}),
    awaiting: status.status === 'RUNNING' ? status.awaiting : 'none',
    items: result?.items ?? progress?.items ?? [],
    audit: result?.audit ?? progress?.audit ?? [],
  };
  if (status.status === 'RUNNING' && progress) {
    const instructions = cliInstructions(progress);
    if (instructions) view.awaitingInstructions = instructions;
    if (progress.webhooks) view.webhooks = true;
    const next = nextCommands(status.workflowId, progress.awaiting, progress.items);
    if (next.length) view.nextCommands = next;
  }
  view.email = result
    ? { state: result.emailRestored ? 'restored' : 'unchanged', verified: result.emailVerified }
    : emailOf(progress?.contact);
  if (!view.email) delete view.email;
  if (status.outcome) view.outcome = status.outcome;
  const reason = result?.reason ?? progress?.reason;
  if (reason && status.status !== 'RUNNING') view.reason = reason;
  if (status.failure) view.failure = status.failure;
  if (status.uiUrl) view.uiUrl = status.uiUrl;
  return view;
}

/**
 * The relink's status. A query waits for a worker to answer, so it gets a deadline: without a worker the command
 * says so instead of hanging. A closed relink that failed has no result, but a worker still answers its progress.
 */
export async function statusView(
  relinks: RelinkClient,
  workflowId: string,
  timeoutMs = WORKER_ANSWER_MS,
): Promise<StatusView> {
  const status = await relinks.status(workflowId, { timeoutMs });
  return viewOf(
    status,
    status.status !== 'RUNNING' && !status.result ? await closedProgress(relinks, workflowId) : undefined,
  );
}

async function closedProgress(relinks: RelinkClient, workflowId: string): Promise<RelinkProgress | undefined> {
  try {
    return await relinks.progress(workflowId, { timeoutMs: 5_000 });
  } catch {
    return undefined; // no worker to replay it: the status still has the outcome and the failure
  }
}
