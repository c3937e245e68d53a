// Lost without a click (RELINK_LOST_MODE=overdue-job) under worker kills: the worker dies while Alma applies the
// due-date change (the answer is never heard), and no worker runs while Alma's Overdue and Lost Loan job declares
// the loan Lost. A new worker must find the change made (no second PUT), find the loan Lost with no click, and
// restore; every letter of the job must reach the holding address (the invariants check every letter). And a person
// in Alma: staff delete the holding entry while the relink waits for the job; the relink's re-read of the swap puts
// it back before the job runs, so the job's Lost letter still reaches the holding address.
import type { AlmaUser } from '../../src/alma';
import { HOLDING_EMAIL, item } from '../../src/alma-sim/builders';
import { sleep, type ChaosLab } from '../lab';
import { Hold, re, relinkRun, type Scenario } from '../scenario';
import { richPatron } from './worker-crash';

let serial = 0;

/** One relink's patron and item, and the run's spec parts both scenarios share (no staff member: the job acts). */
function byJobRun(group: Scenario['group'], scenario: string) {
  const n = ++serial;
  const patronId = `byjob.${n}`;
  const barcode = `560000${String(n).padStart(5, '0')}`;
  return {
    patronId,
    barcode,
    spec: {
      group,
      scenario,
      patronId,
      barcodes: [barcode],
      fixtures: { users: [richPatron(patronId)], items: [item(barcode)] },
      staff: false,
    },
  };
}

/** Alma's job, on the library's own profile: for the invariants, the loans it declares Lost were meant to be. */
function runOverdueAndLostJob(l: ChaosLab): void {
  const run = l.sim.runJob('overdue-and-lost');
  for (const loanId of run.markedLost) {
    const loan = l.sim.state().loans.find((x) => x.loan_id === loanId);
    if (loan?.item_barcode) l.declaredLost.add(loan.item_barcode);
  }
}

const killedAroundTheJob: Scenario = {
  group: 'worker crash',
  name: 'overdue-job Lost mode: killed during the due-date PUT, no worker while the job declares it Lost',
  quick: true,
  run: async (lab) => {
    const { patronId, spec } = byJobRun('worker crash', killedAroundTheJob.name);
    return [
      await relinkRun(lab, {
        ...spec,
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
          runOverdueAndLostJob(l);
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

const holdingEntryDeleted: Scenario = {
  group: 'people & late writes',
  name: "overdue-job Lost mode: staff delete the holding entry while the relink waits for Alma's job",
  quick: true,
  run: async (lab) => {
    const { patronId, spec } = byJobRun('people & late writes', holdingEntryDeleted.name);
    const problems: string[] = [];
    return [
      await relinkRun(lab, {
        ...spec,
        input: {
          lostMode: 'overdue-job',
          lostAfterOverdue: '1 second',
          lostJobAt: '40 seconds',
          dueDateLead: '5 seconds',
          // The swap is read again every lostPollMax of the wait (30 minutes in production; the job runs at night).
          lostPollMax: '5 seconds',
        },
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-job');
          await l.editPatron(patronId, (u: AlmaUser) => {
            u.contact_info!.email = (u.contact_info?.email ?? []).filter(
              (e) => e.email_address !== HOLDING_EMAIL,
            ) as never;
          });
          const deadline = Date.now() + 30_000;
          let back = false;
          while (!back && Date.now() < deadline) {
            await sleep(250);
            const p = await l.progress(workflowId);
            back = !!p?.audit.some((a) => /swap had been undone/.test(a.message));
          }
          if (!back) problems.push('the holding entry was not added again within 30 s of its deletion');
          await sleep(2_000); // past the due date and the job's threshold
          runOverdueAndLostJob(l);
        },
        afterEnding: async (l) => {
          const lost = l.sim
            .notices()
            .filter(
              (x) => x.user_id === patronId && x.letter === 'FulOverdueAndLostLoanLetter' && x.channel === 'email',
            );
          return [
            ...problems,
            ...(lost.length === 1 && lost[0]!.address === HOLDING_EMAIL
              ? []
              : [
                  `the job's Lost letter went to ${JSON.stringify(lost.map((x) => x.address))}, not the holding address`,
                ]),
          ];
        },
        expect: (e) => e.outcome === 'completed' && !!e.result?.emailVerified,
        timeoutMs: 120_000,
      }),
    ];
  },
};

export function lostByJobScenarios(): Scenario[] {
  return [killedAroundTheJob, holdingEntryDeleted];
}
