// A relink takes at most MAX_BARCODES barcodes over all its joins, so RelinkBarcodes stays under the server's size
// limit for a search attribute value: past it the server terminates the workflow, and no restore runs.
import { RelinkBarcodes, MAX_BARCODES, SEARCH_ATTRIBUTE_VALUE_LIMIT } from '../../src/contract';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { startHarness, userOf, waitForProgress, type RelinkHarness } from '../support/relink-harness';

/** Barcodes of the longest length a relink accepts (50 characters), each with its own item ids. */
const longBarcode = (i: number) => `${'X'.repeat(40)}46${String(i).padStart(8, '0')}`;
const barcodes = Array.from({ length: 40 }, (_, i) => longBarcode(i + 1));

describe('the barcode cap', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('cap.many')], items: barcodes.map((b) => item(b)) }));
  });
  afterAll(async () => h?.close());

  it('takes barcodes up to the cap over several starts, refuses a join past it, and keeps running', async () => {
    expect(MAX_BARCODES).toBe(30);
    expect(JSON.stringify(barcodes.slice(0, MAX_BARCODES)).length).toBeLessThan(SEARCH_ATTRIBUTE_VALUE_LIMIT);
    const before = userOf(await h.sim.state(), 'cap.many');
    const started = await h.relinks.start(relinkInput('cap.many', barcodes.slice(0, 20)));
    await waitForProgress(h, started.workflowId, (p) => p.step !== 'preflight');
    const joined = await h.relinks.start(relinkInput('cap.many', barcodes.slice(20, 30)));
    expect(joined).toMatchObject({ joined: true, added: barcodes.slice(20, 30) });
    await expect(h.relinks.start(relinkInput('cap.many', barcodes.slice(30, 40)))).rejects.toThrow(
      /has 30 barcodes and takes at most 30/,
    );

    const handle = h.temporal.client.workflow.getHandle(started.workflowId);
    await waitForProgress(
      h,
      started.workflowId,
      (p) => p.awaiting === 'lost-declaration' && p.items.every((i) => i.loanId),
    );
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.typedSearchAttributes.get(RelinkBarcodes)).toEqual(barcodes.slice(0, 30));
    await handle.cancel();
    await handle.result().catch(() => undefined);
    expect(userOf(await h.sim.state(), 'cap.many').contact_info).toEqual(before.contact_info);
  });
});
