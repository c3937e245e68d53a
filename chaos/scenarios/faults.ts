// Alma faults, all at once, on a batch of relinks running side by side on two workers: slow answers, 5xx, 429
// PER_SECOND_THRESHOLD (random and a real per-second limit below the workers' own pace), writes applied whose answer
// is a 500, and the daily quota running out (429 DAILY_THRESHOLD, not retryable: the relinks it hits fail, and
// their email must still be restored once the quota is back).
import type { SimFaults } from '../../src/alma-sim';
import { relinkWorkflowId } from '../../src/contract';
import {
  email,
  fixturesWith,
  holdRequest,
  item,
  patron,
  phone,
  type ItemRecord,
  type RequestRecord,
  type UserRecord,
} from '../../src/alma-sim/builders';
import { baselineOf, checkInvariants } from '../invariants';
import { sleep, type ChaosLab } from '../lab';
import { chaosInput, completedAndRestored, describeEnding, type RunRecord, type Scenario } from '../scenario';
import { richPatron } from './worker-crash';

export const BATCH_FAULTS: SimFaults = {
  latencyMs: 20,
  errorRate: 0.05,
  rate429: 0.03,
  perSecondLimit: 25,
  applyThenFailRate: 0.2,
};

/** How long the daily quota stays exhausted before it "returns" (a new day, in seconds). */
const QUOTA_OUTAGE_MS = 5_000;

/** Patrons of four kinds: one email; two emails and SMS; no email but SMS; an email and two phones, one with SMS. */
function batchPatron(k: number, patronId: string): UserRecord {
  switch (k % 4) {
    case 0:
      return patron(patronId);
    case 1:
      return richPatron(patronId);
    case 2:
      return patron(patronId, { emails: [], phones: [phone(`+1 555 2${String(k).padStart(3, '0')}`)] });
    default:
      return patron(patronId, {
        emails: [email(`${patronId}@example.edu`)],
        phones: [
          phone(`+1 555 3${String(k).padStart(3, '0')}`, { preferred: false }),
          phone(`+1 555 4${String(k).padStart(3, '0')}`),
        ],
      });
  }
}

interface BatchRelink {
  patronId: string;
  barcodes: string[];
}

export function faultScenarios(relinks: number): Scenario[] {
  const name = `${relinks} relinks at once on 2 workers, every Alma fault on`;
  return [
    {
      group: 'alma faults',
      name,
      quick: true,
      run: (lab) => faultBatch(lab, name, relinks),
    },
  ];
}

