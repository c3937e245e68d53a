// Alma's limits and the relink's own: the daily API count falling below the workers' floor (5000, the production
// default) during the Lost wait and Alma's midnight reset after it, an outage of Alma's API during the Lost wait,
// and joins up to the 30-barcode cap and one past it. The Lost check must wait out the floor without a write, forward
// work must resume after the reset, an outage must be ridden out, and a join past the cap refused without harm.
import { item, patron } from '../../src/alma-sim/builders';
import { RELINK_DEFAULTS, RelinkBarcodes } from '../../src/contract';
import { sleep, type ChaosLab } from '../lab';
import { chaosInput, relinkRun, type RunRecord, type Scenario } from '../scenario';
import { relinkCli } from './bad-input';
import { richPatron } from './worker-crash';

const GROUP = 'quota, outage & cap' as const;

/** The workers' floor: ALMA_MIN_DAILY_REMAINING's production default, which the chaos workers keep. */
const FLOOR = 5000;
/** How long a reading below the floor stands before one call refreshes it, for the quota scenario's worker. */
const QUOTA_RECHECK_S = 5;

let serial = 0;
const nextId = () => ++serial;

// --- the daily quota ---------------------------------------------------------------------------------------------

/**
 * A worker with ALMA_QUOTA_RECHECK at 5 s (production: 5 minutes) runs two relinks. The first meets the count
 * falling to 4000 (under the floor) during its Lost wait, and staff click Lost then: the Lost check is refused before
 * it is sent and tried again instead of ending the relink, until it goes out as the worker's probe once its reading
 * has expired; the Lost is confirmed and the restore goes out under the floor, the only write. Then Alma's midnight
 * (POST /_sim/quota/reset): the second relink runs through on the same worker.
 */
async function quotaRuns(lab: ChaosLab): Promise<RunRecord[]> {
  const n = nextId();
  const first = { patronId: `limits.${n}.a`, barcode: `570000${String(n).padStart(3, '0')}01` };
  const second = { patronId: `limits.${n}.b`, barcode: `570000${String(n).padStart(3, '0')}02` };
  // One worker only, with its own recheck: the reading that matters is this process's.
  await Promise.all(lab.running().map((w) => w.stop()));
  const worker = await lab.startWorker({ env: { ALMA_QUOTA_RECHECK: `${QUOTA_RECHECK_S} seconds` } });
  try {
    const records: RunRecord[] = [];
    let writesBelowFloor: string[] = [];
    let reset = 0;
    const restorePut = `PUT /almaws/v1/users/${first.patronId}`;
    records.push(
      await relinkRun(lab, {
        group: GROUP,
        scenario: `daily count falls under the floor (${FLOOR}) during the Lost wait: the Lost click is still confirmed`,
        patronId: first.patronId,
        barcodes: [first.barcode],
        fixtures: {
          users: [richPatron(first.patronId), richPatron(second.patronId)],
          items: [item(first.barcode), item(second.barcode)],
        },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          l.setFaults({ dailyRemaining: FLOOR - 1000 });
          // The worker learns the count from Alma's answers: the wait's next poll (a read) tells it.
          const told = l.sim.calls().length;
          while (l.sim.calls().length === told) await sleep(200);
          await sleep(1000);
          const from = l.sim.calls().length;
          await l.staffDeclaresLost(workflowId, first.patronId);
          // Still under the floor: the check is refused until the worker's reading expires, then goes out as its
          // one probe; the Lost is confirmed and the restore (exempt) goes out. The count stays low until it ends.
          const handle = l.client.workflow.getHandle(workflowId);
          for (let i = 0; i < 300 && (await handle.describe()).status.name === 'RUNNING'; i++) await sleep(200);
          writesBelowFloor = l.sim
            .calls()
            .slice(from)
            .filter((c) => c.method !== 'GET')
            .map((c) => `${c.method} ${c.path.replace(/\?.*/, '')}`);
          reset = await l.resetDailyQuota();
        },
        afterEnding: async () => [
          ...writesBelowFloor
            .filter((w) => w !== restorePut)
            .map((w) => `written while Alma's count was under the floor: ${w}`),
          ...(writesBelowFloor.includes(restorePut) ? [] : ['the restore did not go out under the floor']),
        ],
      }),
    );
    await sleep((QUOTA_RECHECK_S + 1) * 1000);
    const after = await relinkRun(lab, {
      group: GROUP,
      scenario: `then Alma's midnight reset: forward work resumes after ALMA_QUOTA_RECHECK (${QUOTA_RECHECK_S} s)`,
      patronId: second.patronId,
      barcodes: [second.barcode],
      fixtures: {},
      keepAlma: true,
    });
    records.push({
      ...after,
      note: `the worker ran with ALMA_QUOTA_RECHECK=${QUOTA_RECHECK_S} seconds; reset to ${reset}`,
    });
    return records;
  } finally {
    // Its reading may still be low: the next scenarios get fresh workers.
    await worker.stop();
  }
}

