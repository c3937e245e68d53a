// A relink that fails at each step: the error is typed and staff-readable, and the patron's email is always
// restored, verified, with nothing else in their record changed.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { fixturesWith, item, itemIds, loan, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  ownAddresses,
  recordHistory,
  startHarness,
  userOf,
  waitForProgress,
  writesIn,
  type RelinkHarness,
} from '../support/relink-harness';
import type { RelinkResult } from '../../src/contract';

async function failureOf(h: RelinkHarness, workflowId: string): Promise<ApplicationFailure> {
  try {
    await h.temporal.client.workflow.getHandle(workflowId).result();
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) return err.cause;
    throw err;
  }
  throw new Error(`${workflowId} did not fail`);
}

const pid = (barcode: string) => itemIds(barcode).itemPid;

describe('a relink that fails', () => {
  let h: RelinkHarness;
  const patrons = ['fail.swap', 'fail.scan', 'fail.loan', 'fail.lostcheck', 'fail.restore', 'fail.deadline'];
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [
          ...patrons.map((id) => patron(id)),
          patron('pre.inactive', { status: 'INACTIVE' }),
          patron('pre.blocked', { blocked: true }),
          patron('pre.ok'),
          patron('pre.other'),
        ],
        items: [
          ...patrons.map((_, i) => item(`4200000000${i}`)),
          item('42000000100', { processType: 'LOAN' }),
          item('42000000101', { processType: 'TRANSIT' }),
          item('42000000102', { library: 'LAW' }),
          item('42000000103'),
        ],
        loans: [loan('7320000000100', 'pre.other', '42000000100')],
      }),
    );
  });
  afterAll(async () => h?.close());

  describe('at preflight, with nothing written to Alma', () => {
    it('refuses an unknown patron before the relink starts (the client looks the patron up first)', async () => {
      const callsBefore = h.sim.calls().length;
      await expect(h.relinks.start(relinkInput('nobody.here', ['42000000103']))).rejects.toMatchObject({
        kind: 'refused',
        message: expect.stringMatching(/^Alma refused reading patron nobody\.here: .*Nothing was started\.$/),
      });
      expect(writesIn(h.sim.calls().slice(callsBefore))).toEqual([]);
      await expect(h.relinks.summary('relink-nobody.here')).rejects.toMatchObject({ kind: 'not-found' });
    });

    it.each([
      ['an unknown barcode', 'pre.ok', ['49999999999'], 'ItemNotFound'],
      ['an item on loan to another patron', 'pre.ok', ['42000000100'], 'ItemOnLoan'],
      ['an item in transit', 'pre.ok', ['42000000101'], 'ItemNotRelinkable'],
      ['an item of a library with no desk configured', 'pre.ok', ['42000000102'], 'DeskNotConfigured'],
      ['an inactive patron', 'pre.inactive', ['42000000103'], 'PatronInactive'],
      ['a blocked patron', 'pre.blocked', ['42000000103'], 'PatronBlocked'],
    ])('refuses %s', async (_what, patronId, barcodes, type) => {
      const callsBefore = (await h.sim.calls()).length;
      const started = await h.relinks.start(relinkInput(patronId, barcodes));
      const failure = await failureOf(h, started.workflowId);
      expect(failure.type).toBe(type);
      expect(failure.message).toMatch(
        new RegExp(
          barcodes[0]!.startsWith('49') || type.startsWith('Item') || type === 'DeskNotConfigured'
            ? barcodes[0]!
            : patronId,
        ),
      );
      const calls = (await h.sim.calls()).slice(callsBefore);
      expect(writesIn(calls)).toEqual([]);
    });
  });

  async function expectRestored(patronId: string, before: Record<string, unknown>) {
    const state = await h.sim.state();
    expect(userOf(state, patronId)).toEqual(before);
    const notices = (await h.sim.notices()).filter((n: any) => n.user_id === patronId);
    for (const n of notices) expect(ownAddresses(before)).not.toContain(n.address);
  }

  it('restores the email when the swap itself is refused by Alma', async () => {
    const before = userOf(await h.sim.state(), 'fail.swap');
    await h.sim.setFaults({
      rules: [
        { method: 'PUT', path: '/users/fail\\.swap', action: 'error', status: 400, errorCode: '401652', times: 1 },
      ],
    });
    const started = await h.relinks.start(relinkInput('fail.swap', ['42000000000']));
    expect((await failureOf(h, started.workflowId)).type).toBe('AlmaRejected');
    await expectRestored('fail.swap', before);
  });

  it('restores the email when the scan-in fails', async () => {
    const before = userOf(await h.sim.state(), 'fail.scan');
    await h.sim.setFaults({
      rules: [
        {
          method: 'POST',
          path: `${pid('42000000001')}\\?.*op=scan`,
          action: 'error',
          status: 400,
          errorCode: '402502',
          times: 1,
        },
      ],
    });
    const started = await h.relinks.start(relinkInput('fail.scan', ['42000000001']));
    const failure = await failureOf(h, started.workflowId);
    expect(failure.message).toMatch(/42000000001/);
    const progress = await h.relinks.progress(started.workflowId);
    expect(progress.contact).toMatchObject({ restored: true, verified: true });
    await expectRestored('fail.scan', before);
  });

  it('restores the email when the loan is refused (ItemNotLoanable)', async () => {
    const before = userOf(await h.sim.state(), 'fail.loan');
    await h.sim.setFaults({
      rules: [
        {
          method: 'POST',
          path: '/users/fail\\.loan/loans',
          action: 'error',
          status: 400,
          errorCode: '401651',
          times: 1,
        },
      ],
    });
    const started = await h.relinks.start(relinkInput('fail.loan', ['42000000002']));
    expect((await failureOf(h, started.workflowId)).type).toBe('ItemNotLoanable');
    const audit = (await h.relinks.progress(started.workflowId)).audit;
    expect(audit.find((a) => a.message.startsWith('Failed:'))?.almaIds).toEqual({
      almaCode: '401651',
      trackingId: expect.any(String),
    });
    await expectRestored('fail.loan', before);
    await recordHistory(h, started.workflowId, 'failed-loan-refused');
  });

  it('restores the email when confirming the Lost click fails with a business error', async () => {
    const before = userOf(await h.sim.state(), 'fail.lostcheck');
    const started = await h.relinks.start(relinkInput('fail.lostcheck', ['42000000003']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await h.sim.setFaults({
      rules: [
        {
          method: 'GET',
          path: '/users/fail\\.lostcheck/loans',
          action: 'error',
          status: 400,
          errorCode: '401652',
          times: 1,
        },
      ],
    });
    await h.relinks.confirmLost(started.workflowId);
    // The loan went back (scanned in under the holding address) before the restore; the message says so.
    expect((await failureOf(h, started.workflowId)).message).toMatch(
      /Loans it had made, and their state now: 42000000003 \(loan \d+\): returned/,
    );
    await expectRestored('fail.lostcheck', before);
  });

  it('keeps retrying the restore through Alma outages until it is verified', async () => {
    const before = userOf(await h.sim.state(), 'fail.restore');
    const started = await h.relinks.start(relinkInput('fail.restore', ['42000000004']));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await h.sim.setFaults({
      rules: [{ method: 'PUT', path: '/users/fail\\.restore', action: 'error', status: 503, times: 2 }],
    });
    await h.sim.declareLost(waiting.items[0]!.loanId!);
    await h.relinks.confirmLost(started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    await expectRestored('fail.restore', before);
  });

  it('ends as needs-attention, the loan returned and the email restored, when the holding-address limit passes', async () => {
    const before = userOf(await h.sim.state(), 'fail.deadline');
    // Past the Lost deadline the relink is overdue; at the holding-address limit it returns the loan and restores.
    const started = await h.relinks.start(
      relinkInput('fail.deadline', ['42000000005'], { lostDeadline: '2 seconds', holdingAddressLimit: '3 seconds' }),
    );
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('needs-attention');
    expect(result.reason).toMatch(/No Lost click and no staff decision within 3 seconds/);
    expect(result.items[0]).toMatchObject({ phase: 'returned' });
    expect(result).toMatchObject({ emailRestored: true, emailVerified: true });
    await expectRestored('fail.deadline', before);
    await recordHistory(h, started.workflowId, 'needs-attention-lost-deadline');
  });
});
