import { readFileSync } from 'node:fs';
import { exampleFixturesPath, FixtureError, loadFixtures, parseFixtures, startAlmaSimulator } from '../../src/alma-sim';
import { item, patron } from '../../src/alma-sim/builders';
import { almaClient, example, useSimulator } from './helpers';

describe('fixtures', () => {
  it('loads the example file unchanged, key order included', () => {
    const raw = readFileSync(exampleFixturesPath, 'utf8');
    expect(JSON.stringify(loadFixtures(exampleFixturesPath))).toBe(JSON.stringify(JSON.parse(raw)));
  });

  it('serves every user and item of the example file as stored', async () => {
    const fixtures = loadFixtures(exampleFixturesPath);
    const sim = await startAlmaSimulator({ fixtures, port: 0 });
    try {
      const alma = almaClient(sim);
      const raw = example();
      expect(raw.users).toHaveLength(3);
      expect(raw.items).toHaveLength(3);
      for (const user of raw.users) {
        const res = await alma.get(`/users/${user.primary_id}`);
        expect(res.status).toBe(200);
        expect(res.data).toEqual({ ...user, password: '' });
      }
      for (const item of raw.items) {
        const res = await alma.get('/items', { params: { item_barcode: item.item_data.barcode } });
        expect(res.status).toBe(200);
        expect(res.data.item_data).toEqual(item.item_data);
        expect(res.data.bib_data).toMatchObject(item.bib_data);
        expect(res.data.holding_data).toMatchObject(item.holding_data);
      }
      expect(sim.state()).toMatchObject({ users: raw.users, loans: raw.loans, requests: raw.requests, fees: raw.fees });
    } finally {
      await sim.close();
    }
  });

  it('keeps fields the schema does not name', () => {
    const user = patron('odd.one', {}, { pin_number: '1234', custom_field: { nested: [1, 2] } });
    expect(parseFixtures({ users: [user] }).users[0]).toEqual(user);
  });

  it('refuses a loan that names an unknown patron or item, listing every problem', () => {
    const bad = {
      users: [patron('a.user')],
      items: [item('30000000001', { processType: '' })],
      loans: [{ loan_id: '1', user_id: 'ghost', item_id: 'nope', loan_status: 'ACTIVE' }],
    };
    expect(() => parseFixtures(bad)).toThrow(FixtureError);
    expect(() => parseFixtures(bad)).toThrow(/unknown user ghost[\s\S]*names no known item/);
  });

  it('refuses duplicate barcodes', () => {
    expect(() =>
      parseFixtures({ items: [item('30000000001', { processType: '' }), item('30000000001', { processType: '' })] }),
    ).toThrow(/duplicate barcode 30000000001/);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadFixtures('/nonexistent/fixtures.json')).toThrow(
      /cannot read fixtures \/nonexistent\/fixtures.json/,
    );
  });
});

describe('resetting the simulator', () => {
  const t = useSimulator();

  it('POST /_sim/reset with fixtures replaces the state', async () => {
    const res = await t.root.post('/_sim/reset', { users: [patron('only.me')] });
    expect(res.status).toBe(200);
    expect(res.data.counts).toEqual({ users: 1, items: 0, loans: 0, requests: 0, fees: 0 });
    expect((await t.alma.get('/users/only.me')).status).toBe(200);
    expect((await t.alma.get('/users/rivera.ana')).status).toBe(400);
  });

  it('POST /_sim/reset with an empty body empties the state', async () => {
    const res = await t.root.post('/_sim/reset');
    expect(res.status).toBe(200);
    expect(t.sim.state()).toEqual({ libraries: [], users: [], items: [], loans: [], requests: [], fees: [] });
  });

  it('POST /_sim/reset with invalid fixtures answers 400 and says why', async () => {
    const res = await t.root.post('/_sim/reset', { users: [{ first_name: 'no id' }] });
    expect(res.status).toBe(400);
    expect(res.data.error).toMatch(/users\.0\.primary_id/);
  });

  it('GET /_sim/state shows the libraries and records', async () => {
    const res = await t.root.get('/_sim/state');
    expect(res.status).toBe(200);
    expect(Object.keys(res.data).sort()).toEqual(['fees', 'items', 'libraries', 'loans', 'requests', 'users']);
    expect(res.data.libraries).toEqual(example().libraries);
  });
});
