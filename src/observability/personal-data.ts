// What a log line may never carry: a patron's email address, phone number or name. The relink's own messages name
// patrons by their Alma id only, but a log line can also carry what others wrote: an Alma error message (quoted, and
// left out whole), the SDK's
// "Activity failed" warning with the failure's message and stack, a record passed as metadata. This scrubs those
// before a line is written. Hand-written: pino's redact works on key paths only and cannot find an address inside a
// message.

/**
 * An email address anywhere in a text (the holding address too: a log line has no need of any). The domain is host
 * name characters only and the local part has no slash, so a stack trace's package path
 * (node_modules/@temporalio/worker/lib/x.js) is not taken for one.
 */
const EMAIL = /[^\s@"'<>(),;:[\]/\\]+@(?:[a-z0-9-]+\.)+[a-z]{2,}/gi;
/**
 * A phone number as people write it: international (+358 40 123 4567, +1 555 0100) or grouped (555-123-4567,
 * (555) 123 4567). A plain run of digits is not one: barcodes and loan ids are plain runs of digits.
 */
const PHONE = /(?:\+\d{1,3}[\s.-]?)(?:\(?\d{1,4}\)?[\s.-]?){1,5}\d{2,4}|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g;

/** Keys whose values are personal data whatever they hold (Alma's user record fields and our own). */
const PERSONAL_KEYS =
  /^(first_name|last_name|middle_name|full_name|preferred_first_name|preferred_last_name|preferred_middle_name|name|email|email_address|emails|holdingEmail|phone|phone_number|phones|address|contact_info|originalEmails|original|args|arguments|input|details|heartbeatDetails)$/i;

/**
 * Alma's own error text, which the activities quote in curly quotes (activities/failures.ts): it may name a person
 * (a requester, a blocked patron), and no pattern finds a name, so the whole quote stays out of log lines.
 */
const ALMA_QUOTE = /“[^”]*”/g;

export function scrubText(text: string): string {
  return text.replace(ALMA_QUOTE, '“[Alma’s message]”').replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

/**
 * A copy of `value` fit for a log line: texts scrubbed, personal fields and activity arguments dropped, errors
 * reduced to their name, type and scrubbed message and stack.
 */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[nested]';
  if (value instanceof Error) return scrubError(value, depth);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = PERSONAL_KEYS.test(key) ? '[personal data]' : scrubValue(v, depth + 1);
  }
  return out;
}

function scrubError(err: Error, depth: number): Record<string, unknown> {
  const extra = err as Error & { type?: unknown; cause?: unknown; nonRetryable?: unknown };
  return {
    name: err.name,
    ...(typeof extra.type === 'string' ? { type: extra.type } : {}),
    ...(typeof extra.nonRetryable === 'boolean' ? { nonRetryable: extra.nonRetryable } : {}),
    message: scrubText(err.message),
    ...(err.stack ? { stack: scrubText(err.stack) } : {}),
    ...(extra.cause instanceof Error ? { cause: scrubError(extra.cause, depth + 1) } : {}),
  };
}
