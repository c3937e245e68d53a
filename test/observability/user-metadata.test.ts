// What admins see in the Web UI (Temporal's user metadata): a summary of the relink, of each activity and timer, and
// the current details of what it waits for; all of it stored encrypted, like every payload.
import type { RelinkResult } from '../../src/contract';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  recordHistory,
  searchable,
  showHistory,
  staffDeclaresLost,
  startHarness,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

describe('user metadata for the Web UI', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('meta.one')], items: [item('48000000001')] }));
  });
  afterAll(async () => h?.close());

  it('summarises the relink, each activity and each timer, and says what it waits for; encrypted at rest', async () => {
    const started = await h.relinks.start(relinkInput('meta.one', ['48000000001'], { lostPollInitial: '1 second' }));
    const handle = h.temporal.client.workflow.getHandle(started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');

    const description = await handle.describe();
    expect(await description.staticSummary()).toBe('Relink lost loans to patron meta.one: 48000000001');
    expect(await description.staticDetails()).toContain('relink status relink-meta.one');
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toMatch(/^Waiting for a Lost click\.\n\n/);
    // Both places' words: the desk's button and the CLI's command.
    expect(metadata.currentDetails).toMatch(
      /press "I clicked Lost" on the desk, or run: relink confirm-lost relink-meta\.one/,
    );
    expect(metadata.currentDetails).toContain('48000000001');

    await staffDeclaresLost(h, started.workflowId);
    expect(((await handle.result()) as RelinkResult).outcome).toBe('completed');

    // The stored history holds the summaries as ciphertext only; decrypted, they are the relink's words.
    const stored = await showHistory(started.workflowId);
    expect(searchable(stored)).not.toContain('swap email to the holding address');
    const decrypted = await showHistory(started.workflowId, { decrypt: true });
    const text = searchable(decrypted);
    for (const summary of [
      'check patron and items (read only)',
      'swap email to the holding address',
      'scan the item in',
      'loan the item to the patron',
      'check Alma for the Lost click, check 1',
      'wait for the staff Lost click, poll 1',
      "restore the patron's email",
    ])
      expect(text).toContain(summary);
    await recordHistory(h, started.workflowId, 'ops-completed-user-metadata');
  });
});
