// Worker crashes: kill -9 of the worker process at every step boundary and in the middle of every activity —
// before Alma's write, while Alma applies it (the write lands after the kill and is never reported), as Alma
// answers, and after an applied write whose connection dropped. A new worker process is then started; the relink
// must finish as if nothing happened.
import type { SimCall } from '../../src/alma-sim';
import { email, holdRequest, item, itemIds, patron, phone } from '../../src/alma-sim/builders';
import { sleep } from '../lab';
import { completedAndRestored, Hold, re, relinkRun, type CallSpec, type HoldMode, type Scenario } from '../scenario';

interface KillPoint {
  name: string;
  quick?: boolean;
  /** The item carries the patron's own request, so the request review reads its queue. */
  ownRequest?: boolean;
  /** Proves the kill landed after Alma's write: the retry found the write done and did not repeat it. */
  proof?: (audit: string[], calls: SimCall[], ids: Ids) => boolean;
  /** The calls at which to kill, in order (one kill each, a new worker after each). */
  at: (ids: Ids) => Array<{ call: CallSpec; mode: HoldMode }>;
}

interface Ids {
  patronId: string;
  barcode: string;
  itemPid: string;
  mmsId: string;
}

// The nth user GET of a relink: the lookup before the start (resolvePatron), whose read the preflight plans from on
// the same worker (issue 26), then the swap's and the restore's.
const userGet = (i: Ids, nth: number): CallSpec => ({ method: 'GET', path: `/users/${re(i.patronId)}\\?`, nth });
const userPut = (i: Ids, nth: number): CallSpec => ({ method: 'PUT', path: `/users/${re(i.patronId)}(\\?|$)`, nth });
const queueGet = (i: Ids): CallSpec => ({ method: 'GET', path: `/items/${i.itemPid}/requests` });
const scanPost = (i: Ids): CallSpec => ({ method: 'POST', path: `/items/${i.itemPid}\\?.*op=scan` });
const loanPost = (i: Ids): CallSpec => ({ method: 'POST', path: `/users/${re(i.patronId)}/loans` });
const userPuts = (calls: SimCall[], i: Ids) =>
  calls.filter((c) => c.method === 'PUT' && new RegExp(`/users/${re(i.patronId)}(\\?|$)`).test(c.path)).length;
const loansGet = (i: Ids): CallSpec => ({ method: 'GET', path: `/users/${re(i.patronId)}/loans` });

// The patron's record is read by the lookup (1st), the swap (2nd) and the restore (3rd); the restore's PUT answers
// with the record, its proof (no read-back since issue 26).
export const KILL_POINTS: KillPoint[] = [
  {
    name: 'preflight: item lookup in flight',
    at: (i) => [{ call: { method: 'GET', path: `/items\\?item_barcode=${i.barcode}` }, mode: 'held' }],
  },
  {
    name: 'request review: queue read in flight',
    ownRequest: true,
    at: (i) => [{ call: queueGet(i), mode: 'held' }],
  },
  { name: 'email swap: patron read in flight (before the write)', at: (i) => [{ call: userGet(i, 2), mode: 'held' }] },
  {
    name: 'email swap: PUT applied by Alma after the kill, never reported',
    quick: true,
    // The swap's PUT and the restore's: the retried swap found the holding address in place and wrote nothing.
    proof: (_audit, calls, i) => userPuts(calls, i) === 2,
    at: (i) => [{ call: userPut(i, 1), mode: 'held' }],
  },
  { name: 'email swap: killed as Alma answered the PUT', at: (i) => [{ call: userPut(i, 1), mode: 'answered' }] },
  {
    // The bib's list, read again before the scan (its 2nd read; the item's own queue is read again only when Alma's
    // requested flag is older than moments: issue 26).
    name: 'scan in: queue re-check in flight (before the write)',
    at: (i) => [{ call: { method: 'GET', path: `/bibs/${i.mmsId}/requests`, nth: 2 }, mode: 'held' }],
  },
  {
    name: 'scan in: scan applied by Alma after the kill, never reported',
    proof: (audit) => audit.some((m) => /Alma already had it in place/.test(m)),
    at: (i) => [{ call: scanPost(i), mode: 'held' }],
  },
  { name: 'scan in: killed as Alma answered the scan', at: (i) => [{ call: scanPost(i), mode: 'answered' }] },
  {
    name: 'scan in (own request): scan applied after the kill',
    ownRequest: true,
    at: (i) => [{ call: scanPost(i), mode: 'held' }],
  },
  {
    name: 'loan: loan applied by Alma after the kill, never reported',
    quick: true,
    proof: (audit) => audit.some((m) => /Alma already had the loan/.test(m)),
    at: (i) => [{ call: loanPost(i), mode: 'held' }],
  },
  { name: 'loan: killed as Alma answered the loan', at: (i) => [{ call: loanPost(i), mode: 'answered' }] },
  {
    name: 'loan: applied, connection dropped, killed at once',
    proof: (audit) => audit.some((m) => /Alma already had the loan/.test(m)),
    at: (i) => [{ call: loanPost(i), mode: 'dropped' }],
  },
  { name: 'Lost check: loans read in flight', at: (i) => [{ call: loansGet(i), mode: 'held' }] },
  // The patron's reads: the lookup (1), the swap's (2; the preflight plans from the lookup's read), the restore's (3).
  { name: 'restore: patron read in flight (before the write)', at: (i) => [{ call: userGet(i, 3), mode: 'held' }] },
  {
    // Written, never verified: the PUT's answer is the restore's proof (no read-back since issue 26), and it is lost.
    name: 'restore: PUT applied by Alma after the kill, never reported',
    quick: true,
    proof: (audit) => audit.some((m) => /Alma already showed the original/.test(m)),
    at: (i) => [{ call: userPut(i, 2), mode: 'held' }],
  },
  { name: 'restore: killed as Alma answered the PUT', at: (i) => [{ call: userPut(i, 2), mode: 'answered' }] },
  {
    name: 'two crashes: swap PUT, then the replacement at the loan',
    proof: (audit, calls, i) => audit.some((m) => /Alma already had the loan/.test(m)) && userPuts(calls, i) === 2,
    at: (i) => [
      { call: userPut(i, 1), mode: 'held' },
      { call: loanPost(i), mode: 'held' },
    ],
  },
];

