import { fixturesWith, HOLDING_EMAIL, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  ownAddresses,
  recordHistory,
  staffDeclaresLost,
  startHarness,
  userOf,
  type RelinkHarness,
} from '../support/relink-harness';
import type { RelinkResult } from '../../src/contract';

const smsPatron = patron(
  'happy.sms',
  {
    emails: [
      {
        email_address: 'work@dept.example.edu',
        description: 'Dept',
        preferred: false,
        segment_type: 'External',
        email_type: [{ value: 'work' }],
      },
      {
        email_address: 'me@example.org',
        description: null,
        preferred: true,
        segment_type: 'External',
        email_type: [{ value: 'personal' }],
      },
    ],
    phones: [
      {
        phone_number: '+1 555 0199',
        preferred: true,
        preferred_sms: true,
        segment_type: 'External',
        phone_type: [{ value: 'mobile' }],
      },
    ],
  },
  { account_type: { value: 'EXTERNAL', desc: 'External' }, external_id: 'SIS' },
);

describe('a relink that goes to plan', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [patron('happy.one'), smsPatron],
        items: [
          item('41000000001'),
          item('41000000002', { library: 'SCI', processType: 'LOST_LOAN_AND_PAID' }),
          item('41000000003', { processType: '' }),
          item('41000000004'),
        ],
      }),
    );
  });
  afterAll(async () => h?.close());

  it('relinks one item: loaned, declared lost, email restored exactly, no letter to the patron', async () => {
    const before = userOf(await h.sim.state(), 'happy.one');
    const started = await h.relinks.start(relinkInput('happy.one', ['41000000001']));
    expect(started.workflowId).toBe('relink-happy.one');

    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;

    expect(result.outcome).toBe('completed');
    expect(result.emailRestored).toBe(true);
    expect(result.emailVerified).toBe(true);
    expect(result.items).toEqual([
      expect.objectContaining({ barcode: '41000000001', lostConfirmed: true, loanId: expect.any(String) }),
    ]);

    const state = await h.sim.state();
    expect(userOf(state, 'happy.one')).toEqual(before); // nothing else in the record changed either
    const loans = state.loans.filter((l: any) => l.user_id === 'happy.one' && l.loan_status === 'ACTIVE');
    expect(loans).toEqual([expect.objectContaining({ item_barcode: '41000000001', process_status: 'LOST' })]);

    const notices = (await h.sim.notices()).filter((n: any) => n.user_id === 'happy.one');
    expect(notices.length).toBeGreaterThan(0); // Alma did send letters ...
    for (const n of notices) expect(ownAddresses(before)).not.toContain(n.address); // ... none to the patron
    expect(notices.every((n: any) => n.address === HOLDING_EMAIL)).toBe(true);

    // One activity per step that talks to Alma. The review runs although the item is not flagged requested: the
    // bib's title-level requests are not in that flag.
    const history = await h.temporal.client.workflow.getHandle(started.workflowId).fetchHistory();
    const activities = (history.events ?? []).flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
    expect(activities).toEqual([
      'preflight',
      'reviewRequests',
      'swapContact',
      'scanIn',
      'loanItem',
      'checkLostDeclared',
      'restoreContact',
    ]);
    // Search attributes are written where the relink waits, one write for what changed since the last (the start set
    // them already): the step before each activity, step and awaited action at the Lost wait and the restore, the end.
    const written = (history.events ?? []).flatMap((e) =>
      e.upsertWorkflowSearchAttributesEventAttributes
        ? [Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {}).sort()]
        : [],
    );
    expect(written).toEqual([
      ['TemporalChangeVersion'], // the SDK's own record of a patched() change: run-marker, asked first at the start
      ['TemporalChangeVersion'], // fewer-round-trips
      ['TemporalChangeVersion'], // activity-heartbeats
      ['TemporalChangeVersion'], // user-metadata, asked with it at the start
      ['TemporalChangeVersion'], // title-level-requests, asked at the request review
      ['RelinkStep'],
      ['TemporalChangeVersion'], // await-sweep-restore, asked before the first swap
      ['TemporalChangeVersion'], // supersede-recheck, asked before the first swap
      ['RelinkStep'],
      ['RelinkStep'],
      ['RelinkStep'],
      ['RelinkAwaiting', 'RelinkStep'],
      ['TemporalChangeVersion'], // lost-check-rides-out-outages, asked at the first Lost check
      ['RelinkAwaiting', 'RelinkStep'],
      ['TemporalChangeVersion'], // restore-recheck, asked after the restore
      ['TemporalChangeVersion'], // outcome-search-attribute, asked at the end
      ['RelinkOutcome', 'RelinkStep'],
    ]);
    await recordHistory(h, started.workflowId, 'completed-one-item');
  });

  it('relinks three items for a patron with an SMS phone and restores email and SMS exactly', async () => {
    const before = userOf(await h.sim.state(), 'happy.sms');
    const barcodes = ['41000000002', '41000000003', '41000000004'];
    const started = await h.relinks.start(relinkInput('happy.sms', barcodes));
    await staffDeclaresLost(h, started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;

    expect(result.outcome).toBe('completed');
    expect(result.items.map((i: { barcode: string; lostConfirmed: boolean }) => [i.barcode, i.lostConfirmed])).toEqual(
      barcodes.map((b) => [b, true]),
    );
    const state = await h.sim.state();
    expect(userOf(state, 'happy.sms')).toEqual(before);
    const active = state.loans.filter((l: any) => l.user_id === 'happy.sms' && l.loan_status === 'ACTIVE');
    expect(active.map((l: any) => l.item_barcode).sort()).toEqual(barcodes);
    expect(active.every((l: any) => l.process_status === 'LOST')).toBe(true);
    for (const b of barcodes) {
      expect(state.items.find((i: any) => i.item_data.barcode === b)?.item_data.process_type?.value).toBe('LOST_LOAN');
    }
    const notices = (await h.sim.notices()).filter((n: any) => n.user_id === 'happy.sms');
    for (const n of notices) expect(ownAddresses(before)).not.toContain(n.address);
    expect(notices.filter((n: any) => n.channel === 'sms')).toEqual([]);
    await recordHistory(h, started.workflowId, 'completed-three-items-sms');
  });
});