// --- an outage ---------------------------------------------------------------------------------------------------

/**
 * Alma's API answers 503 to every call for `minutes` while the relink waits for the Lost click, from 12 s into the
 * wait (polls of 1-5 s, the production step timeout). The staff member's click, made in Alma's UI as the outage starts, is confirmed once the
 * API is back. The old forward policy gave up after 30 attempts (~25 minutes): only an outage that long tells it
 * apart (`--outage-minutes 30`); test/relink/lost-wait.test.ts checks the retry policy itself.
 */
function outageScenario(minutes: number): Scenario {
  const name = `Alma's API answers 503 for ${minutes} min during the Lost wait`;
  return {
    group: GROUP,
    name,
    run: async (lab) => {
      const n = nextId();
      const patronId = `limits.${n}`;
      const barcode = `570000${String(n).padStart(3, '0')}01`;
      let outageCalls = 0;
      const record = await relinkRun(lab, {
        group: GROUP,
        scenario: name,
        patronId,
        barcodes: [barcode],
        fixtures: { users: [richPatron(patronId)], items: [item(barcode)] },
        input: { stepTimeout: RELINK_DEFAULTS.stepTimeout, lostPollInitial: '1 second', lostPollMax: '5 seconds' },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          // Past the swap's 10 s of trust, so each Lost poll reads the swap again (recheckSwap) before the Lost
          // check: the outage meets both.
          await sleep(12_000);
          const from = l.sim.calls().length;
          l.setFaults({ rules: [{ action: 'error', status: 503, times: 1_000_000 }] });
          await l.staffDeclaresLost(workflowId, patronId);
          await sleep(minutes * 60_000);
          l.clearFaults();
          outageCalls = l.sim
            .calls()
            .slice(from)
            .filter((c) => c.status === 503).length;
        },
        timeoutMs: (minutes + 5) * 60_000,
      });
      return [{ ...record, note: `${outageCalls} calls answered 503 during the outage, then Alma was back` }];
    },
  };
}

// --- the barcode cap ---------------------------------------------------------------------------------------------

const CAP = 30;

/** A 50-character barcode (the longest allowed) whose last 8 digits name its item. */
const longBarcode = (n: number, k: number) => {
  const tail = `57${String(n).padStart(3, '0')}${String(k).padStart(3, '0')}`;
  return `LONG-${'0'.repeat(50 - 5 - tail.length)}${tail}`;
};

/** How many barcodes the relink's RelinkBarcodes holds, once it holds `expected` (or after 10 s, whatever it holds). */
async function barcodesPublished(lab: ChaosLab, workflowId: string, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const d = await lab.client.workflow.getHandle(workflowId).describe();
    const held = (d.typedSearchAttributes.get(RelinkBarcodes) ?? []).length;
    if (held === expected || Date.now() > deadline) return held;
    await sleep(250);
  }
}

