// Where Alma institutions differ, the simulator has a setting with a safe default: the Lost click's letter, whether it
// charges a lost-item fee, what the loan's process status reads after it, the EmailTypes code table, and (a test
// mode) refusing query parameters the OpenAPI does not declare, which Alma itself ignores.
import { startAlmaSimulator, type AlmaSimulator, type AlmaSimulatorOptions } from '../../src/alma-sim';
import { fixturesWith, item, itemIds, loan, patron } from '../../src/alma-sim/builders';
import { almaClient, almaErrorOf, SCAN_AT_MAIN } from './helpers';

const LENT = item('30000000080', { processType: 'LOAN' });
const fixtures = () =>
  fixturesWith({ users: [patron('lender')], items: [LENT], loans: [loan('7399000000080', 'lender', LENT)] });

const opened: AlmaSimulator[] = [];
afterEach(async () => Promise.all(opened.splice(0).map((s) => s.close())));
async function sim(options: AlmaSimulatorOptions = {}): Promise<AlmaSimulator> {
  const s = await startAlmaSimulator({ fixtures: fixtures(), ...options });
  opened.push(s);
  return s;
}

describe('institution settings of the simulator', () => {
  it('by default: FulLostLoanLetter, a fee, process status LOST', async () => {
    const s = await sim();
    const lost = s.declareLost('7399000000080');
    expect(lost.loan.process_status).toBe('LOST');
    expect(lost.fee).toMatchObject({ type: { value: 'LOSTITEMREPLACEMENTFEE' }, balance: 85 });
    expect(s.notices()).toEqual([expect.objectContaining({ letter: 'FulLostLoanLetter', user_id: 'lender' })]);
  });

  it('sends FulOverdueAndLostLoanLetter where the institution uses that letter', async () => {
    const s = await sim({ lostLetter: 'FulOverdueAndLostLoanLetter' });
    s.declareLost('7399000000080');
    expect(s.notices()).toEqual([
      expect.objectContaining({ letter: 'FulOverdueAndLostLoanLetter', user_id: 'lender', channel: 'email' }),
    ]);
  });

  it('charges no fee where the institution charges none (lostItemFee 0)', async () => {
    const s = await sim({ lostItemFee: 0 });
    const lost = s.declareLost('7399000000080');
    expect(lost.fee).toBeUndefined();
    expect(s.state().fees.filter((f) => f.user_primary_id === 'lender')).toEqual([]);
    expect((await almaClient(s).get('/users/lender/fees?status=ACTIVE')).data).toMatchObject({ total_record_count: 0 });
    expect(s.notices()).toEqual([expect.objectContaining({ letter: 'FulLostLoanLetter' })]);
  });

  it("reads the loan's process status as the institution's Alma writes it (LOST_LOAN here)", async () => {
    const s = await sim({ lostProcessStatus: 'LOST_LOAN' });
    s.declareLost('7399000000080');
    const got = (await almaClient(s).get('/users/lender/loans/7399000000080')).data;
    expect(got).toMatchObject({ loan_status: 'ACTIVE', process_status: 'LOST_LOAN' });
    expect(() => s.declareLost('7399000000080')).toThrow(/already Lost/);
  });

  it("checks email types against the institution's EmailTypes code table", async () => {
    const withType = (user: any, type: string) => ({
      ...user,
      contact_info: { ...user.contact_info, email: [{ ...user.contact_info.email[0], email_type: [{ value: type }] }] },
    });
    const shipped = await sim();
    const user = (await almaClient(shipped).get('/users/lender')).data;
    expect(almaErrorOf(await almaClient(shipped).put('/users/lender', withType(user, 'office'))).errorCode).toBe(
      '401864',
    );
    const own = await sim({ emailTypes: ['personal', 'office'] });
    expect((await almaClient(own).put('/users/lender', withType(user, 'office'))).status).toBe(200);
    expect(almaErrorOf(await almaClient(own).put('/users/lender', withType(user, 'work'))).errorCode).toBe('401864');
  });

  it("keeps only emailDescriptionMax characters of an email's description, where the tenant trims it", async () => {
    const described = (user: any, description: string) => ({
      ...user,
      contact_info: { ...user.contact_info, email: [{ ...user.contact_info.email[0], description }] },
    });
    const whole = await sim();
    const user = (await almaClient(whole).get('/users/lender')).data;
    const long = 'Temporary holding address [alma-relink:relink-lender]: added by a relink';
    expect(
      (await almaClient(whole).put('/users/lender', described(user, long))).data.contact_info.email[0],
    ).toMatchObject({ description: long });
    const trimming = await sim({ emailDescriptionMax: 20 });
    await almaClient(trimming).put('/users/lender', described(user, long));
    const read = (await almaClient(trimming).get('/users/lender')).data;
    expect(read.contact_info.email[0].description).toBe(long.slice(0, 20));
  });

  it('ignores an undeclared query parameter by default, as Alma does, and refuses it in strict mode', async () => {
    const lax = await sim();
    const ok = await almaClient(lax).get('/users/lender/loans', { params: { status: 'active', limit: 10 } });
    expect(ok.status).toBe(200);
    expect(ok.data.total_record_count).toBe(1);
    const strict = await sim({ strictParams: true });
    const refused = await almaClient(strict).get('/users/lender/loans', { params: { status: 'active' } });
    expect(refused.status).toBe(400);
    expect(almaErrorOf(refused).errorCode).toBe('SIM_UNDECLARED_PARAMETER');
  });

  it('a return sends the borrower the Return Receipt Letter at the preferred address of that moment, unless disabled', async () => {
    const ids = itemIds('30000000080');
    const scan = `/bibs/${ids.mmsId}/holdings/${ids.holdingId}/items/${ids.itemPid}?${SCAN_AT_MAIN}`;
    const enabled = await sim();
    expect((await almaClient(enabled).post(scan, {})).status).toBe(200);
    expect(enabled.state().loans[0]).toMatchObject({ loan_status: 'COMPLETE' });
    expect(enabled.notices()).toEqual([
      expect.objectContaining({
        letter: 'FulReturnReceiptLetter',
        user_id: 'lender',
        channel: 'email',
        address: 'lender@example.edu',
        loan_id: '7399000000080',
      }),
    ]);
    // A second scan closes no loan: no second letter.
    expect((await almaClient(enabled).post(scan, {})).status).toBe(200);
    expect(enabled.notices()).toHaveLength(1);
    const disabled = await sim({ returnReceipt: false });
    expect((await almaClient(disabled).post(scan, {})).status).toBe(200);
    expect(disabled.notices()).toEqual([]);
  });
});
