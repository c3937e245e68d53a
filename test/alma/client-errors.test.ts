// How the client turns each kind of failed answer into an AlmaError, and which calls it replays (GETs, and writes
// Alma's per-second threshold refused before processing them).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlmaClient, isAlmaError, type AlmaError } from '../../src/alma';
import { API_KEY, itemPathOf, sampleItem, sampleLoan, sampleUser } from '../support/alma-fixtures';
import { almaJsonError, almaXmlError, closeStubs, stubbedClient, type StubReply } from '../support/alma-stub';

afterEach(closeStubs);

async function failure(p: Promise<unknown>): Promise<AlmaError> {
  try {
    await p;
  } catch (err) {
    if (isAlmaError(err)) return err;
    throw new Error(`expected an AlmaError, got ${String(err)}`);
  }
  throw new Error('expected the call to fail');
}

/** Answers the given replies in turn, then repeats the last one. */
const inTurn = (...replies: StubReply[]) => {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)]!;
};

const loanAt = { library: 'MAIN', circDesk: 'DEFAULT_CIRC_DESK' };

describe('error bodies and verdicts', () => {
  it('a JSON business error: not-found, not retried, with code, message and tracking id', async () => {
    const { stub, client } = await stubbedClient(() => ({
      status: 400,
      body: almaJsonError('401689', 'No items found for barcode 39000000009.', 'E02-42'),
    }));
    const err = await failure(client.getItemByBarcode('39000000009'));
    expect(err).toMatchObject({
      kind: 'not-found',
      retryable: false,
      status: 400,
      code: '401689',
      almaMessage: 'No items found for barcode 39000000009.',
      trackingId: 'E02-42',
      method: 'GET',
      path: '/almaws/v1/items',
      operation: 'getItemByBarcode',
    });
    expect(stub.requests).toHaveLength(1);
  });

  it('an XML error body is read like a JSON one', async () => {
    const { client } = await stubbedClient(() => ({
      status: 400,
      headers: { 'content-type': 'application/xml' },
      body: almaXmlError('401651', 'Item is not loanable.', 'E01-7'),
    }));
    const err = await failure(client.createLoan('okafor.chidi', { barcode: '39000000001' }, loanAt));
    expect(err).toMatchObject({ kind: 'business', retryable: false, code: '401651', trackingId: 'E01-7' });
    expect(err.almaMessage).toBe('Item is not loanable.');
  });

  it('an HTML 401 page (wrong host) is unauthorized, not retried', async () => {
    const { stub, client } = await stubbedClient(() => ({
      status: 401,
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>401 Unauthorized</title></head><body>nope</body></html>',
    }));
    const err = await failure(client.getUser('rivera.ana'));
    expect(err).toMatchObject({ kind: 'unauthorized', retryable: false, status: 401, almaMessage: '401 Unauthorized' });
    expect(err.code).toBeUndefined();
    expect(stub.requests).toHaveLength(1);
  });

  it('400 UNAUTHORIZED (key without the Users area) is unauthorized', async () => {
    const { client } = await stubbedClient(() => ({
      status: 400,
      body: almaJsonError('UNAUTHORIZED', 'API-key not defined or not configured to allow this API.'),
    }));
    expect(await failure(client.getUser('x'))).toMatchObject({ kind: 'unauthorized', retryable: false });
  });

  it('429 DAILY_THRESHOLD is final: daily-limit, not retried', async () => {
    const { stub, client } = await stubbedClient(() => ({
      status: 429,
      body: almaJsonError('DAILY_THRESHOLD', 'Daily threshold reached'),
    }));
    expect(await failure(client.getUser('x'))).toMatchObject({ kind: 'daily-limit', retryable: false, status: 429 });
    expect(stub.requests).toHaveLength(1);
    expect(client.stats.rateLimited).toBe(1);
  });

  it('an empty 502 is a retryable server error; a GET is tried 1 + getRetries times', async () => {
    const { stub, client } = await stubbedClient(() => ({ status: 502 }), { getRetries: 2 });
    const err = await failure(client.getUser('x'));
    expect(err).toMatchObject({ kind: 'server', retryable: true, status: 502, almaMessage: 'empty error body' });
    expect(stub.requests).toHaveLength(3);
    expect(client.stats).toMatchObject({ calls: 3, retries: 2 });
  });

  it('a 2xx answer of the wrong shape is invalid-response naming the field, not its value', async () => {
    const item = sampleItem() as { item_data: Record<string, unknown> };
    item.item_data.barcode = { secret: 'PERSONAL-DATA-123' };
    const { stub, client } = await stubbedClient(() => ({ body: item }));
    const err = await failure(client.getItem({ mmsId: '1', holdingId: '2', itemPid: '3' }));
    expect(err).toMatchObject({ kind: 'invalid-response', retryable: false, code: 'INVALID_RESPONSE', status: 200 });
    expect(err.message).toContain('item_data.barcode');
    expect(err.message).not.toContain('PERSONAL-DATA-123');
    expect(stub.requests).toHaveLength(1);
  });

  it('a 2xx answer that is not JSON is invalid-response', async () => {
    const { client } = await stubbedClient(() => ({ headers: { 'content-type': 'text/html' }, body: '<html></html>' }));
    expect(await failure(client.getUserLoan('x', '1'))).toMatchObject({ kind: 'invalid-response', retryable: false });
  });

  it('an error body inside a 200 is still an error', async () => {
    const { client } = await stubbedClient(() => ({
      body: almaJsonError('401861', 'User with identifier x was not found.'),
    }));
    expect(await failure(client.getUser('x'))).toMatchObject({ kind: 'not-found', code: '401861' });
  });
});

