import { fixturesWith, item, loan, patron } from '../../src/alma-sim/builders';
import { almaErrorOf, itemPath, useSimulator } from './helpers';

const LENT = item('30000000070', { processType: 'LOAN' });
const JUNK = 'holding@library.example.edu';

describe('the staff Lost click and fees', () => {
  const t = useSimulator(() =>
    fixturesWith({
      users: [patron('borrower')],
      items: [LENT],
      loans: [loan('7399000000070', 'borrower', LENT)],
    }),
  );

  it('POST /_sim/staff/loans/{loan_id}/lost: loan LOST (still ACTIVE), item LOST_LOAN, a replacement fee, the Lost Loan letter', async () => {
    const res = await t.root.post('/_sim/staff/loans/7399000000070/lost');
    expect(res.status).toBe(200);
    expect(res.data.loan).toMatchObject({ loan_id: '7399000000070', loan_status: 'ACTIVE', process_status: 'LOST' });
    expect((await t.alma.get('/users/borrower/loans/7399000000070')).data.process_status).toBe('LOST');
    expect((await t.alma.get(itemPath(LENT))).data.item_data.process_type).toEqual({
      value: 'LOST_LOAN',
      desc: 'Lost',
    });

    const fees = (await t.alma.get('/users/borrower/fees?status=ACTIVE')).data;
    expect(fees).toMatchObject({ total_record_count: 1, total_sum: 85, currency: 'USD' });
    expect(fees.fee[0]).toMatchObject({
      id: res.data.fee.id,
      type: { value: 'LOSTITEMREPLACEMENTFEE' },
      status: { value: 'ACTIVE' },
      balance: 85,
      original_amount: 85,
      barcode: { value: '30000000070' },
      title: 'Title 30000000070',
    });
    expect(t.sim.notices()).toMatchObject([
      {
        letter: 'FulLostLoanLetter',
        user_id: 'borrower',
        channel: 'email',
        address: 'borrower@example.edu',
        loan_id: '7399000000070',
      },
    ]);
  });

  it('sends the Lost Loan letter to the preferred email at that moment', async () => {
    const user = (await t.alma.get('/users/borrower')).data;
    user.contact_info.email = [
      { ...user.contact_info.email[0], preferred: false },
      { email_address: JUNK, preferred: true, segment_type: 'Internal', email_type: [{ value: 'work' }] },
    ];
    expect((await t.alma.put('/users/borrower', user)).status).toBe(200);
    t.sim.declareLost('7399000000070', { amount: 120 });
    expect(t.sim.notices()).toEqual([expect.objectContaining({ letter: 'FulLostLoanLetter', address: JUNK })]);
    expect((await t.alma.get('/users/borrower/fees')).data.total_sum).toBe(120);
  });

  it('refuses a loan that is not active (409) and an unknown loan (404), changing nothing', async () => {
    const before = t.sim.state();
    const closed = await t.root.post('/_sim/staff/loans/7310000000101/lost');
    expect(closed.status).toBe(409);
    expect(closed.data.error).toBe('Loan 7310000000101 is COMPLETE: only an active loan can be marked Lost.');
    expect((await t.root.post('/_sim/staff/loans/123/lost')).status).toBe(404);
    expect(t.sim.state()).toEqual(before);
    expect(t.sim.notices()).toEqual([]);
  });

  it('POST /_sim/staff/items/{barcode}/return: a desk return while the API refuses scans; a second return is refused', async () => {
    t.sim.setFaults({
      rules: [{ method: 'POST', path: 'op=scan', action: 'error', status: 400, errorCode: '402502' }],
    });
    expect((await t.alma.post(`${itemPath(LENT)}?op=scan&library=MAIN&circ_desk=DEFAULT_CIRC_DESK`)).status).toBe(400);
    const res = await t.root.post('/_sim/staff/items/30000000070/return');
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ loan: { loan_id: '7399000000070', loan_status: 'COMPLETE' } });
    expect(res.data.destination).toMatch(/^Reshelve/);
    expect((await t.alma.get('/users/borrower/loans/7399000000070')).data.loan_status).toBe('COMPLETE');
    expect(t.sim.notices().map((n) => n.letter)).toContain('FulReturnReceiptLetter');
    const again = await t.root.post('/_sim/staff/items/30000000070/return');
    expect(again.status).toBe(409);
    expect(again.data.error).toBe('Item 30000000070 is not on loan.');
    expect((await t.root.post('/_sim/staff/items/999/return')).status).toBe(404);
  });

  it('refuses to mark the same loan Lost twice', async () => {
    t.sim.declareLost('7399000000070');
    expect(() => t.sim.declareLost('7399000000070')).toThrow(/already Lost/);
  });

  it('lists fees by status; an unknown patron is 401651 "Identifier not found."', async () => {
    expect((await t.alma.get('/users/okafor.chidi/fees')).data).toEqual({
      total_record_count: 0,
      total_sum: 0,
      currency: 'USD',
    });
    const closed = (await t.alma.get('/users/okafor.chidi/fees?status=CLOSED')).data;
    expect(closed.fee).toEqual([expect.objectContaining({ id: '9510000000101', barcode: { value: '39000000002' } })]);
    expect(almaErrorOf(await t.alma.get('/users/nobody/fees'))).toMatchObject({
      errorCode: '401651',
      errorMessage: 'Identifier not found.',
    });
  });

  it('returns one fee, or 401665 for an unknown one', async () => {
    expect((await t.alma.get('/users/okafor.chidi/fees/9510000000101')).data.original_amount).toBe(85);
    expect(almaErrorOf(await t.alma.get('/users/okafor.chidi/fees/1')).errorCode).toBe('401665');
  });
});
