// People and late writes: others change the patron's record while a relink holds it — staff correct the patron's
// own address or delete the holding entry during the Lost wait, a SIS load makes the patron's own email preferred
// again between the swap and the loan — and Alma applies a swap PUT 75 s late, after the relink was cancelled and
// had restored. The patron must still hear nothing, end with their own details (with staff's edit kept), and a
// restore that cannot honour its plan must say so without naming an address.
import type { SimNotice } from '../../src/alma-sim';
import { HOLDING_EMAIL, item, itemIds } from '../../src/alma-sim/builders';
import { LETTERS } from '../../src/alma-sim';
import { RELINK_DEFAULTS, type RestoreRecheckResult } from '../../src/contract';
import { sleep, type ChaosLab, type Ending } from '../lab';
import { Hold, re, relinkRun, type RelinkRunSpec, type Scenario } from '../scenario';
import { richPatron } from './worker-crash';

type AnyRecord = Record<string, any>;

let serial = 0;

function ids() {
  const n = ++serial;
  const patronId = `people.${n}`;
  const barcode = `560000${String(n).padStart(5, '0')}`;
  return { n, patronId, barcode, itemPid: itemIds(barcode).itemPid, own: `${patronId}@example.edu` };
}
type Ids = ReturnType<typeof ids>;

const GROUP = 'people & late writes' as const;
/** The production step timeout: the scenarios below are about time (a held scan-in, a write held past a step). */
const STEP = RELINK_DEFAULTS.stepTimeout;

const isHolding = (e: AnyRecord) => e.email_address === HOLDING_EMAIL;
const emailsOf = (u: AnyRecord): AnyRecord[] => (u.contact_info?.email ?? []) as AnyRecord[];
const phonesOf = (u: AnyRecord): AnyRecord[] => (u.contact_info?.phone ?? []) as AnyRecord[];

/** The relink's audit says it found the swap undone and made it again. */
const reswapped = (audit: Array<{ message: string }>) => audit.some((a) => /swap had been undone/.test(a.message));

/** Letters of one kind to the patron, by email. */
const lettersOf = (notices: SimNotice[], patronId: string, letter: string) =>
  notices.filter((n) => n.user_id === patronId && n.letter === letter && n.channel === 'email');

/** Waits (at most `timeoutMs`) until the relink's audit says it swapped again; false when it never did. */
async function waitForReswap(lab: ChaosLab, workflowId: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const p = await lab.progress(workflowId);
    if (p && reswapped(p.audit)) return true;
    await sleep(250);
  }
  return false;
}

async function peopleRun(
  lab: ChaosLab,
  name: string,
  spec: (i: Ids, problems: string[]) => Omit<RelinkRunSpec, 'group' | 'scenario' | 'patronId' | 'barcodes'>,
) {
  const i = ids();
  const problems: string[] = [];
  const s = spec(i, problems);
  return [
    await relinkRun(lab, {
      group: GROUP,
      scenario: name,
      patronId: i.patronId,
      barcodes: [i.barcode],
      ...s,
      // What the chaos action found on its way is reported with the scenario's own checks.
      afterEnding: async (l, ending, workflowId) => [
        ...problems,
        ...((await s.afterEnding?.(l, ending, workflowId)) ?? []),
      ],
    }),
  ];
}

