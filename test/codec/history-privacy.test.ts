// What the Temporal server stores, and so what its Web UI or a history export shows without the codec server:
// no patron's email address, nor the holding address, anywhere — only ciphertext — while an admin with the codec
// server (and every client with the key) reads them.
import { relinkSearchAttributes } from '../../src/contract';
import type { RelinkResult } from '../../src/contract';
import { HOLDING_EMAIL, fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  showHistory,
  searchable,
  staffDeclaresLost,
  startHarness,
  type RelinkHarness,
} from '../support/relink-harness';

const PATRON = 'privacy.one';
const OWN_EMAIL = 'ana.privacy@example.org';
const WORK_EMAIL = 'a.privacy@dept.example.edu';

describe('patron data in the workflow history', () => {
  let h: RelinkHarness;
  let workflowId: string;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [
          patron(PATRON, {
            emails: [
              {
                email_address: WORK_EMAIL,
                description: null,
                preferred: false,
                segment_type: 'External',
                email_type: [{ value: 'work' }],
              },
              {
                email_address: OWN_EMAIL,
                description: null,
                preferred: true,
                segment_type: 'External',
                email_type: [{ value: 'personal' }],
              },
            ],
          }),
        ],
        items: [item('47200000001')],
      }),
    );
    workflowId = (await h.relinks.start(relinkInput(PATRON, ['47200000001']))).workflowId;
    await staffDeclaresLost(h, workflowId);
    const result = (await h.temporal.client.workflow.getHandle(workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed'); // the client, holding the key, reads the result
  });
  afterAll(async () => h?.close());

  it('stores no email address in clear text: `temporal workflow show --output json` finds none', async () => {
    const stored = await showHistory(workflowId);
    const text = searchable(stored);
    for (const address of [OWN_EMAIL, WORK_EMAIL, HOLDING_EMAIL]) expect(text).not.toContain(address);
    expect(text).not.toMatch(/[\w.+-]+@[\w-]+\.example\.(org|edu)/);
    expect(text).toContain('binary/encrypted'); // the payloads are there, as ciphertext
  });

  it('shows them to an admin through the codec server: the holding address and the email put back', async () => {
    const decrypted = searchable(await showHistory(workflowId, { decrypt: true }));
    expect(decrypted).toContain(HOLDING_EMAIL); // the input
    expect(decrypted).toContain(OWN_EMAIL); // the contact plan the restore used
    expect(decrypted).not.toContain('binary/encrypted');
  });

  it('keeps email addresses out of the search attributes, which are never encrypted', async () => {
    const description = await h.temporal.client.workflow.getHandle(workflowId).describe();
    const values = relinkSearchAttributes.map((key) => description.typedSearchAttributes.get(key));
    expect(values).toEqual([PATRON, ['47200000001'], 'done', 'none', 'completed']);
    expect(JSON.stringify(description.raw.workflowExecutionInfo?.searchAttributes ?? {})).not.toContain('@');
    expect(workflowId).not.toContain('@');
  });
});