function capScenario(): Scenario {
  const name = `joins up to the cap (${CAP} barcodes of 50 characters), then one past it`;
  return {
    group: GROUP,
    name,
    quick: true,
    run: async (lab) => {
      const n = nextId();
      const patronId = `limits.${n}`;
      const barcodes = Array.from({ length: CAP + 1 }, (_, k) => longBarcode(n, k + 1));
      const problems: string[] = [];
      const record = await relinkRun(lab, {
        group: GROUP,
        scenario: name,
        patronId,
        barcodes,
        startWith: barcodes.slice(0, 10),
        fixtures: { users: [patron(patronId)], items: barcodes.map((b) => item(b)) },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration', 120_000);
          for (const batch of [barcodes.slice(10, 20), barcodes.slice(20, CAP)]) {
            const joined = await l.relinks.start(chaosInput(patronId, batch));
            if (joined.added.length !== batch.length)
              problems.push(`a join added ${joined.added.length} of ${batch.length}`);
          }
          try {
            await l.relinks.start(chaosInput(patronId, [barcodes[CAP]!]));
            problems.push(`the join of barcode ${CAP + 1} was accepted`);
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            if (!/at most 30/.test(message)) problems.push(`the join past the cap was refused unclearly: ${message}`);
          }
          const { running } = await l.awaiting(workflowId);
          if (!running) problems.push('the relink closed after the refused join');
          // Staff click Lost once every joined item is on loan.
          const deadline = Date.now() + 120_000;
          for (;;) {
            const p = await l.progress(workflowId);
            const loaned = p?.items.filter((x) => x.loanId).length ?? 0;
            if (p && p.awaiting === 'lost-declaration' && loaned === p.items.length) break;
            if (Date.now() > deadline) throw new Error(`only ${loaned} items loaned after 120 s`);
            await sleep(500);
          }
          // The joins' barcodes are published when the relink takes them up: by now, every one of them.
          const held = await barcodesPublished(l, workflowId, CAP);
          if (held !== CAP) problems.push(`RelinkBarcodes holds ${held} barcodes, not ${CAP}`);
          await l.staffDeclaresLost(workflowId, patronId);
        },
        afterEnding: () => Promise.resolve(problems),
        timeoutMs: 240_000,
      });
      return [record];
    },
  };
}

export function limitScenarios(outageMinutes = 3): Scenario[] {
  return [
    { group: GROUP, name: 'daily quota under the floor, then reset', quick: true, run: quotaRuns },
    outageScenario(outageMinutes),
    capScenario(),
    terminateThenSweep(),
  ];
}

// --- what the workflow cannot guard --------------------------------------------------------------------------------

/**
 * An admin terminates a relink in its Lost wait (the Web UI's Terminate, or `temporal workflow terminate`): no
 * restore runs, and the patron keeps the holding address and an active loan. Staff then run `relink sweep --fix`, which
 * must find the patron by the holding address, see that no relink runs for them, return the loan the relink's history
 * names while the holding address is in place, and restore the record from that history.
 */
function terminateThenSweep(): Scenario {
  const name = 'terminated in the Lost wait (no restore), then relink sweep --fix';
  return {
    group: GROUP,
    name,
    quick: true,
    run: async (lab) => {
      const patronId = `limits.${nextId()}`;
      const barcode = longBarcode(serial, 1);
      const record = await relinkRun(lab, {
        group: GROUP,
        scenario: name,
        patronId,
        barcodes: [barcode],
        fixtures: { users: [richPatron(patronId)], items: [item(barcode)] },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration', 120_000);
          await l.terminate(workflowId);
        },
        expect: (ending) => ending.outcome === 'terminated',
        afterEnding: async (l) => {
          const run = await relinkCli(l, ['sweep', '--fix']);
          const problems: string[] = [];
          if (run.code !== 0) problems.push(`relink sweep --fix exited ${run.code}: ${run.output.trim().slice(-400)}`);
          if (!new RegExp(`${patronId.replace('.', '\\.')}.*restored`).test(run.output))
            problems.push(`relink sweep --fix does not report ${patronId} restored`);
          return problems;
        },
        timeoutMs: 180_000,
      });
      return [record];
    },
  };
}
