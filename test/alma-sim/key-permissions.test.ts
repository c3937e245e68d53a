// The simulator's gateway enforces a key's permissions per API area, as Alma's does: a call outside them is 400
// UNAUTHORIZED, before anything runs. The test endpoints answer a permitted call.
import axios from 'axios';
import { startAlmaSimulator, type AlmaSimulator } from '../../src/alma-sim';
import { parseKeyPermissions } from '../../src/alma-sim/auth';
import { fixturesWith } from '../../src/alma-sim/builders';

describe("an API key's permissions", () => {
  let sim: AlmaSimulator;
  beforeAll(async () => {
    sim = await startAlmaSimulator({
      fixtures: fixturesWith({}),
      port: 0,
      keyPermissions: parseKeyPermissions('users=read-only, conf=none'),
    });
  });
  afterAll(async () => sim?.close());

  const call = (method: 'GET' | 'POST', path: string) =>
    axios.request({
      method,
      url: `${sim.apiBase}${path}`,
      headers: { Authorization: `apikey ${sim.apiKey}`, Accept: 'application/json' },
      data: method === 'POST' ? {} : undefined,
      validateStatus: () => true,
    });

  it('lets a read-only key read and refuses its writes, and lets a read-write key write', async () => {
    expect((await call('GET', '/users/operation/test')).status).toBe(200);
    const refused = await call('POST', '/users/operation/test');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.data)).toContain('UNAUTHORIZED');
    expect((await call('POST', '/bibs/test')).status).toBe(200);
    expect((await call('GET', '/conf/libraries')).status).toBe(400);
  });

  it('refuses a permission list it cannot read', () => {
    expect(() => parseKeyPermissions('users=write')).toThrow(/read-write, read-only or none/);
    expect(() => parseKeyPermissions('fees=none')).toThrow(/unknown API area "fees"/);
  });
});
