// Alma's per-second threshold as a sandbox enforces it (10 calls a second for the whole institution, shared by every
// integration), played by the simulator's perSecondLimit setting: the client's default rate keeps under it, and a
// write the threshold refuses because another integration took the second is sent again, not failed.
import axios from 'axios';
import { AlmaClient, ALMA_THRESHOLDS, DEFAULT_RATE_LIMIT } from '../../src/alma';
import { useSimulator } from '../alma-sim/helpers';

const t = useSimulator(undefined, { perSecondLimit: ALMA_THRESHOLDS.sandbox });
const opened: AlmaClient[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

/** A client as the worker builds one with the default settings (ALMA_RATE_LIMIT unset). */
function defaultClient(): AlmaClient {
  const alma = new AlmaClient({ baseUrl: t.sim.url, apiKey: t.sim.apiKey });
  opened.push(alma);
  return alma;
}

describe("a sandbox's 10 calls a second", () => {
  it('the default rate is the sandbox threshold', () => {
    expect(DEFAULT_RATE_LIMIT).toBe(10);
    expect(defaultClient().requestsPerSecond).toBe(10);
  });

  it('back-to-back writes at the default rate all go through', async () => {
    const alma = defaultClient();
    const user = await alma.getUser('rivera.ana');
    for (let i = 0; i < 14; i++) await alma.updateUser('rivera.ana', user);
    expect(t.sim.calls().filter((c) => c.method === 'PUT' && c.status === 200)).toHaveLength(14);
  });

  it('a write the threshold refuses (another integration took the second) is sent again once the second is past', async () => {
    const alma = defaultClient();
    const user = await alma.getUser('rivera.ana');
    await new Promise((r) => setTimeout(r, 1100));
    // Another integration of the institution spends the whole second just before the relink's write.
    const other = axios.create({
      baseURL: t.sim.apiBase,
      headers: { Authorization: `apikey ${t.sim.apiKey}`, Accept: 'application/json' },
      validateStatus: () => true,
    });
    await Promise.all(Array.from({ length: ALMA_THRESHOLDS.sandbox }, () => other.get('/users/okafor.chidi')));
    await expect(alma.updateUser('rivera.ana', user)).resolves.toMatchObject({ primary_id: 'rivera.ana' });
    const puts = t.sim.calls().filter((c) => c.method === 'PUT');
    expect(puts[0]).toMatchObject({ status: 429, fault: 'perSecondLimit' });
    expect(puts.at(-1)).toMatchObject({ status: 200 });
    expect(alma.stats.rateLimited).toBe(puts.length - 1);
  });
});
