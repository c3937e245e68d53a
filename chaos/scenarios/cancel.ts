// Cancellation and deadlines: a cancel at each staff wait (request review, Lost), a cancel while a write is in
// flight in Alma, and the deadlines passing with nobody answering. The restore must run in every case, after
// any write still in flight, and nothing may reach the patron. After a loan, a give-up (a cancel, the
// holding-address limit) returns the loans first, under worker kills too; only --keep-loans leaves them active.
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
/** Every loan the relink made ended returned (scanned in before the restore), as its result says. */
const returnedAll = (e: Ending) => (e.result?.items ?? []).every((i) => !i.loanId || i.phase === 'returned');
const returnScan = (itemPid: string) => ({ method: 'POST', path: `/items/${itemPid}\\?.*op=scan` });

/** Kills every worker while the return's scan is held in Alma (it lands after the kill), then starts a new one. */
async function killDuringReturn(l: ChaosLab, itemPid: string, start: () => Promise<void>) {
  const hold = new Hold(l, returnScan(itemPid), 'held', 2_000);
  await start();
  await hold.reached();
  await l.killWorkers();
  await hold.settle();
  await l.startWorker();
}

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
      name: 'Lost deadline (4 s) passes without a click; the holding-address limit (8 s) returns the loan',
      quick: true,
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        input: { lostDeadline: '4 seconds', holdingAddressLimit: '8 seconds' },
        expect: (e) => needsAttention(e) && returnedAll(e),
      }),
    },
    {
      name: 'Lost deadline reached: overdue with no worker, staff click Lost, a new worker finishes it',
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        input: { lostDeadline: '3 seconds', holdingAddressLimit: '1 hour' },
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'overdue');
          await l.killWorkers();
          await l.staffDeclaresLost(workflowId, i.patronId);
          await sleep(1_000);
          await l.startWorker();
        },
      }),
    },
    {
      name: 'Lost deadline reached: the limit returns the loan, worker killed during the return scan',
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        input: { lostDeadline: '3 seconds', holdingAddressLimit: '6 seconds' },
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'overdue');
          await killDuringReturn(l, i.itemPid, async () => undefined);
        },
        expect: (e) => needsAttention(e) && returnedAll(e),
      }),
    },
    {
      name: 'cancelled after the loan: worker killed during the return scan',
      quick: true,
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          await killDuringReturn(l, i.itemPid, () => l.relinks.cancel(workflowId));
        },
        expect: cancelled,
      }),
    },
    {
      name: 'cancelled after the loan with no worker running, then a new worker returns and restores',
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          await l.killWorkers();
          await l.relinks.cancel(workflowId);
          await sleep(1_000);
          await l.startWorker();
        },
        expect: cancelled,
      }),
    },
    {
      name: 'cancelled after the loan while Alma refuses the return: holds the address, worker killed, returns later',
      quick: true,
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        input: { lostPollInitial: '1 second', lostPollMax: '2 seconds' },
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          l.setFaults({
            rules: [{ ...returnScan(i.itemPid), action: 'error', status: 400, errorCode: '402502', times: 10_000 }],
          });
          await l.relinks.cancel(workflowId);
          await l.waitForAwaiting(workflowId, 'return-refused');
          // Its own retries meet the refusal; then no worker at all while Alma starts accepting the return again.
          await sleep(3_000);
          await l.killWorkers();
          l.clearFaults();
          await sleep(1_000);
          await l.startWorker();
        },
        expect: (e) => cancelled(e) && returnedAll(e),
      }),
    },
    {
      name: 'overdue, staff choose --keep-loans: the loan stays active (the one exception the invariant allows)',
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        staffKeepsLoans: true,
        input: { lostDeadline: '2 seconds', holdingAddressLimit: '1 hour' },
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'overdue');
          await l.relinks.keepLoans(workflowId, 'chaos.staff');
        },
        expect: (e) => e.outcome === 'aborted' && !!e.result?.emailVerified,
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
