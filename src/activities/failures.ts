import { ApplicationFailure } from '@temporalio/activity';
import { AlmaErrorCodes, isAlmaError, type AlmaError, type AlmaErrorKind } from '../alma';
import type { RelinkFailureType } from '../contract';

/** Business failure types the workflow and the CLI understand. Each ends the relink with a staff-readable message. */
export function businessFailure(
  type: RelinkFailureType,
  message: string,
  details?: Record<string, unknown>,
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

const typeByAlmaCode: Record<string, RelinkFailureType> = {
  '401861': 'PatronNotFound',
  '401890': 'PatronNotFound',
  '401689': 'ItemNotFound',
  '401690': 'ItemNotFound',
  '401651': 'ItemNotLoanable',
  '401153': 'ItemNotLoanable',
  // About the patron, not the item: their loan limit, or another copy of the title already on loan to them.
  '401161': 'PatronLoanLimit',
  '401198': 'PatronLoanLimit',
  '401163': 'PatronBlocked',
  '401201': 'PatronBlocked',
  '401168': 'PatronBlocked',
  '401681': 'DueDateRefused',
  '401824': 'DueDateRefused',
  '401855': 'AccountTypeNotSupported',
  UNAUTHORIZED: 'AlmaUnauthorized',
  DAILY_THRESHOLD: 'AlmaDailyLimit',
  QUOTA_FLOOR: 'AlmaDailyLimit',
};

/** Retryable failures, by the client's error kind: staff see these on a step that keeps retrying. */
const retryableByKind: Partial<Record<AlmaErrorKind, { type: string; text: (what: string) => string }>> = {
  // The step's own bounds stopped the call, not Alma.
  deadline: { type: 'StepOutOfTime', text: (what) => `Stopped before ${what}: the step's time was up (will retry)` },
  cancelled: { type: 'StepCancelled', text: (what) => `Stopped ${what}: the step was cancelled` },
};

/**
 * Turns an Alma client error into what Temporal should do with it: transient errors (429 per-second, 5xx, network,
 * timeouts, a call stopped by the step's deadline or cancel) are rethrown as retryable; business errors become
 * non-retryable failures whose type names the cause.
 * `what` says in staff words what was being done, e.g. "loaning 39000000001 to patron rivera.ana".
 */
export function toActivityFailure(err: unknown, what: string): Error {
  if (!isAlmaError(err)) return err instanceof Error ? err : new Error(String(err));
  const ids = { almaCode: err.code ?? '', trackingId: err.trackingId ?? '', httpStatus: String(err.status ?? '') };
  const detail = almaErrorDetail(err);
  const message = `Alma refused ${what}: ${detail}`;
  if (err.retryable) {
    // Not a refusal: Alma was down, slow or busy, or the step stopped the call. Say which.
    const { type, text } = retryableByKind[err.kind] ?? {
      type: 'AlmaUnavailable',
      text: (w: string) => `Alma did not answer ${w} (will retry)`,
    };
    return ApplicationFailure.create({
      type,
      message: `${text(what)}: ${detail}`,
      nonRetryable: false,
      details: [ids],
    });
  }
  return businessFailure(typeByAlmaCode[err.code ?? ''] ?? 'AlmaRejected', message, ids);
}

/**
 * What an Alma client error says, for a failure message. Alma's own words in curly quotes: they may name a person
 * (another patron's request, a blocked account), so the log scrubber leaves them out of log lines; staff still read
 * them in the relink's audit and failure. The client's own words (a step out of time, a network error) are neither
 * Alma's nor personal: said plainly, for the log too.
 */
export function almaErrorDetail(err: AlmaError): string {
  const own = isClientCode(err.code);
  const said =
    err.almaMessage && !own ? `“${err.almaMessage.replace(/[“”]/g, '"')}”` : (err.almaMessage ?? err.message);
  return `${said}${err.code ? (own ? ` [${err.code}]` : ` (Alma error ${err.code})`) : ''}`;
}

const CLIENT_CODES: ReadonlySet<string> = new Set([
  AlmaErrorCodes.NETWORK,
  AlmaErrorCodes.TIMEOUT,
  AlmaErrorCodes.INVALID_RESPONSE,
  AlmaErrorCodes.QUOTA_FLOOR,
  AlmaErrorCodes.CANCELLED,
  AlmaErrorCodes.DEADLINE,
]);

/** Codes the Alma client sets itself, for failures Alma never answered (errors.ts). */
function isClientCode(code: string | undefined): boolean {
  return code !== undefined && CLIENT_CODES.has(code);
}

/** Runs one Alma interaction, translating its errors. */
export async function almaStep<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActivityFailure(err, what);
  }
}
