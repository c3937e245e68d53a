// Lost without a click (RELINK_LOST_MODE=overdue-job) under worker kills: the worker dies while Alma applies the
// due-date change (the answer is never heard), and no worker runs while Alma's Overdue and Lost Loan job declares
// the loan Lost. A new worker must find the change made (no second PUT), find the loan Lost with no click, and
// restore; every letter of the job must reach the holding address (the invariants check every letter).
import { item } from '../../src/alma-sim/builders';
import { sleep } from '../lab';
import { Hold, re, relinkRun, type Scenario } from '../scenario';
import { richPatron } from './worker-crash';

let serial = 0;

const killedAroundTheJob: Scenario = {
  group: 'worker crash',
  name: 'overdue-job Lost mode: killed during the due-date PUT, no worker while the job declares it Lost',
  quick: true,
  run: async (lab) => {
    const n = ++serial;
    const patronId = `byjob.${n}`;
    const barcode = `560000${String(n).padStart(5, '0')}`;
    return [
      await relinkRun(lab, {
        group: 'worker crash',
        scenario: killedAroundTheJob.name,
        patronId,
        barcodes: [barcode],
        fixtures: { users: [richPatron(patronId)], items: [item(barcode)] },
        // No staff member: nobody clicks Lost; the job must do it.
        staff: false,
        input: {
          lostMode: 'overdue-job',
          lostAfterOverdue: '1 second',
          lostJobAt: '12 seconds',
          dueDateLead: '5 seconds', // longer than the hold: Alma applies the held PUT before its date is past
        },
        during: async (l, workflowId) => {
          const put = { method: 'PUT', path: `/users/${re(patronId)}/loans/\\d+` };
          const hold = new Hold(l, put, 'held', 2_000);
          await hold.reached(120_000);
          await l.killWorkers();
          await hold.settle();
          await l.startWorker();
          await l.waitForAwaiting(workflowId, 'lost-job');
          await l.killWorkers();
          await sleep(3_000); // past the due date and the job's threshold
          // Alma's job, on the library's own profile: for the invariants, the loans it declares Lost were meant to be.
          const run = l.sim.runJob('overdue-and-lost');
          for (const loanId of run.markedLost) {
            const loan = l.sim.state().loans.find((x) => x.loan_id === loanId);
            if (loan?.item_barcode) l.declaredLost.add(loan.item_barcode);
          }
          await sleep(10_000); // past the relink's check, with no worker
          await l.startWorker();
        },
        afterEnding: async (l) => {
          const puts = l.sim.calls().filter((c) => c.method === 'PUT' && c.path.includes(`/users/${patronId}/loans/`));
          const problems: string[] = [];
          if (puts.length !== 1)
            problems.push(`the due date was PUT ${puts.length} times, not once: ${JSON.stringify(puts)}`);
          const loan = l.sim.state().loans.find((x) => x.user_id === patronId);
          if (loan?.process_status !== 'LOST') problems.push('the job did not leave the loan Lost');
          return problems;
        },
        expect: (e) => e.outcome === 'completed' && !!e.result?.emailVerified,
        timeoutMs: 120_000,
      }),
    ];
  },
};

export function lostByJobScenarios(): Scenario[] {
  return [killedAroundTheJob];
}
