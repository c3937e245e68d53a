// Every request the client can make, checked against Ex Libris' OpenAPI: the route must be declared for the method,
// and every query parameter sent must be declared for that route.
import { AlmaClient, itemRefOf } from '../../src/alma';
import {
  itemPathOf,
  manyLoans,
  pageOf,
  sampleFee,
  sampleItem,
  sampleRequest,
  sampleUser,
} from '../support/alma-fixtures';
import { closeStubs, stubbedClient, type StubRequest, type StubReply } from '../support/alma-stub';
import { declaredQueryParams, isDeclaredRoute, matchConcreteCall } from '../support/openapi-contract';

afterEach(closeStubs);

describe('the contract helper', () => {
  it('matches templates whatever the parameter names or style', () => {
    expect(isDeclaredRoute('get', '/almaws/v1/users/{user_id}')).toBe(true);
    expect(isDeclaredRoute('GET', '/almaws/v1/users/:id')).toBe(true);
    expect(isDeclaredRoute('PATCH', '/almaws/v1/users/{user_id}')).toBe(false);
    expect(isDeclaredRoute('DELETE', '/almaws/v1/bibs/{a}/holdings/{b}/items/{c}/requests/{d}')).toBe(true);
    expect(isDeclaredRoute('GET', '/almaws/v1/items')).toBe(true);
    expect(declaredQueryParams('GET', '/almaws/v1/users/{id}/fees')).toEqual(['status', 'user_id_type']);
  });

  it('finds undeclared query parameters and undeclared routes', () => {
    expect(matchConcreteCall('GET', '/almaws/v1/bibs/1/holdings/2/items/3/requests?status=active&limit=100')).toEqual({
      template: '/almaws/v1/bibs/{mms_id}/holdings/{holding_id}/items/{item_id}/requests',
      undeclaredQuery: ['limit'],
    });
    expect(matchConcreteCall('POST', '/almaws/v1/users/x/loans/1?op=lost')).toEqual({
      template: '/almaws/v1/users/{user_id}/loans/{loan_id}',
      undeclaredQuery: [],
    });
    expect(matchConcreteCall('GET', '/almaws/v1/users/x/nothing')).toEqual({ template: null, undeclaredQuery: [] });
    expect(matchConcreteCall('GET', '/almaws/v1/users/x?apikey=k').undeclaredQuery).toEqual(['apikey']);
  });

  it('prefers literal segments and allows the barcode shorthand with item_barcode only', () => {
    expect(matchConcreteCall('POST', '/almaws/v1/users/x/fees/all?op=pay').template).toBe(
      '/almaws/v1/users/{user_id}/fees/all',
    );
    expect(matchConcreteCall('GET', '/almaws/v1/items?item_barcode=1')).toEqual({
      template: '/almaws/v1/items',
      undeclaredQuery: [],
    });
    expect(matchConcreteCall('GET', '/almaws/v1/items?item_barcode=1&view=label').undeclaredQuery).toEqual(['view']);
    expect(matchConcreteCall('POST', '/almaws/v1/items?item_barcode=1').template).toBeNull();
  });
});

