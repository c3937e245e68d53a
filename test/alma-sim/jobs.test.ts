import type { Fixtures } from '../../src/alma-sim';
import { fixturesWith, item, loan, patron, phone } from '../../src/alma-sim/builders';
import { useSimulator } from './helpers';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOLDING = 'holding@library.example.edu';

const DUE_SOON = item('30000000081', { processType: 'LOAN' });
const OVERDUE = item('30000000082', { processType: 'LOAN' });
const LONG_OVERDUE = item('30000000083', { processType: 'LOAN' });
const LATER = item('30000000084', { processType: 'LOAN' });

// Due dates relative to now: the jobs compare them with the simulator's clock, as Alma's do with the run's date.
function fixtures() {
  const now = Date.now();
  return fixturesWith({
    users: [patron('reader', { phones: [phone('+1 555 0100')] }), patron('other')],
    items: [DUE_SOON, OVERDUE, LONG_OVERDUE, LATER],
    loans: [
      loan('7399000000081', 'reader', DUE_SOON, { due_date: iso(now + DAY) }),
      loan('7399000000082', 'reader', OVERDUE, { due_date: iso(now - 3 * DAY) }),
      loan('7399000000083', 'other', LONG_OVERDUE, { due_date: iso(now - 40 * DAY) }),
      loan('7399000000084', 'other', LATER, { due_date: iso(now + 20 * DAY) }),
    ],
  });
}