export function peopleScenarios(): Scenario[] {
  const list: Array<Omit<Scenario, 'group' | 'run'> & { spec: Parameters<typeof peopleRun>[2] }> = [
    {
      name: "staff correct the patron's own address during the Lost wait",
      quick: true,
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          // In the user editor the original entry is not preferred (the holding address is): staff fix a typo.
          await l.editPatron(i.patronId, (u) => {
            const own = emailsOf(u).find((e) => e.email_address === i.own)!;
            own.email_address = `${i.patronId}.corrected@example.edu`;
          });
          await l.staffDeclaresLost(workflowId, i.patronId);
        },
        // Staff's correction stays, on the entry as they left it (not preferred): the relink cannot tell that the
        // corrected address is still the patron's, so it leaves the choice of preferred email to staff and says so.
        keptEdit: (u) => {
          const own = emailsOf(u).find((e) => e.email_address === i.own)!;
          own.email_address = `${i.patronId}.corrected@example.edu`;
          own.preferred = false;
        },
        // Needs attention, saying what to check and naming no address or number (the text reaches logs).
        expect: (e: Ending) =>
          e.outcome === 'needs-attention' &&
          !!e.result?.emailRestored &&
          !e.result.emailVerified &&
          /original preferred email.*no longer on the record/.test(e.message ?? '') &&
          !/@/.test(e.message ?? '') &&
          !phonesOf(richPatron(i.patronId)).some((p) => (e.message ?? '').includes(String(p.phone_number))),
      }),
    },
    {
      name: 'staff delete the holding entry during the Lost wait',
      quick: true,
      spec: (i, problems) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        during: async (l, workflowId) => {
          await l.waitForAwaiting(workflowId, 'lost-declaration');
          await l.editPatron(i.patronId, (u) => {
            u.contact_info!.email = emailsOf(u).filter((e) => !isHolding(e)) as never;
          });
          // The swap is trusted for 10 s after it was verified; the next Lost poll after that must swap again.
          if (!(await waitForReswap(l, workflowId, 30_000)))
            problems.push('the holding entry was not added again within 30 s of its deletion');
          await l.staffDeclaresLost(workflowId, i.patronId);
        },
        afterEnding: async (l) => {
          const lost = lettersOf(l.sim.notices(), i.patronId, LETTERS.lostLoan);
          return lost.length === 1 && lost[0]!.address === HOLDING_EMAIL
            ? []
            : [`the Lost Loan letter went to ${JSON.stringify(lost.map((n) => n.address))}, not the holding address`];
        },
      }),
    },
    {
      name: 'a SIS load makes the own email preferred and SMS on again between the swap and the loan',
      quick: true,
      spec: (i) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        input: { stepTimeout: STEP },
        during: async (l) => {
          // The scan-in is held 12 s, so the swap is past its 10 s of trust when the loan comes; the SIS load lands
          // meanwhile. Its writes are the patron's own flags, exactly as they were before the relink.
          const hold = new Hold(l, { method: 'POST', path: `/items/${i.itemPid}\\?.*op=scan` }, 'held', 12_000);
          await hold.reached();
          await l.editPatron(i.patronId, (u) => {
            for (const e of emailsOf(u)) e.preferred = e.email_address === i.own;
            for (const p of phonesOf(u)) p.preferred_sms = true;
          });
          await hold.settle();
        },
        afterEnding: async (l, _ending, workflowId) => {
          const receipts = lettersOf(l.sim.notices(), i.patronId, LETTERS.loanReceipt);
          const problems =
            receipts.length === 1 && receipts[0]!.address === HOLDING_EMAIL
              ? []
              : [`the loan receipt went to ${JSON.stringify(receipts.map((n) => n.address))}, not the holding address`];
          if (!reswapped(await l.audit(workflowId))) problems.push('the audit does not say the swap was made again');
          return problems;
        },
        timeoutMs: 120_000,
      }),
    },
    {
      name: 'the swap PUT applied by Alma 75 s late, after a cancel (1-minute step timeout)',
      spec: (i, problems) => ({
        fixtures: { users: [richPatron(i.patronId)], items: [item(i.barcode)] },
        staff: false,
        // The production step timeout, and a follow-up read that lands after the late write (75 s).
        input: { stepTimeout: STEP, restoreRecheck: '90 seconds' },
        during: async (l, workflowId) => {
          const hold = new Hold(l, { method: 'PUT', path: `/users/${re(i.patronId)}(\\?|$)` }, 'held', 75_000);
          await hold.reached();
          await l.relinks.cancel(workflowId);
          // The relink gives up on the call, restores and closes; Alma applies the held PUT after all.
          await hold.settle();
          const user = l.sim.state().users.find((u) => u.primary_id === i.patronId)!;
          if (!emailsOf(user).some(isHolding))
            problems.push('the held swap PUT did not bring the holding address back: the late write never landed');
        },
        expect: (e) => e.outcome === 'cancelled',
        afterEnding: async (l, _ending, workflowId) => {
          const link = (await l.audit(workflowId)).find((a) => a.almaIds?.recheckWorkflowId);
          const recheckId = link?.almaIds?.recheckWorkflowId;
          if (!recheckId) return ['the audit names no follow-up (recheckRestore) that reads the record again'];
          const result = await l.closedResult<RestoreRecheckResult>(recheckId, 150_000);
          if (!result) return [`the follow-up ${recheckId} did not end within 150 s`];
          return result.outcome === 'restored-again'
            ? []
            : [`the follow-up ended ${result.outcome}, although the late write had brought the holding address back`];
        },
        timeoutMs: 150_000,
      }),
    },
  ];
  return list.map(({ spec, ...s }) => ({ ...s, group: GROUP, run: (lab) => peopleRun(lab, s.name, spec) }));
}