/** Just enough of Alma to answer every client method plausibly. */
function miniAlma(): (req: StubRequest) => StubReply {
  const item = sampleItem();
  const itemPath = itemPathOf(item);
  const loans = manyLoans(120);
  return (req) => {
    const { method, path } = req;
    if (method === 'GET' && path === '/almaws/v1/items') return { status: 302, headers: { location: itemPath } };
    if (path === itemPath)
      return { body: method === 'POST' ? { ...item, additional_info: 'Place in Queue: 0' } : item };
    if (method === 'GET' && path === `${itemPath}/requests`)
      return { body: { user_request: [sampleRequest()], total_record_count: 1 } };
    if (method === 'GET' && /^\/almaws\/v1\/bibs\/[^/]+\/requests$/.test(path))
      return { body: { user_request: [sampleRequest()], total_record_count: 1 } };
    if (method === 'GET' && path === `${itemPath}/loans`) return { body: pageOf(loans, req.query, 'item_loan') };
    if (method === 'GET' && path === '/almaws/v1/users') return { body: pageOf([sampleUser()], req.query, 'user') };
    if (/^\/almaws\/v1\/users\/[^/]+$/.test(path)) return { body: method === 'PUT' ? req.body : sampleUser() };
    if (method === 'POST' && /\/users\/[^/]+\/requests$/.test(path)) return { body: sampleRequest() };
    if (method === 'DELETE' && /\/users\/[^/]+\/requests\/[^/]+$/.test(path)) return { status: 204 };
    if (method === 'POST' && /\/users\/[^/]+\/loans$/.test(path)) return { body: loans[0] };
    if (method === 'GET' && /\/users\/[^/]+\/loans$/.test(path)) return { body: pageOf(loans, req.query, 'item_loan') };
    if (/\/users\/[^/]+\/loans\/[^/]+$/.test(path) && ['GET', 'PUT'].includes(method)) return { body: loans[1] };
    if (path === '/almaws/v1/users/operation/test' || path === '/almaws/v1/bibs/test') return { body: {} };
    if (method === 'GET' && path === '/almaws/v1/conf/libraries') return { body: { library: [{ code: 'MAIN' }] } };
    if (method === 'GET' && path === '/almaws/v1/conf/libraries/MAIN/circ-desks')
      return { body: { circ_desk: [{ code: 'DEFAULT_CIRC_DESK' }], total_record_count: 1 } };
    if (method === 'GET' && path === '/almaws/v1/conf/code-tables/EmailTypes')
      return { body: { name: 'EmailTypes', row: [{ code: 'work', description: 'Work' }] } };
    if (method === 'GET' && /\/users\/[^/]+\/fees$/.test(path))
      return { body: { fee: [sampleFee()], total_record_count: 1 } };
    return { status: 404, body: `mini Alma has no ${method} ${path}` };
  };
}