async function faultBatch(lab: ChaosLab, name: string, count: number): Promise<RunRecord[]> {
  const started = Date.now();
  const batch: BatchRelink[] = [];
  const users: UserRecord[] = [];
  const items: ItemRecord[] = [];
  const requests: RequestRecord[] = [];
  for (let k = 0; k < count; k++) {
    const patronId = `fault.${k + 1}`;
    const barcodes = Array.from({ length: k % 5 === 4 ? 2 : 1 }, (_, j) => `53${String(k + 1).padStart(6, '0')}${j}00`);
    users.push(batchPatron(k, patronId));
    for (const b of barcodes) items.push(item(b, { requested: k % 7 === 3 }));
    if (k % 7 === 3) requests.push(holdRequest(`8530${String(k + 1).padStart(9, '0')}`, patronId, barcodes[0]!));
    batch.push({ patronId, barcodes });
  }
  lab.resetAlma(fixturesWith({ users, items, requests }));
  const state = lab.sim.state();
  const baselines = batch.map((b) => baselineOf(state, b.patronId, b.barcodes));

  // Two workers whose own pace (15/s each) is above Alma's limit (25/s): the per-second threshold is really hit.
  await Promise.all(lab.running().map((w) => w.stop()));
  await Promise.all([lab.startWorker({ rateLimit: 15 }), lab.startWorker({ rateLimit: 15 })]);

  lab.setFaults(BATCH_FAULTS);
  const relinks = new Map(batch.map((b) => [relinkWorkflowId(b.patronId), b.patronId]));
  const desk = lab.staffDesk(relinks, { intervalMs: 1_000 });
  let closed = 0;
  let watching = true;
  // The daily quota runs out once most relinks have closed, so it hits the ones still running, and comes back
  // a few seconds later.
  const quota = (async () => {
    while (watching && closed < count * 0.8) await sleep(100);
    if (!watching) return;
    lab.setFaults({ ...BATCH_FAULTS, dailyRemaining: 5 });
    while (watching && (lab.sim.faults().dailyRemaining ?? 1) > 0) await sleep(50);
    if (!watching) return;
    // Staff do not click Lost while Alma refuses every call: a relink failing meanwhile restores the email first.
    desk.pause(true);
    lab.log(
      `  daily quota exhausted with ${count - closed} relinks running; it returns in ${QUOTA_OUTAGE_MS / 1000} s`,
    );
    await sleep(QUOTA_OUTAGE_MS);
    lab.setFaults(BATCH_FAULTS);
    await sleep(3_000);
    desk.pause(false);
  })();

  try {
    for (const b of batch) {
      await lab.relinks.start(
        chaosInput(b.patronId, b.barcodes, {
          lostPollInitial: '1 second',
          lostPollMax: '5 seconds',
        }),
      );
      await sleep(200);
    }
    const endings = await Promise.all(
      batch.map((b) => lab.ending(relinkWorkflowId(b.patronId), 300_000).finally(() => closed++)),
    );
    watching = false;
    // The workers' last reading of the day's count is below the floor: they refuse forward calls until a probe after
    // ALMA_QUOTA_RECHECK (production 5 minutes; the 'quota, outage & cap' group proves that probe). The scenarios
    // after this one start fresh workers rather than wait those 5 minutes.
    const workers = lab.running().length;
    await lab.killWorkers();
    await lab.ensureWorkers(workers);
    await quota;
    await desk.stop();
    lab.setFaults({});
    const injected = new Map<string, number>();
    for (const c of lab.sim.calls()) if (c.fault) injected.set(c.fault, (injected.get(c.fault) ?? 0) + 1);
    lab.log(`  faults injected: ${[...injected].map(([f, n]) => `${f} ${n}`).join(', ')}`);

    const after = lab.sim.state();
    const notices = lab.sim.notices();
    const seconds = (Date.now() - started) / 1000 / count;
    const records: RunRecord[] = [];
    for (const [k, b] of batch.entries()) {
      const workflowId = relinkWorkflowId(b.patronId);
      const ending = endings[k]!;
      if (ending.outcome === 'still-running') await lab.terminate(workflowId);
      const loaned = ending.outcome === 'still-running' ? [] : await lab.loanedBarcodes(workflowId);
      const violations = checkInvariants(baselines[k]!, after, notices, {
        loaned,
        declaredLost: b.barcodes.filter((x) => lab.declaredLost.has(x)),
      });
      records.push({
        group: 'alma faults',
        scenario: name,
        outcome: ending.outcome === 'still-running' ? 'timed out' : describeEnding(ending),
        // The daily threshold is not retryable: a relink it hits fails, and only that failure is expected.
        outcomeOk:
          completedAndRestored(ending) || (ending.outcome === 'failed' && ending.failureType === 'AlmaDailyLimit'),
        violations,
        seconds,
        workflowId,
        note:
          `${BATCH_FAULTS.latencyMs} ms latency, ${BATCH_FAULTS.errorRate! * 100}% 5xx, ${BATCH_FAULTS.rate429! * 100}% 429 ` +
          `and a ${BATCH_FAULTS.perSecondLimit}/s limit (workers 15/s each), ${BATCH_FAULTS.applyThenFailRate! * 100}% of ` +
          `writes applied then answered 500, the daily quota out for ${QUOTA_OUTAGE_MS / 1000} s once 80% had closed; ` +
          `calls answered by a fault: ${[...injected].map(([f, n]) => `${f} ${n}`).join(', ')}`,
      });
    }
    return records;
  } finally {
    watching = false;
    await quota;
    await desk.stop();
    lab.setFaults({});
  }
}
