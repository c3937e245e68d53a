// Alma may apply a write after the relink's restore (a swap PUT it received earlier and held). The relink starts a
// follow-up that reads the record again and restores once more, without holding staff up.
import type { RelinkResult, RestoreRecheckResult } from '../../src/contract';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
  recordHistory,
} from '../support/relink-harness';

describe('the re-check after the restore', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('late.write')], items: [item('47000000001')] }));
  });
  afterAll(async () => h?.close());

  it('undoes a swap that Alma applies after the restore', async () => {
    const before = userOf(await h.sim.state(), 'late.write');
    const input = relinkInput('late.write', ['47000000001'], { restoreRecheck: '5 seconds' });
    const started = await h.relinks.start(input);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    // The record as the swap left it: what a swap PUT held by Alma would write again later.
    const swapped = await h.alma.getUser('late.write');
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    const link = result.audit.find((a) => a.almaIds?.recheckWorkflowId);
    expect(link?.message).toMatch(/read again in 5 seconds/);

    await h.alma.updateUser('late.write', swapped); // the late write lands after the restore
    expect(userOf(await h.sim.state(), 'late.write').contact_info).not.toEqual(before.contact_info);
    const recheck = h.temporal.client.workflow.getHandle(link!.almaIds!.recheckWorkflowId!);
    const outcome = (await recheck.result()) as RestoreRecheckResult;
    expect(outcome.outcome).toBe('restored-again');
    expect(userOf(await h.sim.state(), 'late.write').contact_info).toEqual(before.contact_info);
    await recordHistory(h, started.workflowId, 'completed-restore-recheck-started');
    await recordHistory(h, link!.almaIds!.recheckWorkflowId!, 'recheck-restored-again');
  });
});
