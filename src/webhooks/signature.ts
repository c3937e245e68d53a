// Alma signs each webhook message with the integration profile's secret: HMAC-SHA256 of the body as sent, base64,
// in X-Exl-Signature (Developer Network, "Webhooks"). Checked on the raw bytes as received: re-serialising the
// parsed JSON, as Ex Libris' example does, fails on any body whose spacing or number format differs.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-exl-signature';

export const signatureOf = (body: Buffer | string, secret: string): string =>
  createHmac('sha256', secret).update(body).digest('base64');

/** True when `signature` is the body's, compared in constant time (a length mismatch answers at once: it leaks nothing of the secret). */
export function signatureMatches(body: Buffer, secret: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signatureOf(body, secret));
  const given = Buffer.from(signature.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
