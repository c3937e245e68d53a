// The start's first preflight plans from the record the patron lookup read moments before on the same worker,
// instead of reading it again: once, while fresh. A record changed in between is caught by the swap's own read before
// anything is written. Against the simulator, the activities bound as a worker binds them.
import { createActivities } from '../../src/activities';
import { LOOKUP_READ_FRESH_MS, PatronReads } from '../../src/activities/patron-reads';
import { AlmaClient, type AlmaUser } from '../../src/alma';
import { fixturesWith, HOLDING_EMAIL, patron } from '../../src/alma-sim/builders';
import { markerFor, relinkWorkflowId } from '../../src/contract';
import { useSimulator } from '../alma-sim/helpers';
import { contactInfo, emailFlags } from './contact-sim';

const ID = 'lr.patron';
const t = useSimulator(() =>
  fixturesWith({
    users: [
      patron(
        ID,
        {},
        { contact_info: contactInfo([{ address: 'own@example.org', preferred: true }, { address: 'b@x.org' }]) },
      ),
    ],
  }),
);
const opened: AlmaClient[] = [];
afterEach(() => opened.splice(0).forEach((c) => c.close()));

function client() {
  const alma = new AlmaClient({ baseUrl: t.sim.url, apiKey: t.sim.apiKey, requestsPerSecond: 200 });
  opened.push(alma);
  return alma;
}
const worker = (patronReads = new PatronReads<AlmaUser>()) => createActivities({ alma: client(), patronReads });
const workflowId = relinkWorkflowId(ID);
const preflightInput = (fromLookup: boolean) => ({
  patronId: ID,
  barcodes: [],
  desks: {},
  holdingEmail: HOLDING_EMAIL,
  marker: markerFor(workflowId),
  ...(fromLookup ? { fromLookup } : {}),
});
const userCalls = (from: number) =>
  t.sim
    .calls()
    .slice(from)
    .map((c) => `${c.method} ${c.path.replace(/\?.*/, '')}`);

describe("the patron lookup's read, reused by the start's preflight", () => {
  it('plans from the lookup read once: the next preflight reads Alma', async () => {
    const acts = worker();
    await acts.resolvePatron({ identifier: ID });
    const from = t.sim.calls().length;
    const first = await acts.preflight(preflightInput(true));
    expect(first.contactPlan).toMatchObject({ originalPreferredEmail: 'own@example.org' });
    expect(userCalls(from)).toEqual([]);
    await acts.preflight(preflightInput(true));
    expect(userCalls(from)).toEqual([`GET /almaws/v1/users/${ID}`]);
  });

  it("only for the preflight that asks (the start's first), and only on the worker that read it", async () => {
    const acts = worker();
    await acts.resolvePatron({ identifier: ID });
    const from = t.sim.calls().length;
    await acts.preflight(preflightInput(false));
    await worker().preflight(preflightInput(true)); // another worker: its own reads, none of this one's
    expect(userCalls(from)).toEqual([`GET /almaws/v1/users/${ID}`, `GET /almaws/v1/users/${ID}`]);
  });

  it('a record staff changed after the lookup: the swap reads it, refuses the stale plan, and the re-plan reads Alma', async () => {
    const acts = worker();
    await acts.resolvePatron({ identifier: ID });
    // Staff make the other address preferred between the lookup and the start.
    const user = await client().getUser(ID);
    user.contact_info!.email![0]!.preferred = false;
    user.contact_info!.email![1]!.preferred = true;
    await client().updateUser(ID, user);

    const stale = (await acts.preflight(preflightInput(true))).contactPlan!;
    expect(stale.originalPreferredEmail).toBe('own@example.org');
    await expect(acts.swapContact({ patronId: ID, workflowId, plan: stale })).rejects.toMatchObject({
      type: 'ContactChanged',
    });
    expect(emailFlags(await client().getUser(ID))).toEqual([
      ['own@example.org', false],
      ['b@x.org', true],
    ]); // nothing written

    // The workflow plans again (ensureSwapped): that preflight reads Alma, and the swap goes through on it.
    const plan = (await acts.preflight(preflightInput(false))).contactPlan!;
    expect(plan.originalPreferredEmail).toBe('b@x.org');
    await expect(acts.swapContact({ patronId: ID, workflowId, plan })).resolves.toMatchObject({ written: true });
  });

  it('never refuses on the lookup read: one showing a holding entry since restored is read again from Alma', async () => {
    const acts = worker();
    const plan = (await acts.preflight(preflightInput(false))).contactPlan!;
    await acts.swapContact({ patronId: ID, workflowId, plan });
    // The lookup meets the record of a relink that is closing, with its holding address still in place...
    await acts.resolvePatron({ identifier: ID });
    // ...which its restore then takes away, before the new run's preflight.
    await acts.restoreContact({ patronId: ID, plan });
    const from = t.sim.calls().length;
    const next = await acts.preflight(preflightInput(true));
    expect(next.contactPlan).toMatchObject({ originalPreferredEmail: 'own@example.org' });
    expect(userCalls(from)).toEqual([`GET /almaws/v1/users/${ID}`]);
  });
});

describe('PatronReads', () => {
  const record = { primary_id: 'p' };

  it('hands a read out once, while it is fresh', () => {
    const reads = new PatronReads();
    reads.put('p', record, 1_000, 1_000);
    expect(reads.take('p', 1_000 + LOOKUP_READ_FRESH_MS)).toBe(record);
    expect(reads.take('p', 1_000 + LOOKUP_READ_FRESH_MS)).toBeUndefined();
  });

  it('not once it is older than the bound, nor from a clock that went back', () => {
    const reads = new PatronReads();
    reads.put('p', record, 1_000, 1_000);
    expect(reads.take('p', 1_001 + LOOKUP_READ_FRESH_MS)).toBeUndefined();
    reads.put('p', record, 5_000, 5_000);
    expect(reads.take('p', 4_999)).toBeUndefined();
  });

  it('drops stale reads as new ones come, and keeps at most 1000', () => {
    const reads = new PatronReads();
    reads.put('old', record, 0, 0);
    reads.put('new', record, LOOKUP_READ_FRESH_MS + 1, LOOKUP_READ_FRESH_MS + 1);
    expect(reads.size).toBe(1);
    for (let i = 0; i < 1_005; i++) reads.put(`p${i}`, record, 100_000, 100_000);
    expect(reads.size).toBe(1_000);
    expect(reads.take('p0', 100_000)).toBeUndefined();
    expect(reads.take('p1004', 100_000)).toBe(record);
  });
});
