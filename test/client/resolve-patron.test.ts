// One relink per patron, whatever identifier staff typed: RelinkClient.start looks the patron's primary_id up in Alma
// (through the resolvePatron workflow on the worker) before the update-with-start, and refuses a patron Alma does
// not know with nothing written.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { fixturesWith, item, patron, userIdentifier } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { startHarness, userOf, waitForProgress, writesIn, type RelinkHarness } from '../support/relink-harness';
import { cliEnv, jsonOf, relinkCli, workDir } from '../cli/run-cli';

const CARD = '21000000777001';
const UNIV_ID = 'U7770001';

describe('RelinkClient.start by any identifier of the patron', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [
          patron('rp.card', { identifiers: [userIdentifier(CARD), userIdentifier(UNIV_ID, 'UNIV_ID')] }),
          patron('rp.cli', { identifiers: [userIdentifier('21000000777002')] }),
        ],
        items: ['63000000001', '63000000002', '63000000003', '63000000004', '63000000005'].map((b) => item(b)),
      }),
    );
  });
  afterAll(async () => h?.close());

  it('a card barcode, a university id and the primary id all reach one relink, relink-<primary_id>', async () => {
    const before = userOf(h.sim.state(), 'rp.card');
    const byCard = await h.relinks.start(relinkInput(CARD, ['63000000001']));
    expect(byCard).toMatchObject({ workflowId: 'relink-rp.card', patronId: 'rp.card', joined: false });
    const byPrimary = await h.relinks.start(relinkInput('rp.card', ['63000000002']));
    expect(byPrimary).toMatchObject({
      workflowId: 'relink-rp.card',
      patronId: 'rp.card',
      runId: byCard.runId,
      joined: true,
      added: ['63000000002'],
    });
    const byUnivId = await h.relinks.start(relinkInput(UNIV_ID, ['63000000002']));
    expect(byUnivId).toMatchObject({ runId: byCard.runId, joined: true, added: [], alreadyPresent: ['63000000002'] });

    const progress = await waitForProgress(
      h,
      'relink-rp.card',
      (p) => p.items.length === 2 && p.awaiting === 'lost-declaration',
    );
    expect(progress.patronId).toBe('rp.card');
    await h.relinks.cancel('relink-rp.card');
    await expect(h.temporal.client.workflow.getHandle('relink-rp.card').result()).rejects.toThrow(WorkflowFailedError);
    expect(userOf(h.sim.state(), 'rp.card')).toEqual(before);
  });

  it('refuses an identifier Alma does not know, with nothing started and nothing written', async () => {
    const callsBefore = h.sim.calls().length;
    const refused = await h.relinks.start(relinkInput('rp.nobody', ['63000000003'])).catch((err: unknown) => err);
    expect(refused).toMatchObject({
      kind: 'refused',
      message:
        'Alma refused reading patron rp.nobody: “User with identifier rp.nobody was not found.” (Alma error 401861) ' +
        'Nothing was started.',
    });
    const calls = h.sim.calls().slice(callsBefore);
    expect(calls.map((c) => `${c.method} ${c.path.split('?')[0]}`)).toEqual(['GET /almaws/v1/users/rp.nobody']);
    expect(writesIn(calls)).toEqual([]);
    await expect(h.relinks.summary('relink-rp.nobody')).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('looks the same identifier up again and again (a fresh lookup workflow each time)', async () => {
    const answers = await Promise.all([h.relinks.resolvePatron(CARD), h.relinks.resolvePatron(CARD)]);
    expect(answers).toEqual(['rp.card', 'rp.card']);
    expect(await h.relinks.resolvePatron(UNIV_ID)).toBe('rp.card');
  });

  it('relink start and relink batch name the relink by the primary id', async () => {
    const env = cliEnv(h);
    const started = await relinkCli(['start', '--patron', '21000000777002', '--barcode', '63000000004'], env);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(
      /^Started relink relink-rp\.cli for patron rp\.cli \(given as 21000000777002\): 63000000004\./,
    );
    const file = path.join(workDir, 'by-card.csv');
    writeFileSync(file, 'patron_id,barcode\n21000000777002,63000000005\n');
    const batch = await relinkCli(['batch', file, '--json'], env);
    expect(batch.code).toBe(0);
    expect(jsonOf(batch).rows).toEqual([
      {
        patron_id: '21000000777002',
        barcode: '63000000005',
        workflow_id: 'relink-rp.cli',
        result: 'joined',
        message: "added to the patron's running relink",
      },
    ]);
    await h.relinks.cancel('relink-rp.cli');
    await expect(h.temporal.client.workflow.getHandle('relink-rp.cli').result()).rejects.toThrow(WorkflowFailedError);
  });
});
