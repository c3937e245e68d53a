// The user round trip (Alma's PUT replaces everything, so nothing may be lost), key secrecy and the quota floor.
import { inspect } from 'node:util';
import { AlmaClient, isAlmaError } from '../../src/alma';
import { API_KEY, sampleUser } from '../support/alma-fixtures';
import { almaJsonError, closeStubs, stubbedClient } from '../support/alma-stub';

afterEach(closeStubs);

/** A user with fields no schema names, odd values and an order zod would not keep. */
function richUser() {
  const user = sampleUser();
  return {
    zz_first_unknown: { nested: [1, 'two', null, { deep: true }] },
    ...user,
    password: '',
    pin_number: null,
    user_role: [{ status: { value: 'ACTIVE' }, scope: { value: 'MAIN', desc: 'Main' }, role_type: { value: '200' } }],
    user_statistic: [],
    preferred_language: { value: 'en', desc: 'English' },
    campus_code: { value: null, desc: null },
    unicode_note: 'Gödel – 漢字 – "quoted" \\ back',
    big_number: 1234567890.5,
    link: 'https://api-eu.hosted.exlibrisgroup.com/almaws/v1/users/okafor.chidi',
  };
}

describe('getUser → updateUser', () => {
  it('sends back byte for byte what it received, unknown fields included, but the roles', async () => {
    const original = JSON.stringify(richUser());
    const { user_role: roles, ...withoutRoles } = richUser();
    const { stub, client } = await stubbedClient(() => ({
      headers: { 'content-type': 'application/json' },
      body: original,
    }));
    const user = await client.getUser('okafor.chidi');
    const updated = await client.updateUser('okafor.chidi', user);
    const put = stub.requests.find((r) => r.method === 'PUT')!;
    // Alma keeps the stored roles when none are sent; sending them back could only be refused.
    expect(put.body).toBe(JSON.stringify(withoutRoles));
    expect(user.user_role).toEqual(roles);
    expect(put.headers['content-type']).toBe('application/json');
    expect(put.url).toBe('/almaws/v1/users/okafor.chidi');
    expect(stub.requests[0]!.url).toBe('/almaws/v1/users/okafor.chidi?view=full');
    expect(JSON.stringify(updated)).toBe(original);
  });

  it('an edited email list goes out with everything else untouched', async () => {
    const original = richUser();
    const { stub, client } = await stubbedClient((req) => ({ body: req.method === 'PUT' ? req.body : original }));
    const user = await client.getUser('okafor.chidi');
    user.contact_info!.email![0]!.preferred = true;
    await client.updateUser('okafor.chidi', user);
    const sent = JSON.parse(stub.requests[1]!.body) as ReturnType<typeof richUser>;
    expect(sent.contact_info.email[0]!.preferred).toBe(true);
    expect({ ...sent, contact_info: original.contact_info, user_role: original.user_role }).toEqual(original);
  });

  it('refuses to PUT a record that is not a whole user (it would delete data in Alma)', async () => {
    const { stub, client } = await stubbedClient(() => ({ body: {} }));
    const partial = { contact_info: { email: [] } } as unknown as Parameters<AlmaClient['updateUser']>[1];
    await expect(client.updateUser('x', partial)).rejects.toMatchObject({ kind: 'business', retryable: false });
    expect(stub.requests).toHaveLength(0);
  });

  it('accepts the fixture users as they are (no field of the wire form is rejected)', async () => {
    const { client } = await stubbedClient(() => ({ body: sampleUser() }));
    await expect(client.getUser('okafor.chidi')).resolves.toEqual(sampleUser());
  });
});

describe('the API key', () => {
  it('travels only in the Authorization header', async () => {
    const { stub, client } = await stubbedClient(() => ({ body: sampleUser() }));
    await client.getUser('okafor.chidi');
    expect(stub.requests[0]!.headers.authorization).toBe(`apikey ${API_KEY}`);
    expect(stub.requests[0]!.url).not.toContain(API_KEY);
  });

  it('appears in no error, however it is printed, nor in the client', async () => {
    const errors: unknown[] = [];
    const collect = (p: Promise<unknown>) =>
      p.then(
        () => errors.push(new Error('no failure')),
        (e) => errors.push(e),
      );
    // Alma echoing the key back in its message is redacted too.
    const { client } = await stubbedClient(
      (req) =>
        req.path.endsWith('/echo')
          ? { status: 400, body: almaJsonError('UNAUTHORIZED', `key ${API_KEY} is not allowed`) }
          : req.path.endsWith('/slow')
            ? { delayMs: 1000, body: {} }
            : { status: 503, body: '<html>down</html>' },
      { timeoutMs: 200, getRetries: 0 },
    );
    await collect(client.getUser('echo'));
    await collect(client.getUser('slow'));
    await collect(client.getUser('down'));
    const refused = new AlmaClient({ baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY, getRetries: 0 });
    await collect(refused.getUser('x'));
    refused.close();

    expect(errors).toHaveLength(4);
    expect(errors.map((e) => (isAlmaError(e) ? e.kind : 'not-alma'))).toEqual([
      'unauthorized',
      'timeout',
      'server',
      'network',
    ]);
    for (const e of errors) {
      for (const text of [
        String(e),
        (e as Error).stack,
        inspect(e, { depth: 10, showHidden: true }),
        JSON.stringify(e),
      ]) {
        expect(text).not.toContain(API_KEY);
      }
    }
    expect((errors[0] as Error).message).toContain('[redacted]');
    for (const text of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client), String(client)]) {
      expect(text).not.toContain(API_KEY);
    }
    expect(inspect(client)).toContain('AlmaClient');
  });
});

describe('daily quota', () => {
  it('remembers X-Exl-Api-Remaining and refuses new calls below the floor', async () => {
    const { stub, client } = await stubbedClient(
      () => ({ headers: { 'x-exl-api-remaining': '4999' }, body: sampleUser() }),
      {
        minDailyRemaining: 5000,
      },
    );
    expect(client.dailyRemaining).toBeUndefined();
    await client.getUser('okafor.chidi');
    expect(client.dailyRemaining).toBe(4999);
    await expect(client.getUser('okafor.chidi')).rejects.toMatchObject({
      kind: 'quota-floor',
      retryable: false,
      code: 'QUOTA_FLOOR',
    });
    await expect(client.createLoan('x', { itemPid: '1' }, { library: 'L', circDesk: 'D' })).rejects.toMatchObject({
      kind: 'quota-floor',
    });
    expect(stub.requests).toHaveLength(1);
    expect(client.stats.refusedByQuotaFloor).toBe(2);
  });

  it('keeps working at or above the floor, and without a floor', async () => {
    const { stub, client } = await stubbedClient(
      () => ({ headers: { 'x-exl-api-remaining': '5000' }, body: sampleUser() }),
      {
        minDailyRemaining: 5000,
      },
    );
    await client.getUser('a');
    await client.getUser('b');
    const unfloored = await stubbedClient(() => ({ headers: { 'x-exl-api-remaining': '3' }, body: sampleUser() }));
    await unfloored.client.getUser('a');
    await unfloored.client.getUser('b');
    expect(stub.requests).toHaveLength(2);
    expect(unfloored.stub.requests).toHaveLength(2);
    expect(unfloored.client.dailyRemaining).toBe(3);
  });
});
