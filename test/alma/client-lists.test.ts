// Lists: Alma truncates silently (10 by default), so paged paths are read to the end and unpaged ones must be whole.
import { feeBarcode } from '../../src/alma';
import { manyLoans, pageOf, sampleFee, sampleRequest } from '../support/alma-fixtures';
import { closeStubs, stubbedClient } from '../support/alma-stub';

afterEach(closeStubs);

const ref = { mmsId: '991', holdingId: '221', itemPid: '231' };

describe('paged loan lists', () => {
  it('listUserLoans collects every page with limit=100 and offsets', async () => {
    const loans = manyLoans(250);
    const { stub, client } = await stubbedClient((req) => ({ body: pageOf(loans, req.query, 'item_loan') }));
    const got = await client.listUserLoans('rivera.ana');
    expect(got.map((l) => l.loan_id)).toEqual(loans.map((l) => l.loan_id));
    expect(
      stub.requests.map((r) => [r.path, r.query.get('limit'), r.query.get('offset'), r.query.get('loan_status')]),
    ).toEqual([
      ['/almaws/v1/users/rivera.ana/loans', '100', '0', 'Active'],
      ['/almaws/v1/users/rivera.ana/loans', '100', '100', 'Active'],
      ['/almaws/v1/users/rivera.ana/loans', '100', '200', 'Active'],
    ]);
  });

  it('still gets everything when the server truncates harder than asked (10 per page)', async () => {
    const loans = manyLoans(35);
    const { stub, client } = await stubbedClient((req) => ({ body: pageOf(loans, req.query, 'item_loan', 10) }));
    const got = await client.listItemLoans(ref, 'Complete');
    expect(got).toHaveLength(35);
    expect(new Set(got.map((l) => l.loan_id)).size).toBe(35);
    expect(stub.requests.map((r) => r.query.get('offset'))).toEqual(['0', '10', '20', '30']);
    expect(stub.requests[0]!.path).toBe('/almaws/v1/bibs/991/holdings/221/items/231/loans');
    expect(stub.requests[0]!.query.get('loan_status')).toBe('Complete');
  });

  it('keeps a loan once when records shift between pages', async () => {
    const loans = manyLoans(150);
    const [newest] = manyLoans(151).slice(150);
    let calls = 0;
    const { client } = await stubbedClient((req) => {
      // Between the pages a loan is added at the front: the second page repeats the first page's last record.
      const shifted = calls++ === 0 ? loans : [newest!, ...loans];
      return { body: { ...pageOf(shifted, req.query, 'item_loan'), total_record_count: 150 } };
    });
    const got = await client.listUserLoans('x');
    expect(got).toHaveLength(150);
    expect(new Set(got.map((l) => l.loan_id)).size).toBe(150);
  });

  it('an empty list is `{"total_record_count":0}`', async () => {
    const { stub, client } = await stubbedClient(() => ({ body: { total_record_count: 0 } }));
    await expect(client.listUserLoans('x')).resolves.toEqual([]);
    await expect(client.listItemLoans(ref)).resolves.toEqual([]);
    await expect(client.listItemRequests(ref)).resolves.toEqual([]);
    await expect(client.listUserFees('x')).resolves.toEqual([]);
    expect(stub.requests).toHaveLength(4);
  });
});

describe('the user search', () => {
  it('searchUsers reads every page of GET /users?q= with limit=100 and offsets', async () => {
    const users = Array.from({ length: 130 }, (_, i) => ({ primary_id: `u${i}`, last_name: `L${i}` }));
    const { stub, client } = await stubbedClient((req) => ({ body: pageOf(users, req.query, 'user') }));
    const got = await client.searchUsers('email~holding@library.example.edu');
    expect(got.map((u) => u.primary_id)).toEqual(users.map((u) => u.primary_id));
    expect(stub.requests.map((r) => [r.path, r.query.get('q'), r.query.get('limit'), r.query.get('offset')])).toEqual([
      ['/almaws/v1/users', 'email~holding@library.example.edu', '100', '0'],
      ['/almaws/v1/users', 'email~holding@library.example.edu', '100', '100'],
    ]);
  });

  it('answers no match (`{"total_record_count":0}`) with an empty list', async () => {
    const { client } = await stubbedClient(() => ({ body: { total_record_count: 0 } }));
    await expect(client.searchUsers('email~nobody@example.org')).resolves.toEqual([]);
  });
});

describe('unpaged lists', () => {
  it('listItemRequests asks for active requests once and reads numbers as Alma sends them', async () => {
    const requests = [sampleRequest(), { ...sampleRequest(), request_id: 8410000000102, place_in_queue: '2' }];
    const { stub, client } = await stubbedClient(() => ({ body: { user_request: requests, total_record_count: 2 } }));
    const got = await client.listItemRequests(ref);
    expect(got.map((r) => [r.request_id, r.place_in_queue])).toEqual([
      ['8410000000101', 1],
      ['8410000000102', 2],
    ]);
    expect(stub.requests.map((r) => r.url)).toEqual([
      '/almaws/v1/bibs/991/holdings/221/items/231/requests?status=active',
    ]);
  });

  it('a truncated request queue is an error, never a short list', async () => {
    const { client } = await stubbedClient(() => ({
      body: { user_request: [sampleRequest()], total_record_count: 11 },
    }));
    await expect(client.listItemRequests(ref)).rejects.toMatchObject({ kind: 'invalid-response', retryable: false });
  });

  it('listUserFees passes the status and accepts both barcode forms', async () => {
    const fees = [sampleFee(), { ...sampleFee(), id: '2', barcode: '39000000009', balance: '12.50' }];
    const { stub, client } = await stubbedClient(() => ({
      body: { fee: fees, total_record_count: 2, total_sum: 97.5 },
    }));
    const got = await client.listUserFees('okafor.chidi', 'CLOSED');
    expect(got.map(feeBarcode)).toEqual(['39000000002', '39000000009']);
    expect(got[1]!.balance).toBe(12.5);
    expect(stub.requests[0]!.url).toBe('/almaws/v1/users/okafor.chidi/fees?status=CLOSED');
    await client.listUserFees('okafor.chidi');
    expect(stub.requests[1]!.url).toBe('/almaws/v1/users/okafor.chidi/fees');
  });

  it('a lone record where a list was expected is read as a list of one', async () => {
    const { client } = await stubbedClient(() => ({ body: { fee: sampleFee(), total_record_count: 1 } }));
    await expect(client.listUserFees('x')).resolves.toHaveLength(1);
  });
});