/** A patron with two emails and an SMS phone: the restore has something to get exactly right. */
export function richPatron(patronId: string) {
  return patron(patronId, {
    emails: [
      email(`${patronId}@example.edu`),
      email(`${patronId}@dept.example.org`, { preferred: false, type: 'work', description: 'Department' }),
    ],
    phones: [phone(`+1 555 ${String(patronId.length).padStart(4, '0')}`)],
  });
}

let serial = 0;

/** The kill by the staff wait: no worker at all while staff click Lost and confirm it. */
const lostWait: Scenario = {
  group: 'worker crash',
  name: 'Lost wait: no worker while staff click Lost and confirm',
  quick: true,
  run: async (lab) => {
    const n = ++serial;
    const patronId = `crash.${n}`;
    const barcode = `510000${String(n).padStart(5, '0')}`;
    return [
      await relinkRun(lab, {
        group: 'worker crash',
        scenario: lostWait.name,
        patronId,
        barcodes: [barcode],
        fixtures: { users: [richPatron(patronId)], items: [item(barcode)] },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          await l.killWorkers();
          await l.staffDeclaresLost(workflowId, patronId);
          await sleep(1_000);
          await l.startWorker();
        },
      }),
    ];
  },
};

export function workerCrashScenarios(repeat = 1): Scenario[] {
  const scenarios: Scenario[] = KILL_POINTS.map((point) => ({
    group: 'worker crash',
    name: point.name,
    quick: point.quick,
    run: async (lab) => {
      const records = [];
      for (let r = 0; r < repeat; r++) {
        const n = ++serial;
        const patronId = `crash.${n}`;
        const barcode = `510000${String(n).padStart(5, '0')}`;
        const { itemPid, mmsId } = itemIds(barcode);
        const ids: Ids = { patronId, barcode, itemPid, mmsId };
        const kills = point.at(ids);
        records.push(
          await relinkRun(lab, {
            group: 'worker crash',
            scenario: point.name,
            patronId,
            barcodes: [barcode],
            fixtures: {
              users: [richPatron(patronId)],
              items: [item(barcode, { requested: point.ownRequest })],
              requests: point.ownRequest ? [holdRequest(`85100${String(n).padStart(8, '0')}`, patronId, barcode)] : [],
            },
            expect: (e) =>
              completedAndRestored(e) &&
              (!point.proof ||
                point.proof(
                  (e.result?.audit ?? []).map((a) => a.message),
                  lab.sim.calls(),
                  ids,
                )),
            during: async (l) => {
              // The first hold is armed here, before the relink's first call can reach Alma.
              let hold: Hold | undefined = new Hold(l, kills[0]!.call, kills[0]!.mode);
              for (let k = 0; k < kills.length; k++) {
                await hold!.reached();
                await l.killWorkers();
                await hold!.settle();
                const next = kills[k + 1];
                hold = next ? new Hold(l, next.call, next.mode) : undefined;
                await l.startWorker();
              }
            },
          }),
        );
      }
      return records;
    },
  }));
  scenarios.splice(12, 0, lostWait);
  return scenarios;
}