describe('a full tour of the client', () => {
  it('sends only declared routes and declared query parameters', async () => {
    const { stub, client } = await stubbedClient(miniAlma());
    const called = new Set<string>();
    const tour: Record<string, () => Promise<unknown>> = {
      getUser: () => client.getUser('okafor.chidi'),
      searchUsers: () => client.searchUsers('email~holding@library.example.edu'),
      updateUser: async () => client.updateUser('okafor.chidi', await client.getUser('okafor.chidi')),
      getItemByBarcode: () => client.getItemByBarcode('39000000001'),
      getItem: async () => client.getItem(itemRefOf(sampleItem())),
      listItemRequests: () => client.listItemRequests(itemRefOf(sampleItem())),
      listBibRequests: () => client.listBibRequests(sampleItem().bib_data.mms_id),
      createItemRequest: () =>
        client.createItemRequest('lindqvist.eva', sampleItem().item_data.pid, {
          request_type: 'HOLD',
          pickup_location_type: 'LIBRARY',
          pickup_location_library: 'MAIN',
          comment: 'alma-relink',
        }),
      cancelRequest: async () => {
        await client.cancelRequest('lindqvist.eva', '8410000000101', { reason: 'CancelledAtPatronRequest' });
        await client.cancelRequest('lindqvist.eva', '8410000000101', {
          reason: 'CancelledAtPatronRequest',
          notifyUser: true,
          note: 'relink test',
        });
      },
      scanIn: async () => {
        const at = { library: 'MAIN', circDesk: 'DEFAULT_CIRC_DESK' };
        await client.scanIn(itemRefOf(sampleItem()), at);
        await client.scanIn(itemRefOf(sampleItem()), { ...at, requestId: '8410000000101' });
      },
      createLoan: async () => {
        const at = { library: 'MAIN', circDesk: 'DEFAULT_CIRC_DESK' };
        await client.createLoan('rivera.ana', { barcode: '39000000001' }, at);
        await client.createLoan('rivera.ana', { itemPid: '231000000010101' }, { ...at, requestId: '8410000000101' });
      },
      listUserLoans: async () => {
        await client.listUserLoans('rivera.ana');
        await client.listUserLoans('rivera.ana', 'Complete');
      },
      getUserLoan: () => client.getUserLoan('rivera.ana', '7310000000101'),
      changeLoanDueDate: () => client.changeLoanDueDate('rivera.ana', '7310000000101', '2030-01-01T22:59:00Z'),
      listItemLoans: () => client.listItemLoans(itemRefOf(sampleItem()), 'Complete'),
      testAccess: async () => {
        for (const area of ['users', 'bibs'] as const)
          for (const m of ['GET', 'POST'] as const) await client.testAccess(area, m);
      },
      listLibraries: () => client.listLibraries(),
      listCircDesks: () => client.listCircDesks('MAIN'),
      getCodeTable: () => client.getCodeTable('EmailTypes'),
      listUserFees: async () => {
        await client.listUserFees('okafor.chidi');
        await client.listUserFees('okafor.chidi', 'ACTIVE');
      },
    };
    for (const [name, run] of Object.entries(tour)) {
      await run();
      called.add(name);
    }

    // The tour must cover every public method: a new one fails this test until it joins the tour.
    const publicMethods = Object.getOwnPropertyNames(AlmaClient.prototype).filter((name) => {
      const d = Object.getOwnPropertyDescriptor(AlmaClient.prototype, name)!;
      return typeof d.value === 'function' && !['constructor', 'close', 'toJSON'].includes(name);
    });
    expect([...called].sort()).toEqual(publicMethods.sort());

    expect(stub.requests.length).toBeGreaterThan(20);
    const violations = stub.requests
      .map((r) => ({ call: `${r.method} ${r.path}`, ...matchConcreteCall(r.method, r.url) }))
      .filter((m) => m.template === null || m.undeclaredQuery.length > 0);
    expect(violations).toEqual([]);

    // Each call used the parameters this project relies on.
    const queries = (method: string, pattern: RegExp) =>
      stub.requests.filter((r) => r.method === method && pattern.test(r.path)).map((r) => Object.fromEntries(r.query));
    expect(queries('GET', /\/users\/[^/]+$/)).toContainEqual({ view: 'full' });
    expect(queries('GET', /\/users$/)).toEqual([{ q: 'email~holding@library.example.edu', limit: '100', offset: '0' }]);
    expect(queries('POST', /\/items\/[^/]+$/)).toEqual([
      { op: 'scan', library: 'MAIN', circ_desk: 'DEFAULT_CIRC_DESK', register_in_house_use: 'false' },
      {
        op: 'scan',
        library: 'MAIN',
        circ_desk: 'DEFAULT_CIRC_DESK',
        register_in_house_use: 'false',
        request_id: '8410000000101',
      },
    ]);
    expect(queries('DELETE', /\/requests\/[^/]+$/)).toEqual([
      { reason: 'CancelledAtPatronRequest', notify_user: 'false' },
      { reason: 'CancelledAtPatronRequest', notify_user: 'true', note: 'relink test' },
    ]);
    expect(queries('POST', /\/users\/[^/]+\/loans$/)).toEqual([
      { item_barcode: '39000000001' },
      { item_pid: '231000000010101' },
    ]);
    expect(queries('GET', /\/users\/[^/]+\/loans$/)).toEqual([
      { loan_status: 'Active', limit: '100', offset: '0' },
      { loan_status: 'Active', limit: '100', offset: '100' },
      { loan_status: 'Complete', limit: '100', offset: '0' },
      { loan_status: 'Complete', limit: '100', offset: '100' },
    ]);

    // Bodies: scan-in sends {}, a loan names desk and library (and the request when given), all as JSON.
    const bodies = (method: string, pattern: RegExp) =>
      stub.requests
        .filter((r) => r.method === method && pattern.test(r.path))
        .map((r) => JSON.parse(r.body) as unknown);
    expect(bodies('POST', /\/items\/[^/]+$/)).toEqual([{}, {}]);
    expect(bodies('POST', /\/users\/[^/]+\/loans$/)).toEqual([
      { circ_desk: { value: 'DEFAULT_CIRC_DESK' }, library: { value: 'MAIN' } },
      { circ_desk: { value: 'DEFAULT_CIRC_DESK' }, library: { value: 'MAIN' }, request_id: { value: '8410000000101' } },
    ]);
    for (const r of stub.requests) {
      expect(r.headers.accept).toBe('application/json');
      if (r.body) expect(r.headers['content-type']).toBe('application/json');
      expect(r.query.has('apikey')).toBe(false);
    }
  });
});
