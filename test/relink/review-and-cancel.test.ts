// The waits: a request queue that needs a staff decision, a Lost click that needs staff, and cancellation at each.
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { fixturesWith, HOLDING_EMAIL, item, itemIds, holdRequest, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  ownAddresses,
  recordHistory,
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  writesIn,
  type RelinkHarness,
} from '../support/relink-harness';
import type { RelinkResult } from '../../src/contract';

const pid = (barcode: string) => itemIds(barcode).itemPid;

describe('the staff waits', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: ['rev.proceed', 'rev.abort', 'rev.late', 'cancel.review', 'cancel.lost', 'join.one', 'queue.other'].map(
          (id) => patron(id),
        ),
        // Alma's "requested" flag on an item follows from the requests below: the simulator derives it.
        items: [
          item('43000000001'),
          item('43000000002'),
          item('43000000003'),
          item('43000000004'),
          item('43000000005'),
          item('43000000006'),
          item('43000000007'),
        ],
        requests: [
          holdRequest('8430000000001', 'queue.other', '43000000001'),
          holdRequest('8430000000002', 'queue.other', '43000000002'),
          holdRequest('8430000000004', 'queue.other', '43000000004'),
        ],
      }),
    );
  });
  afterAll(async () => h?.close());

  it('waits for a request review before swapping the email, then proceeds once staff cleared the queue', async () => {
    const before = userOf(await h.sim.state(), 'rev.proceed');
    const callsBefore = (await h.sim.calls()).length;
    const started = await h.relinks.start(relinkInput('rev.proceed', ['43000000001']));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    expect(waiting.items[0]!.blockingRequests).toEqual([expect.objectContaining({ requestId: '8430000000001' })]);
    expect(waiting.awaitingInstructions).toMatch(/relink review relink-rev\.proceed --proceed/);
    expect(writesIn((await h.sim.calls()).slice(callsBefore))).toEqual([]); // the address is not held hostage

    // "Proceed" while the queue is still blocked: the relink re-reads it and keeps waiting.
    await h.relinks.review(started.workflowId, { decision: 'proceed' });
    await waitForProgress(
      h,
      started.workflowId,
      (p) => p.audit.some((a) => /decided to proceed/.test(a.message)) && p.awaiting === 'request-review',
    );

    await h.alma.cancelRequest('queue.other', '8430000000001', {
      reason: 'CancelledAtPatronRequest',
      notifyUser: false,
    });
    await h.relinks.review(started.workflowId, { decision: 'proceed', by: 'circ.staff' });
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    expect(userOf(await h.sim.state(), 'rev.proceed')).toEqual(before);
  });

  it('aborts at the request review with nothing written to Alma', async () => {
    const callsBefore = (await h.sim.calls()).length;
    const started = await h.relinks.start(relinkInput('rev.abort', ['43000000002']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    await h.relinks.review(started.workflowId, { decision: 'abort' });
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('aborted');
    await recordHistory(h, started.workflowId, 'aborted-at-review');
    expect(writesIn((await h.sim.calls()).slice(callsBefore))).toEqual([]);
  });

  it('gives the email back while staff review a request that arrived after the swap', async () => {
    const before = userOf(await h.sim.state(), 'rev.late');
    // Hold the bib's list back (the review's read before the swap, then the re-check's) so a request can land
    // between the swap and the scan-in: moments after the preflight, the re-check finds it in the bib's list, which
    // names the item (the item's own queue is read only when Alma's flag is older than that).
    const bib = itemIds('43000000003').mmsId;
    await h.sim.setFaults({
      rules: [{ method: 'GET', path: `bibs/${bib}/requests`, action: 'delay', delayMs: 2000, times: 2 }],
    });
    const started = await h.relinks.start(relinkInput('rev.late', ['43000000003']));
    for (let i = 0; i < 100; i++) {
      const user = userOf(await h.sim.state(), 'rev.late');
      if (user.contact_info.email.some((e: any) => e.email_address === HOLDING_EMAIL)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const request = await h.alma.createItemRequest('queue.other', pid('43000000003'), {
      request_type: 'HOLD',
      pickup_location_type: 'LIBRARY',
      pickup_location_library: 'MAIN',
    });
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    expect(waiting.contact).toMatchObject({ restored: true, verified: true });
    expect(userOf(await h.sim.state(), 'rev.late')).toEqual(before);

    await h.alma.cancelRequest('queue.other', String(request.request_id), {
      reason: 'CancelledAtPatronRequest',
      notifyUser: false,
    });
    await h.relinks.review(started.workflowId, { decision: 'proceed' });
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    expect(userOf(await h.sim.state(), 'rev.late')).toEqual(before);
    const notices = (await h.sim.notices()).filter((n: any) => n.user_id === 'rev.late');
    for (const n of notices) expect(ownAddresses(before)).not.toContain(n.address);
    await recordHistory(h, started.workflowId, 'completed-request-after-swap');
  });

  async function expectCancelled(workflowId: string) {
    try {
      await h.temporal.client.workflow.getHandle(workflowId).result();
      throw new Error('not cancelled');
    } catch (err) {
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    }
  }

  it('cancelled while awaiting the request review: nothing was written, nothing to restore', async () => {
    const before = userOf(await h.sim.state(), 'cancel.review');
    const callsBefore = (await h.sim.calls()).length;
    const started = await h.relinks.start(relinkInput('cancel.review', ['43000000004']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    await h.relinks.cancel(started.workflowId);
    await expectCancelled(started.workflowId);
    expect(writesIn((await h.sim.calls()).slice(callsBefore))).toEqual([]);
    expect(userOf(await h.sim.state(), 'cancel.review')).toEqual(before);
  });

  it('cancelled while awaiting the Lost click: the email is still restored and verified', async () => {
    const before = userOf(await h.sim.state(), 'cancel.lost');
    const started = await h.relinks.start(relinkInput('cancel.lost', ['43000000005']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await h.relinks.cancel(started.workflowId);
    await expectCancelled(started.workflowId);
    expect(userOf(await h.sim.state(), 'cancel.lost')).toEqual(before);
    const status = await h.relinks.status(started.workflowId);
    expect(status.outcome).toBe('cancelled');
    await recordHistory(h, started.workflowId, 'cancelled-awaiting-lost');
  });

  it('a second start for the same patron joins the running relink; a bad barcode is refused by name', async () => {
    const before = userOf(await h.sim.state(), 'join.one');
    const first = await h.relinks.start(relinkInput('join.one', ['43000000006']));
    await waitForProgress(h, first.workflowId, (p) => p.awaiting === 'lost-declaration');
    const second = await h.relinks.start(relinkInput('join.one', ['43000000007', '43000000006']));
    expect(second).toMatchObject({
      workflowId: 'relink-join.one',
      joined: true,
      added: ['43000000007'],
      alreadyPresent: ['43000000006'],
    });
    await expect(h.relinks.start(relinkInput('join.one', ['49999999998']))).rejects.toThrow(
      /relink-join\.one.*49999999998/,
    );

    await waitForProgress(
      h,
      first.workflowId,
      (p) => p.awaiting === 'lost-declaration' && p.items.every((i) => i.loanId),
    );
    await staffDeclaresLost(h, first.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(first.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');
    expect(result.items.map((i: { barcode: string; lostConfirmed: boolean }) => [i.barcode, i.lostConfirmed])).toEqual([
      ['43000000006', true],
      ['43000000007', true],
    ]);
    expect(userOf(await h.sim.state(), 'join.one')).toEqual(before);
    await recordHistory(h, first.workflowId, 'completed-joined');
  });
});
