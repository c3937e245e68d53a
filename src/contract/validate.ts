// Input rules shared by the CLI (before anything starts) and the workflow (before anything in Alma is read).
// Plain functions: the workflow sandbox bundles this file.
import { relinkDurations } from './defaults';
import { holdingLimitMs, lostModeProblems } from './lost-mode';
import { restoreAfterProblem } from './restore-after';
import type { RelinkInput } from './types';

export const PATRON_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;
export const BARCODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,49}$/;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * The most barcodes one relink takes, in one start and over all its joins. RelinkBarcodes holds them all, and a
 * search attribute value over the server's limit (frontend.searchAttributesSizeOfValueLimit, 2 KB by default) makes the
 * server terminate the workflow, skipping the restore. 30 barcodes of at most 50 characters encode to at most
 * 30 × 52 + 31 = 1,591 bytes of JSON, under that limit by construction.
 */
export const MAX_BARCODES = 30;
/** The size limit of one search attribute value on a default Temporal server, in bytes. */
export const SEARCH_ATTRIBUTE_VALUE_LIMIT = 2048;

export function patronIdProblem(patronId: unknown): string | undefined {
  if (typeof patronId !== 'string' || patronId.length === 0) return 'the patron id is empty';
  if (patronId.length > 100) return `the patron id is ${patronId.length} characters long (at most 100)`;
  if (!PATRON_ID_PATTERN.test(patronId))
    return `the patron id "${patronId}" has characters Alma ids do not use (letters, digits and . _ @ + - only)`;
  return undefined;
}

export function barcodeProblem(barcode: unknown): string | undefined {
  if (typeof barcode !== 'string' || barcode.length === 0) return 'a barcode is empty';
  if (barcode.length > 50)
    return `barcode "${barcode.slice(0, 20)}…" is ${barcode.length} characters long (at most 50)`;
  if (!BARCODE_PATTERN.test(barcode))
    return `barcode "${barcode}" has characters barcodes do not use (letters, digits and . _ / - only)`;
  return undefined;
}

export function barcodesProblems(barcodes: unknown): string[] {
  if (!Array.isArray(barcodes) || barcodes.length === 0) return ['no barcode was given'];
  if (barcodes.length > MAX_BARCODES) return [`${barcodes.length} barcodes in one relink (at most ${MAX_BARCODES})`];
  const problems = barcodes.map(barcodeProblem).filter((p): p is string => !!p);
  const seen = new Set<string>();
  for (const b of barcodes as string[]) {
    if (seen.has(b)) problems.push(`barcode ${b} is given twice`);
    seen.add(b);
  }
  return problems;
}

export function relinkInputProblems(input: RelinkInput): string[] {
  const problems: string[] = [];
  const patron = patronIdProblem(input?.patronId);
  if (patron) problems.push(patron);
  problems.push(...barcodesProblems(input?.barcodes));
  if (typeof input?.holdingEmail !== 'string' || !EMAIL_PATTERN.test(input.holdingEmail))
    problems.push('the holding email (RELINK_HOLDING_EMAIL) is not an email address');
  const desks = input?.desks ?? {};
  if (!desks.circDesk && Object.keys(desks.deskByLibrary ?? {}).length === 0)
    problems.push('no circulation desk is configured (ALMA_LIBRARY and ALMA_CIRC_DESK, or a desk map)');
  const quiet = restoreAfterProblem(input?.restoreAfter);
  if (quiet) problems.push(quiet);
  if (input?.webhooks !== undefined && typeof input.webhooks !== 'boolean')
    problems.push('webhooks must be true or false');
  if (!quiet && /^after-fines-job/i.test(input?.restoreAfter?.trim() ?? '') && input?.webhooks !== true)
    problems.push(
      'the quiet period "after-fines-job" (RELINK_RESTORE_AFTER) ends on the report of Alma\'s webhooks, which are not ' +
        'configured (RELINK_WEBHOOKS=on, npm run webhooks): set a duration or "next HH:MM" instead',
    );
  if (input?.lostMode !== undefined) {
    const holdingAddressLimitMs = holdingLimitMs(relinkDurations(input).holdingAddressLimit);
    problems.push(...lostModeProblems({ ...input, holdingAddressLimitMs }));
  }
  return problems;
}

/** Why a join of these barcodes would take a relink that already has `present` past MAX_BARCODES, if it would. */
export function joinCapProblem(present: string[], barcodes: string[]): string | undefined {
  const fresh = new Set(barcodes.filter((b) => !present.includes(b)));
  if (present.length + fresh.size <= MAX_BARCODES) return undefined;
  return (
    `this relink has ${present.length} barcodes and takes at most ${MAX_BARCODES}; ` +
    `start the other ${fresh.size} in a new relink once this one has ended`
  );
}
