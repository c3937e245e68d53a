import { fixturesWith, holdRequest, item, loan, patron } from '../../src/alma-sim/builders';
import { almaErrorOf, DESK, ITEM1, ITEM3, itemPath, SCAN_AT_MAIN, useSimulator } from './helpers';

const FREE = item('30000000050', { processType: '' });
const LENT = item('30000000051', { processType: 'LOAN' });
const SHELVED_FOR_OTHER = item('30000000052', { processType: 'HOLDSHELF' });
const SCI_ITEM = item('30000000053', { library: 'SCI', processType: '' });
const many = Array.from({ length: 12 }, (_, i) =>
  item(`300000006${String(i).padStart(2, '0')}`, { processType: 'LOAN' }),
);

describe('loans', () => {
  const t = useSimulator(() =>
    fixturesWith({
      users: [
        patron('borrower'),
        patron('other.patron'),
        patron('heavy.reader'),
        patron('inactive.one', { status: 'INACTIVE' }),
        patron('blocked.one', { blocked: true }),
        patron('expired.card', {}, { expiry_date: '2020-01-01Z' }),
      ],
      items: [FREE, LENT, SHELVED_FOR_OTHER, SCI_ITEM, ...many],
      loans: [
        loan('7399000000010', 'borrower', LENT),
        ...many.map((lent, i) => loan(`73990000001${String(i).padStart(2, '0')}`, 'heavy.reader', lent)),
      ],
      requests: [holdRequest('8499000000050', 'other.patron', SHELVED_FOR_OTHER, { request_status: 'ON_HOLD_SHELF' })],
    }),
  );
  const lend = (userId: string, barcode: string, body: object = DESK) =>
    t.alma.post(`/users/${userId}/loans?item_barcode=${barcode}`, body);

  it('lends an item: an ACTIVE/NORMAL item_loan due in 28 days, the item on LOAN, a loan receipt sent', async () => {
    const before = Date.now();
    const res = await lend('borrower', FREE.item_data.barcode);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      loan_id: expect.stringMatching(/^\d{13}$/),
      user_id: 'borrower',
      item_barcode: '30000000050',
      item_id: FREE.item_data.pid,
      mms_id: FREE.bib_data.mms_id,
      holding_id: FREE.holding_data.holding_id,
      title: 'Title 30000000050',
      author: 'Author, A.',
      loan_status: 'ACTIVE',
      process_status: 'NORMAL',
      library: { value: 'MAIN', desc: 'Main Library' },
      circ_desk: { value: 'DEFAULT_CIRC_DESK', desc: 'Default Circulation Desk' },
    });
    const days = (Date.parse(res.data.due_date) - before) / 86_400_000;
    expect(days).toBeGreaterThan(27);
    expect(days).toBeLessThan(29);
    const item = (await t.alma.get(itemPath(FREE))).data.item_data;
    expect(item.base_status.value).toBe('0');
    expect(item.process_type).toEqual({ value: 'LOAN', desc: 'Loan' });
    expect(t.sim.notices()).toMatchObject([
      { letter: 'FulLoanReceiptLetter', user_id: 'borrower', loan_id: res.data.loan_id },
    ]);
    expect((await t.alma.get(`/users/borrower/loans/${res.data.loan_id}`)).data.loan_id).toBe(res.data.loan_id);
  });

  it('lends by item_pid too, and through the item path', async () => {
    expect((await t.alma.post(`/users/borrower/loans?item_pid=${FREE.item_data.pid}`, DESK)).status).toBe(200);
    const other = item('30000000053', { library: 'SCI', processType: '' });
    const res = await t.alma.post(`${itemPath(other)}/loans?user_id=borrower`, {
      library: { value: 'SCI' },
      circ_desk: { value: 'SCI_DESK' },
    });
    expect(res.status).toBe(200);
  });

  it('fulfils the patron own request: after scan-in to the hold shelf, the loan takes it out of the queue', async () => {
    await t.alma.post(`${itemPath(ITEM3)}?${SCAN_AT_MAIN}`, {});
    const res = await lend('lindqvist.eva', '39000000003', { ...DESK, request_id: { value: '8410000000101' } });
    expect(res.status).toBe(200);
    expect(res.data.request_id).toEqual({ value: '8410000000101' });
    expect((await t.alma.get(`${itemPath(ITEM3)}/requests`)).data).toEqual({ total_record_count: 0 });
    expect((await t.alma.get(itemPath(ITEM3))).data.item_data.requested).toBe(false);
  });

  it.each([
    ['an unknown patron', 'nobody', FREE.item_data.barcode, DESK, '401861'],
    [
      'a desk of another library',
      'borrower',
      FREE.item_data.barcode,
      { library: { value: 'SCI' }, circ_desk: { value: 'SCI_DESK' } },
      '401153',
    ],
    [
      'a desk that is not the library',
      'borrower',
      FREE.item_data.barcode,
      { library: { value: 'MAIN' }, circ_desk: { value: 'SCI_DESK' } },
      '401153',
    ],
    ['an item already on loan to this patron', 'borrower', LENT.item_data.barcode, DESK, '400042'],
    ['an item on loan to someone else', 'other.patron', LENT.item_data.barcode, DESK, '401651'],
    ['an item on the hold shelf for another patron', 'borrower', SHELVED_FOR_OTHER.item_data.barcode, DESK, '401651'],
    ['an item still MISSING (not scanned in)', 'borrower', ITEM1.item_data.barcode, DESK, '401651'],
    ['a patron with an active block', 'blocked.one', FREE.item_data.barcode, DESK, '401163'],
    ['a patron who is not ACTIVE', 'inactive.one', FREE.item_data.barcode, DESK, '401201'],
    ['a patron whose card expired', 'expired.card', FREE.item_data.barcode, DESK, '401168'],
    ['an unknown barcode', 'borrower', '12345', DESK, '401689'],
  ])('refuses %s', async (_what, userId, barcode, body, code) => {
    const before = t.sim.state();
    const res = await lend(userId, barcode, body);
    expect(res.status).toBe(400);
    expect(almaErrorOf(res).errorCode).toBe(code);
    expect(t.sim.state()).toEqual(before);
    expect(t.sim.notices()).toEqual([]);
  });

  it('answers 401672 when neither item_barcode nor item_pid is sent', async () => {
    expect(almaErrorOf(await t.alma.post('/users/borrower/loans', DESK)).errorCode).toBe('401672');
  });

  it("lists a patron's active loans 10 at a time by default, truncating silently", async () => {
    const page1 = (await t.alma.get('/users/heavy.reader/loans')).data;
    expect(page1.total_record_count).toBe(12);
    expect(page1.item_loan).toHaveLength(10);
    const page2 = (await t.alma.get('/users/heavy.reader/loans?limit=10&offset=10')).data;
    expect(page2.item_loan).toHaveLength(2);
    const all = (await t.alma.get('/users/heavy.reader/loans?limit=100')).data.item_loan;
    expect(new Set(all.map((l: { loan_id: string }) => l.loan_id)).size).toBe(12);
    expect(almaErrorOf(await t.alma.get('/users/heavy.reader/loans?limit=101')).errorCode).toBe('401666');
  });

  it('sorts with order_by and direction', async () => {
    const ids = (await t.alma.get('/users/heavy.reader/loans?limit=3&order_by=id&direction=DESC')).data.item_loan.map(
      (l: { loan_id: string }) => l.loan_id,
    );
    expect(ids).toEqual(['7399000000111', '7399000000110', '7399000000109']);
  });

  it('lists completed loans only with loan_status=Complete', async () => {
    expect((await t.alma.get('/users/rivera.ana/loans')).data).toEqual({ total_record_count: 0 });
    const complete = (await t.alma.get('/users/rivera.ana/loans?loan_status=Complete')).data;
    expect(complete.item_loan).toEqual([expect.objectContaining({ loan_id: '7310000000101', process_status: 'LOST' })]);
  });

  it("lists an item's loans", async () => {
    const res = await t.alma.get(`${itemPath(LENT)}/loans`);
    expect(res.data.total_record_count).toBe(1);
    expect(res.data.item_loan[0]).toMatchObject({ loan_id: '7399000000010', user_id: 'borrower' });
  });

  it("does not show one patron's loan under another (401823)", async () => {
    const res = await t.alma.get('/users/other.patron/loans/7399000000010');
    expect(almaErrorOf(res).errorCode).toBe('401823');
  });

  it('keeps a lost loan in the Active list', async () => {
    t.sim.declareLost('7399000000010');
    const loans = (await t.alma.get('/users/borrower/loans?loan_status=Active')).data.item_loan;
    expect(loans).toEqual([
      expect.objectContaining({ loan_id: '7399000000010', loan_status: 'ACTIVE', process_status: 'LOST' }),
    ]);
  });

  describe('the due-date PUT, as Ex Libris documents it', () => {
    const put = (body: object, query = '') => t.alma.put(`/users/borrower/loans/7399000000010${query}`, body);
    const day = 86_400_000;

    it('changes the due date to a future one, without a letter unless notify_user=true', async () => {
      const later = new Date(Date.now() + 3 * day).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const res = await put({ due_date: later });
      expect(res.status).toBe(200);
      expect(res.data).toMatchObject({ loan_id: '7399000000010', due_date: later });
      expect(t.sim.notices()).toEqual([]);
      expect((await put({ due_date: later }, '?notify_user=true')).status).toBe(200);
      expect(t.sim.notices()).toEqual([
        expect.objectContaining({ letter: 'FulLoanStatusNoticeLetter', user_id: 'borrower' }),
      ]);
    });

    it('refuses a due date in the past (401681), one missing (401824), and a loan that is not the user’s (401823)', async () => {
      const dueBefore = t.sim.state().loans.find((l) => l.loan_id === '7399000000010')?.due_date;
      const past = await put({ due_date: new Date(Date.now() - 40 * day).toISOString() });
      expect(past.status).toBe(400);
      expect(almaErrorOf(past)).toMatchObject({ errorCode: '401681' });
      expect(almaErrorOf(await put({}))).toMatchObject({ errorCode: '401824' });
      const other = await t.alma.put('/users/other.patron/loans/7399000000010', { due_date: '2030-01-01T22:59:00Z' });
      expect(almaErrorOf(other)).toMatchObject({ errorCode: '401823' });
      expect(t.sim.state().loans.find((l) => l.loan_id === '7399000000010')?.due_date).toBe(dueBefore);
    });
  });
});