describe("Alma's scheduled jobs, run by an admin", () => {
  const t = useSimulator(fixtures);

  async function switchPreferredEmail(userId: string, to: string) {
    const user = (await t.alma.get(`/users/${userId}`)).data;
    user.contact_info.email = [
      ...user.contact_info.email.map((e: any) => ({ ...e, preferred: false })),
      { email_address: to, preferred: true, segment_type: 'Internal', email_type: [{ value: 'work' }] },
    ];
    expect((await t.alma.put(`/users/${userId}`, user)).status).toBe(200);
  }

  it('fines-fees-notification: one letter per patron for fees not yet notified, to the preferred email of the run', async () => {
    t.sim.declareLost('7399000000082');
    t.sim.declareLost('7399000000083');
    const feeOf = (barcode: string) => t.sim.state().fees.find((f: any) => f.barcode?.value === barcode)!.id;
    t.sim.reset(t.sim.state() as Fixtures); // the Lost letters out of the way: only the job's letters below
    await switchPreferredEmail('reader', HOLDING);

    const res = await t.root.post('/_sim/jobs/fines-fees-notification/run');
    expect(res.status).toBe(200);
    expect(res.data.job).toBe('fines-fees-notification');
    expect(t.sim.notices()).toEqual([
      expect.objectContaining({
        letter: 'FulFinesFeesNotificationLetter',
        user_id: 'reader',
        channel: 'email',
        address: HOLDING,
        fee_ids: [feeOf('30000000082')],
        amount: 85,
      }),
      expect.objectContaining({ letter: 'FulFinesFeesNotificationLetter', user_id: 'reader', channel: 'sms' }),
      expect.objectContaining({
        letter: 'FulFinesFeesNotificationLetter',
        user_id: 'other',
        address: 'other@example.edu',
        fee_ids: [feeOf('30000000083')],
      }),
    ]);
    expect(res.data.notices).toHaveLength(3);

    // Each fee is notified once: a second run sends nothing, even after the address changed back.
    expect((await t.root.post('/_sim/jobs/fines-fees-notification/run')).data.notices).toEqual([]);
    // A new fee is notified at the next run, to the address of that moment.
    const user = (await t.alma.get('/users/reader')).data;
    user.contact_info.email = user.contact_info.email.filter((e: any) => e.email_address !== HOLDING);
    user.contact_info.email[0].preferred = true;
    expect((await t.alma.put('/users/reader', user)).status).toBe(200);
    t.sim.declareLost('7399000000081');
    const next = (await t.root.post('/_sim/jobs/fines-fees-notification/run')).data;
    expect(next.notices).toEqual([
      expect.objectContaining({ address: 'reader@example.edu', fee_ids: [feeOf('30000000081')] }),
      expect.objectContaining({ channel: 'sms' }),
    ]);
  });

  it('fines-fees-notification leaves out closed fees and fees without a balance', async () => {
    const fees = fixtures().fees ?? [];
    t.sim.reset({
      ...fixtures(),
      fees: [
        ...fees,
        { id: 'F1', user_primary_id: 'other', type: { value: 'OTHER' }, status: { value: 'CLOSED' }, balance: 5 },
        { id: 'F2', user_primary_id: 'other', type: { value: 'OTHER' }, status: { value: 'ACTIVE' }, balance: 0 },
      ],
    });
    expect(t.sim.runJob('fines-fees-notification').notices).toEqual([]);
  });

  it('courtesy: loans due within the courtesy days, once each', async () => {
    const run = t.sim.runJob('courtesy');
    expect(run.notices.map((n) => [n.letter, n.user_id, n.channel, n.loan_id])).toEqual([
      ['FulUserLoansCourtesyLetter', 'reader', 'email', '7399000000081'],
      ['FulUserLoansCourtesyLetter', 'reader', 'sms', '7399000000081'],
    ]);
    expect(t.sim.runJob('courtesy').notices).toEqual([]);
  });

  it('overdue-and-lost: an overdue notice once per loan past the threshold; no Lost without a lost profile', async () => {
    const run = t.sim.runJob('overdue-and-lost');
    expect(run.markedLost).toEqual([]);
    expect(run.notices.filter((n) => n.channel === 'email').map((n) => [n.letter, n.user_id, n.loan_ids])).toEqual([
      ['FulOverdueAndLostLoanNotificationLetter', 'reader', ['7399000000082']],
      ['FulOverdueAndLostLoanNotificationLetter', 'other', ['7399000000083']],
    ]);
    expect(t.sim.runJob('overdue-and-lost').notices).toEqual([]);
    const ours = t.sim.state().loans.filter((l: any) => l.loan_id.startsWith('739900000008'));
    expect(ours.map((l: any) => l.process_status)).toEqual(['NORMAL', 'NORMAL', 'NORMAL', 'NORMAL']);
  });

  it('borrowing-activity: each active loan reported once, Lost ones too', async () => {
    t.sim.declareLost('7399000000082');
    t.sim.reset(t.sim.state() as Fixtures);
    const run = t.sim.runJob('borrowing-activity');
    expect(run.notices.map((n) => [n.letter, n.user_id, n.channel, n.loan_ids])).toEqual([
      ['FulUserBorrowingActivityLetter', 'reader', 'email', ['7399000000081', '7399000000082']],
      ['FulUserBorrowingActivityLetter', 'other', 'email', ['7399000000083', '7399000000084']],
    ]);
    expect(t.sim.runJob('borrowing-activity').notices).toEqual([]);
  });

  it('an unknown job is 404 and lists the jobs', async () => {
    const res = await t.root.post('/_sim/jobs/nightly/run');
    expect(res.status).toBe(404);
    expect(res.data.error).toBe(
      'No job nightly: the jobs are fines-fees-notification, courtesy, overdue-and-lost, borrowing-activity.',
    );
  });
});

describe('the overdue-and-lost job with a lost profile', () => {
  const t = useSimulator(fixtures, { jobs: { lostAfterDays: 30 } });

  it('marks loans past the lost threshold Lost, with the fee and FulOverdueAndLostLoanLetter; others get the overdue notice', async () => {
    const run = t.sim.runJob('overdue-and-lost');
    expect(run.markedLost).toEqual(['7399000000083']);
    const state = t.sim.state();
    expect(state.loans.find((l: any) => l.loan_id === '7399000000083')).toMatchObject({
      loan_status: 'ACTIVE',
      process_status: 'LOST',
    });
    expect(state.fees).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          user_primary_id: 'other',
          type: expect.objectContaining({ value: 'LOSTITEMREPLACEMENTFEE' }),
        }),
      ]),
    );
    expect(run.notices.filter((n) => n.channel === 'email').map((n) => [n.letter, n.user_id])).toEqual([
      ['FulOverdueAndLostLoanLetter', 'other'],
      ['FulOverdueAndLostLoanNotificationLetter', 'reader'],
    ]);
    // Lost once: the next run neither marks it again nor sends an overdue notice for it.
    expect(t.sim.runJob('overdue-and-lost')).toMatchObject({ markedLost: [], notices: [] });
  });
});
