// The quiet period before the restore (RELINK_RESTORE_AFTER) under worker kills: no worker runs while Alma's nightly
// fines/fees job sends its letter and while the quiet period's timer fires. The job's letter about the lost-item fee
// must reach the holding address only, and a new worker must restore the patron.
import { HOLDING_EMAIL, item } from '../../src/alma-sim/builders';
import { sleep } from '../lab';
import { relinkRun, type Scenario } from '../scenario';
import { richPatron } from './worker-crash';

let serial = 0;

const timerWithoutWorker: Scenario = {
  group: 'worker crash',
  name: 'quiet period: no worker while the fines/fees job runs and the timer fires',
  run: async (lab) => {
    const n = ++serial;
    const patronId = `quiet.${n}`;
    const barcode = `520000${String(n).padStart(5, '0')}`;
    return [
      await relinkRun(lab, {
        group: 'worker crash',
        scenario: timerWithoutWorker.name,
        patronId,
        barcodes: [barcode],
        fixtures: { users: [richPatron(patronId)], items: [item(barcode)] },
        input: { restoreAfter: '15 seconds' },
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'quiet-period');
          await l.killWorkers();
          l.sim.runJob('fines-fees-notification');
          await sleep(16_000); // past the timer, with no worker
          await l.startWorker();
        },
        afterEnding: async (l) => {
          const letters = l.sim.notices().filter((x) => x.letter === 'FulFinesFeesNotificationLetter');
          return letters.length === 0
            ? ['the fines/fees job sent no letter about the lost-item fee']
            : letters.some((x) => x.channel === 'email' && x.address !== HOLDING_EMAIL)
              ? ['the fines/fees letter about the lost-item fee reached the patron']
              : [];
        },
      }),
    ];
  },
};

export function quietPeriodScenarios(): Scenario[] {
  return [timerWithoutWorker];
}
