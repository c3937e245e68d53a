// Where a library's Alma configuration decides what a scan-in does, the simulator plays it: an item in a temporary
// location circulates from that location's library (scanned in elsewhere it goes in transit, and a desk of another
// library cannot loan it), a desk with hold-shelf processing keeps an item scanned in for a request in processing
// unless the scan places it on the hold shelf, the per-second threshold of a sandbox, and the code tables doctor reads.
import { startAlmaSimulator, type AlmaSimulator, type AlmaSimulatorOptions } from '../../src/alma-sim';
import {
  DESKS,
  fixturesWith,
  holdRequest,
  item,
  itemIds,
  patron,
  withHoldShelfProcessing,
} from '../../src/alma-sim/builders';
import { almaClient, almaErrorOf } from './helpers';

const TEMP = item('30000000090', { tempLibrary: 'SCI' });
const REQUESTED = item('30000000091');
const fixtures = () =>
  withHoldShelfProcessing(
    fixturesWith({
      users: [patron('reader')],
      items: [TEMP, REQUESTED],
      requests: [holdRequest('8399000000091', 'reader', REQUESTED)],
    }),
    [DESKS.deskByLibrary.MAIN],
  );

const opened: AlmaSimulator[] = [];
afterEach(async () => Promise.all(opened.splice(0).map((s) => s.close())));
async function sim(options: AlmaSimulatorOptions = {}): Promise<AlmaSimulator> {
  const s = await startAlmaSimulator({ fixtures: fixtures(), strictParams: true, ...options });
  opened.push(s);
  return s;
}

const path = (barcode: string) => {
  const ids = itemIds(barcode);
  return `/bibs/${ids.mmsId}/holdings/${ids.holdingId}/items/${ids.itemPid}`;
};
const scanAt = (library: string, extra = '') =>
  `?op=scan&library=${library}&circ_desk=${DESKS.deskByLibrary[library as 'MAIN' | 'SCI']}&register_in_house_use=false${extra}`;
const loanAt = (library: string) => ({
  library: { value: library },
  circ_desk: { value: DESKS.deskByLibrary[library as 'MAIN' | 'SCI'] },
});

describe('a temporary location', () => {
  it("scanned in at the permanent library: in transit to the temporary location's library, and not loanable there", async () => {
    const s = await sim();
    const alma = almaClient(s);
    const scan = await alma.post(`${path('30000000090')}${scanAt('MAIN')}`, {});
    expect(scan.status).toBe(200);
    expect(scan.data.item_data.process_type.value).toBe('TRANSIT');
    expect(scan.data.additional_info).toMatch(/destination is: Transit to Science Library/);
    const loan = await alma.post('/users/reader/loans?item_barcode=30000000090', loanAt('MAIN'));
    expect(loan.status).toBe(400);
    expect(almaErrorOf(loan).errorCode).toBe('401153');
  });

  it("scanned in at the temporary location's library: back on its temporary shelf, and loanable at that desk", async () => {
    const s = await sim();
    const alma = almaClient(s);
    const scan = await alma.post(`${path('30000000090')}${scanAt('SCI')}`, {});
    expect(scan.data.additional_info).toMatch(/destination is: Reshelve to Course Reserves/);
    const loan = await alma.post('/users/reader/loans?item_barcode=30000000090', loanAt('SCI'));
    expect(loan.status).toBe(200);
  });
});

describe('a desk with hold-shelf processing', () => {
  it('keeps an item scanned in for a request in processing: no letter yet, and no loan', async () => {
    const s = await sim();
    const alma = almaClient(s);
    const scan = await alma.post(`${path('30000000091')}${scanAt('MAIN', '&request_id=8399000000091')}`, {});
    expect(scan.data.item_data.process_type.value).toBe('HOLD_SHELF_PROCESSING');
    expect(s.notices()).toEqual([]);
    const loan = await alma.post('/users/reader/loans?item_barcode=30000000091', {
      ...loanAt('MAIN'),
      request_id: { value: '8399000000091' },
    });
    expect(loan.status).toBe(400);
    expect(almaErrorOf(loan).errorCode).toBe('401651');
  });

  it('places it on the hold shelf with place_on_hold_shelf=true: the requester is told, and the loan is made', async () => {
    const s = await sim();
    const alma = almaClient(s);
    const extra = '&request_id=8399000000091&place_on_hold_shelf=true';
    const scan = await alma.post(`${path('30000000091')}${scanAt('MAIN', extra)}`, {});
    expect(scan.data.item_data.process_type.value).toBe('HOLDSHELF');
    expect(s.notices().map((n) => n.letter)).toEqual(['FulPlaceOnHoldShelfLetter']);
    const loan = await alma.post('/users/reader/loans?item_barcode=30000000091', {
      ...loanAt('MAIN'),
      request_id: { value: '8399000000091' },
    });
    expect(loan.status).toBe(200);
  });
});

describe("a sandbox's per-second threshold and the code tables", () => {
  it('answers 429 PER_SECOND_THRESHOLD to the eleventh call of a second, before running it', async () => {
    const s = await sim({ perSecondLimit: 10 });
    const alma = almaClient(s);
    const answers = await Promise.all(Array.from({ length: 11 }, () => alma.get('/users/reader')));
    expect(answers.filter((a) => a.status === 429)).toHaveLength(1);
    expect(almaErrorOf(answers.find((a) => a.status === 429)!).errorCode).toBe('PER_SECOND_THRESHOLD');
  });

  it('serves the loan process status table with its Lost row, and EmailTypes; an unknown table is an error', async () => {
    const s = await sim({ lostProcessStatus: 'LOSTITEM' });
    const alma = almaClient(s);
    const statuses = await alma.get('/conf/code-tables/LoanProcessStatusSearchColumn');
    expect(statuses.data.row).toContainEqual(expect.objectContaining({ code: 'LOSTITEM', description: 'Lost' }));
    const emailTypes = await alma.get('/conf/code-tables/EmailTypes');
    expect(emailTypes.data.row.map((r: { code: string }) => r.code)).toContain('work');
    expect((await alma.get('/conf/code-tables/NoSuchTable')).status).toBe(400);
  });
});
