// Alma may apply a write after the relink's restore (a swap PUT it received earlier and held). The relink starts a
// follow-up that reads the record again and restores once more, without holding staff up.
import type { RelinkResult, RestoreRecheckResult } from '../../src/contract';
import { fixturesWith, HOLDING_EMAIL, item, patron } from '../../src/alma-sim/builders';
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
    h = await startHarness(
      fixturesWith({
        users: [patron('late.write'), patron('again.soon')],
        items: [item('47000000001'), item('47000000002'), item('47000000003')],
      }),
    );
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

  it('is cancelled by a new relink of the same patron, which would otherwise look like a late write to it', async () => {
    const before = userOf(await h.sim.state(), 'again.soon');
    const first = await h.relinks.start(relinkInput('again.soon', ['47000000002'], { restoreRecheck: '8 seconds' }));
    await staffDeclaresLost(h, first.workflowId);
    const firstResult = (await h.temporal.client.workflow.getHandle(first.workflowId).result()) as RelinkResult;
    const recheckId = firstResult.audit.find((a) => a.almaIds?.recheckWorkflowId)!.almaIds!.recheckWorkflowId!;

    // The same patron again, before the first relink's follow-up has read the record: the same marker comes back.
    const second = await h.relinks.start(relinkInput('again.soon', ['47000000003']));
    expect(second.joined).toBe(false);
    await waitForProgress(h, second.workflowId, (p) => p.awaiting === 'lost-declaration');
    const recheck = h.temporal.client.workflow.getHandle(recheckId);
    await recheck.result().catch(() => undefined);
    expect((await recheck.describe()).status.name).toBe('CANCELLED');
    await new Promise((r) => setTimeout(r, 9000)); // past the first follow-up's 8 seconds
    const held = userOf(await h.sim.state(), 'again.soon');
    expect(held.contact_info.email.filter((e: any) => e.preferred).map((e: any) => e.email_address)).toEqual([
      HOLDING_EMAIL,
    ]);

    await staffDeclaresLost(h, second.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(second.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    expect(userOf(await h.sim.state(), 'again.soon').contact_info).toEqual(before.contact_info);
  });
});
