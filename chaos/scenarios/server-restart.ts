// Server restarts: the Temporal dev server is stopped (SIGTERM) or killed (SIGKILL) mid-relink and started again
// on the same SQLite file and port. Workers that stay up must reconnect by themselves; where a worker dies with the
// server, a new one is started.
import { item, itemIds } from '../../src/alma-sim/builders';
import { sleep, type ChaosLab } from '../lab';
import { Hold, re, relinkRun, type CallSpec, type RunRecord, type Scenario } from '../scenario';
import { richPatron } from './worker-crash';

let serial = 0;

function ids() {
  const n = ++serial;
  const patronId = `server.${n}`;
  const barcode = `520000${String(n).padStart(5, '0')}`;
  return { patronId, barcode, itemPid: itemIds(barcode).itemPid };
}

async function run(
  lab: ChaosLab,
  name: string,
  during: (lab: ChaosLab, workflowId: string, i: ReturnType<typeof ids>) => Promise<void>,
  staff = true,
): Promise<RunRecord[]> {
  const i = ids();
  return [
    await relinkRun(lab, {
      group: 'server restart',
      scenario: name,
      patronId: i.patronId,
      barcodes: [i.barcode],
      fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
      staff,
      during: (l, workflowId) => during(l, workflowId, i),
      timeoutMs: 120_000,
    }),
  ];
}

const loanPost = (patronId: string): CallSpec => ({ method: 'POST', path: `/users/${re(patronId)}/loans` });
const userPut = (patronId: string, nth: number): CallSpec => ({
  method: 'PUT',
  path: `/users/${re(patronId)}(\\?|$)`,
  nth,
});

export function serverRestartScenarios(): Scenario[] {
  const scenarios: Array<Omit<Scenario, 'group'>> = [
    {
      name: 'stopped (SIGTERM) during the Lost wait, started again; workers stay up',
      quick: true,
      run: (lab) =>
        run(
          lab,
          scenarios[0]!.name,
          async (l, workflowId, i) => {
            await l.waitForAwaiting(workflowId, 'lost-declaration');
            await l.server.stop();
            await sleep(2_000);
            await l.server.start();
            await l.waitForAwaiting(workflowId, 'lost-declaration');
            await l.staffDeclaresLost(workflowId, i.patronId);
          },
          false,
        ),
    },
    {
      name: 'killed (SIGKILL) while Alma applies the loan; workers stay up',
      run: (lab) =>
        run(lab, scenarios[1]!.name, async (l, _workflowId, i) => {
          // Alma applies the loan 1.5 s later; the worker's report of it meets a server that is down.
          const hold = new Hold(l, loanPost(i.patronId));
          await hold.reached();
          await l.server.kill9();
          await sleep(4_000);
          await l.server.start();
          await hold.settle();
        }),
    },
    {
      name: 'killed (SIGKILL) with the worker, mid email swap PUT',
      run: (lab) =>
        run(lab, scenarios[2]!.name, async (l, _workflowId, i) => {
          const hold = new Hold(l, userPut(i.patronId, 1));
          await hold.reached();
          await Promise.all([l.server.kill9(), l.killWorkers()]);
          await hold.settle();
          await l.server.start();
          await l.startWorker();
        }),
    },
    {
      name: 'killed (SIGKILL) while the restore PUT is in flight; workers stay up',
      run: (lab) =>
        run(lab, scenarios[3]!.name, async (l, _workflowId, i) => {
          const hold = new Hold(l, userPut(i.patronId, 2));
          await hold.reached();
          await l.server.kill9();
          await sleep(3_000);
          await l.server.start();
          await hold.settle();
        }),
    },
  ];
  return scenarios.map((s) => ({ ...s, group: 'server restart' }));
}
