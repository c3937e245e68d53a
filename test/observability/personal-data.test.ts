// The log scrubber: addresses and phone numbers out of any text, personal fields out of any metadata, barcodes
// and Alma ids kept (an operator needs them to find the relink).
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { JsonLogger, scrubText, scrubValue } from '../../src/observability';

describe('scrubbing personal data from log lines', () => {
  it('replaces email addresses and written phone numbers, and keeps barcodes, loan ids and dates', () => {
    expect(scrubText('patron p1 <ana.rivera@example.edu> tel +358 40 123 4567 or (555) 123-4567')).toBe(
      'patron p1 <[email]> tel [phone] or [phone]',
    );
    const kept = 'barcode 39000000001, loan 1234567890123, at 2026-11-30T07:17:28.599Z, took 216 ms';
    expect(scrubText(kept)).toBe(kept);
    // A stack trace's package paths are not addresses: an operator needs them to read the trace.
    const stack =
      'at Activity.execute (/app/node_modules/@temporalio/worker/lib/activity.js:86:12), @temporalio/worker@1.11.8';
    expect(scrubText(stack)).toBe(stack);
    expect(scrubText('see node_modules/@types/node and a.b-c+tag@mail.example.co.uk')).toBe(
      'see node_modules/@types/node and [email]',
    );
    // Alma's own words may name a person: the activities quote them, and the quote stays out whole.
    expect(
      scrubText('Alma refused loaning 39000000001: “Item is requested by Virtanen, Anneli” (Alma error 401651)'),
    ).toBe('Alma refused loaning 39000000001: “[Alma’s message]” (Alma error 401651)');
  });

  it('drops name, contact and argument fields whatever they hold, and reduces an error to what it says', () => {
    const err = ApplicationFailure.retryable('Alma refused ana@x.example.org', 'AlmaUnavailable');
    const scrubbed = scrubValue({
      user: { primary_id: 'p1', first_name: 'Anneli', last_name: 'Rivera', contact_info: { email: [] } },
      args: [{ holdingEmail: 'desk@library.example.edu' }],
      error: err,
    });
    expect(JSON.stringify(scrubbed)).not.toMatch(/Anneli|Rivera|ana@|desk@|example\.(org|edu)/);
    expect(scrubbed).toMatchObject({
      user: { primary_id: 'p1', first_name: '[personal data]' },
      error: { type: 'AlmaUnavailable', message: 'Alma refused [email]' },
    });
  });

  it('writes one JSON object a line, with the level by name', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    new JsonLogger('INFO', sink).warn('Activity failed for ana@x.example.org', { attempt: 2 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'Activity failed for [email]', attempt: 2 });
  });
});
