// Cancellation and deadlines: a cancel at each staff wait (request review, Lost), a cancel while a write is in
// flight in Alma, and the deadlines passing with nobody answering. The restore must run in every case, after
// any write still in flight, and nothing may reach the patron.
import { holdRequest, item, itemIds, patron } from '../../src/alma-sim/builders';
import { sleep, type ChaosLab, type Ending } from '../lab';
import { Hold, re, relinkRun, type RelinkRunSpec, type Scenario } from '../scenario';
import { richPatron } from './worker-crash';

let serial = 0;

function ids() {
  const n = ++serial;
  const patronId = `cancel.${n}`;
  const barcode = `540000${String(n).padStart(5, '0')}`;
  return { n, patronId, barcode, itemPid: itemIds(barcode).itemPid };
}

const cancelled = (e: Ending) => e.outcome === 'cancelled';
const needsAttention = (e: Ending) =>
  e.outcome === 'needs-attention' && !!e.result?.emailRestored && !!e.result?.emailVerified;

async function cancelRun(
  lab: ChaosLab,
  name: string,
  spec: (i: ReturnType<typeof ids>) => Omit<RelinkRunSpec, 'group' | 'scenario' | 'patronId' | 'barcodes'>,
) {
  const i = ids();
  return [
    await relinkRun(lab, {
      group: 'cancel & deadline',
      scenario: name,
      patronId: i.patronId,
      barcodes: [i.barcode],
      ...spec(i),
    }),
  ];
}

export function cancelScenarios(): Scenario[] {
  const list: Array<Omit<Scenario, 'group' | 'run'> & { spec: Parameters<typeof cancelRun>[2] }> = [
    {
      name: 'cancelled while it waits for the request review',
      quick: true,
      spec: (i) => ({
        fixtures: {
          users: [richPatron(i.patronId), patron(`other.${i.n}`)],
          items: [item(i.barcode, { requested: true })],
          requests: [holdRequest(`8540${String(i.n).padStart(9, '0')}`, `other.${i.n}`, i.barcode)],
        },
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'request-review');
          await l.relinks.cancel(workflowId);
        },
        expect: cancelled,
      }),
    },
    {
      name: 'cancelled while it waits for the Lost click',
      quick: true,
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          await l.relinks.cancel(workflowId);
        },
        expect: cancelled,
      }),
    },
    {
      name: 'cancelled while the email swap PUT is in flight in Alma',
      quick: true,
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        during: async (l, workflowId) => {
          const hold = new Hold(l, { method: 'PUT', path: `/users/${re(i.patronId)}(\\?|$)` }, 'held', 2_000);
          await hold.reached();
          await l.relinks.cancel(workflowId);
          await hold.settle();
        },
        expect: cancelled,
      }),
    },
    {
      name: 'cancelled while the loan POST is in flight in Alma',
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        during: async (l, workflowId) => {
          const hold = new Hold(l, { method: 'POST', path: `/users/${re(i.patronId)}/loans` }, 'held', 2_000);
          await hold.reached();
          await l.relinks.cancel(workflowId);
          await hold.settle();
        },
        expect: cancelled,
      }),
    },
    {
      name: 'cancelled while the scan-in POST is in flight in Alma',
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        during: async (l, workflowId) => {
          const hold = new Hold(l, { method: 'POST', path: `/items/${i.itemPid}\\?.*op=scan` }, 'held', 2_000);
          await hold.reached();
          await l.relinks.cancel(workflowId);
          await hold.settle();
        },
        expect: cancelled,
      }),
    },
    {
      name: 'Lost deadline (4 s) passes without a click',
      quick: true,
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        input: { lostDeadline: '4 seconds' },
        expect: needsAttention,
      }),
    },
    {
      name: 'request review deadline (3 s) passes without a decision',
      spec: (i) => ({
        fixtures: {
          users: [richPatron(i.patronId), patron(`other.${i.n}`)],
          items: [item(i.barcode, { requested: true })],
          requests: [holdRequest(`8540${String(i.n).padStart(9, '0')}`, `other.${i.n}`, i.barcode)],
        },
        input: { reviewDeadline: '3 seconds' },
        expect: (e) => e.outcome === 'needs-attention',
      }),
    },
    {
      name: 'cancelled twice, the second during the restore',
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          const hold = new Hold(l, { method: 'PUT', path: `/users/${re(i.patronId)}(\\?|$)` }, 'held', 1_500);
          await l.relinks.cancel(workflowId);
          await hold.reached();
          await l.relinks.cancel(workflowId).catch(() => undefined);
          await sleep(100);
          await hold.settle();
        },
        expect: cancelled,
      }),
    },
  ];
  return list.map(({ spec, ...s }) => ({
    ...s,
    group: 'cancel & deadline',
    run: (lab) => cancelRun(lab, s.name, spec),
  }));
}