describe('what is replayed', () => {
  it('GET: 429 PER_SECOND_THRESHOLD, then success, is retried and succeeds', async () => {
    const user = sampleUser();
    const { stub, client } = await stubbedClient(
      inTurn(
        { status: 429, body: almaJsonError('PER_SECOND_THRESHOLD', 'HTTP requests are more than allowed per second') },
        { body: user },
      ),
    );
    await expect(client.getUser(user.primary_id)).resolves.toEqual(user);
    expect(stub.requests).toHaveLength(2);
    expect(client.stats).toMatchObject({ calls: 2, rateLimited: 1, retries: 1 });
  });

  it('POST: 429 PER_SECOND_THRESHOLD (refused before processing) is sent again after a pause, and succeeds', async () => {
    const tooFast = { status: 429, body: almaJsonError('PER_SECOND_THRESHOLD', 'too fast') };
    const { stub, client } = await stubbedClient(inTurn(tooFast, tooFast, { body: sampleLoan() }));
    await expect(client.createLoan('rivera.ana', { barcode: '39000000001' }, loanAt)).resolves.toMatchObject({
      loan_id: sampleLoan().loan_id,
    });
    expect(stub.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    expect(client.stats).toMatchObject({ calls: 3, rateLimited: 2, retries: 2 });
  });

  it('POST: the threshold answered again and again fails retryable after 3 more tries (the step retries it)', async () => {
    const { stub, client } = await stubbedClient(() => ({
      status: 429,
      body: almaJsonError('PER_SECOND_THRESHOLD', 'too fast'),
    }));
    const err = await failure(client.createLoan('rivera.ana', { barcode: '39000000001' }, loanAt));
    expect(err).toMatchObject({ kind: 'rate-limit', retryable: true, code: 'PER_SECOND_THRESHOLD', method: 'POST' });
    expect(stub.requests).toHaveLength(4);
  });

  it('PUT: a 429 that does not say PER_SECOND_THRESHOLD (a proxy, say) is not replayed: it may have been applied', async () => {
    const user = sampleUser();
    const { stub, client } = await stubbedClient(inTurn({ status: 429, body: 'slow down' }, { body: user }));
    expect(await failure(client.updateUser(user.primary_id, user))).toMatchObject({
      kind: 'rate-limit',
      retryable: true,
    });
    expect(stub.requests.map((r) => r.method)).toEqual(['PUT']);
    expect(client.stats.retries).toBe(0);
  });

  it('GET: 503 then success is retried', async () => {
    const item = sampleItem();
    const { stub, client } = await stubbedClient(inTurn({ status: 503, body: 'busy' }, { body: item }));
    const got = await client.getItem({ mmsId: '1', holdingId: '2', itemPid: '3' });
    expect(got.item_data.barcode).toBe(item.item_data.barcode);
    expect(stub.requests).toHaveLength(2);
  });

  it('PUT: a 500 is reported retryable but never replayed by the client (the step retries, reading first)', async () => {
    const user = sampleUser();
    const { stub, client } = await stubbedClient(inTurn({ status: 500 }, { body: user }));
    expect(await failure(client.updateUser(user.primary_id, user))).toMatchObject({
      kind: 'server',
      retryable: true,
      method: 'PUT',
    });
    expect(stub.requests.map((r) => r.method)).toEqual(['PUT']);
    expect(client.stats.retries).toBe(0);
  });

  it('DELETE and scan-in POST: a 500 reaches the server exactly once', async () => {
    const { stub, client } = await stubbedClient(() => ({ status: 500 }));
    expect(await failure(client.cancelRequest('x', '1', { reason: 'CancelledAtPatronRequest' }))).toMatchObject({
      kind: 'server',
      retryable: true,
    });
    expect(await failure(client.scanIn({ mmsId: '1', holdingId: '2', itemPid: '3' }, loanAt))).toMatchObject({
      kind: 'server',
    });
    expect(stub.requests.map((r) => r.method)).toEqual(['DELETE', 'POST']);
  });

  it('a closed port is a retryable network error', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const client = new AlmaClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      getRetries: 1,
      retryDelayMs: 5,
    });
    try {
      const err = await failure(client.getUser('x'));
      expect(err).toMatchObject({ kind: 'network', retryable: true, code: 'NETWORK', method: 'GET' });
      expect(err.status).toBeUndefined();
      expect(err.almaMessage).toContain('ECONNREFUSED');
      expect(client.stats).toMatchObject({ calls: 2, retries: 1 });
    } finally {
      client.close();
    }
  });

  it('a server that hangs up mid-request is a retryable network error', async () => {
    const { client } = await stubbedClient(() => ({ hangUp: true }), { getRetries: 0 });
    expect(await failure(client.getUser('x'))).toMatchObject({ kind: 'network', retryable: true });
  });

  it('GET timeout: retryable timeout, retried', async () => {
    const user = sampleUser();
    const { stub, client } = await stubbedClient(inTurn({ delayMs: 1500, body: user }, { body: user }), {
      timeoutMs: 300,
    });
    await expect(client.getUser(user.primary_id)).resolves.toEqual(user);
    expect(stub.requests).toHaveLength(2);
  });

  it('POST timeout: retryable timeout, the request reached the server once and is not replayed', async () => {
    const { stub, client } = await stubbedClient(() => ({ delayMs: 1500, body: sampleItem() }), { timeoutMs: 300 });
    const item = sampleItem();
    const ref = { mmsId: item.bib_data.mms_id, holdingId: item.holding_data.holding_id, itemPid: item.item_data.pid };
    const err = await failure(client.scanIn(ref, loanAt));
    expect(err).toMatchObject({
      kind: 'timeout',
      retryable: true,
      code: 'TIMEOUT',
      method: 'POST',
      path: itemPathOf(item),
    });
    expect(stub.requests).toHaveLength(1);
  });
});
