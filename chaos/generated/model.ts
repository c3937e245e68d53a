// The commands of the generated chaos, as fast-check model-based commands: what staff, Alma and the machines can do
// to a running relink, each with the small model of the sequence that says when it makes sense (a review only once
// another patron's request is there, restore-now only in a quiet period after a Lost), so a shrunk sequence stays a
// meaningful one. The model changes only by the command itself, never by what the real stack answered, so a seed
// and a path replay the same commands. Each command's real effect is in world.ts; a command that finds the relink
// not where it applies (it moved on, or closed) does nothing and says so in the trace.
import fc from 'fast-check';
import type { FaultRule } from '../../src/alma-sim';
import { FLOOR, ITEMS, type Channel, type Setup, type World } from './world';

export interface Model {
  setup: Setup;
  /** Items started or joined (item 0 starts every sequence). */
  joined: Set<number>;
  /** Items another patron placed a hold on. */
  requested: Set<number>;
  /** A Lost click or Alma's Lost job came. */
  lost: boolean;
  quotaLow: boolean;
}

export const initialModel = (setup: Setup): Model => ({
  setup,
  joined: new Set([0]),
  requested: new Set(),
  lost: false,
  quotaLow: false,
});

type Cmd = fc.AsyncCommand<Model, World>;

/** A command: its name in the printed sequence, when it applies, what it does. */
function command(
  name: string,
  check: (m: Model) => boolean,
  run: (w: World) => Promise<void> | void,
  update: (m: Model) => void = () => undefined,
): Cmd {
  return {
    check,
    async run(m, w) {
      w.note(`> ${name}`);
      update(m);
      await run(w);
    },
    toString: () => name,
  };
}

const item = fc.integer({ min: 0, max: ITEMS - 1 });
const joinable = fc.integer({ min: 1, max: ITEMS - 1 });
const channel = fc.constantFrom<Channel>('cli', 'desk', 'client');

const join = fc.tuple(joinable, channel).map(([k, via]) =>
  command(
    `join(item ${k}, ${via})`,
    (m) => !m.joined.has(k),
    (w) => w.startOrJoin([k], via),
    (m) => m.joined.add(k),
  ),
);

const lostClick = fc.constant(
  command(
    'staff click Lost',
    () => true,
    (w) => w.lostClick(),
    (m) => (m.lost = true),
  ),
);

const deskReturn = item.map((k) =>
  command(
    `desk return(item ${k})`,
    (m) => m.joined.has(k),
    (w) => w.deskReturn(k),
  ),
);

const edit = fc.constantFrom('note', 'delete-holding', 'own-preferred' as const).map((kind) =>
  command(
    `edit patron(${kind})`,
    () => true,
    (w) => w.editPatron(kind),
  ),
);

const otherRequest = item.map((k) =>
  command(
    `another patron's hold(item ${k})`,
    (m) => !m.requested.has(k),
    (w) => w.otherRequest(k),
    (m) => m.requested.add(k),
  ),
);

/** Alma's bad days, for a few seconds to most of a minute, while the next commands run. */
function faultOf(
  kind: string,
  w: World,
): { rules?: FaultRule[]; errorRate?: number; applyThenFailRate?: number; latencyMs?: number } {
  const userPut = { method: 'PUT', path: `/users/${w.patronId.replace(/\./g, '\\.')}(\\?|$)` };
  switch (kind) {
    case '5xx':
      return { errorRate: 0.3 };
    case 'apply-then-error':
      return { applyThenFailRate: 0.5 };
    case 'user PUT applied then 500':
      return { rules: [{ ...userPut, action: 'apply-then-error', status: 500, times: 2 }] };
    case 'delay':
      return { latencyMs: 2_000 };
    default:
      return { rules: [{ action: 'error', status: 503, times: 1_000_000 }] };
  }
}

const fault = fc
  .tuple(
    fc.constantFrom('5xx', 'apply-then-error', 'user PUT applied then 500', 'delay', 'outage'),
    fc.integer({ min: 3, max: 40 }),
  )
  .map(([kind, seconds]) =>
    command(
      `Alma ${kind} for ${seconds} s`,
      () => true,
      (w) => w.fault(faultOf(kind, w), seconds),
    ),
  );

const quotaLow = fc.constant(
  command(
    `Alma's daily count under the floor (${FLOOR - 1000})`,
    (m) => !m.quotaLow,
    (w) => w.quotaLow(),
    (m) => (m.quotaLow = true),
  ),
);

const quotaReset = fc.constant(
  command(
    "Alma's midnight (daily count reset)",
    (m) => m.quotaLow,
    (w) => w.quotaReset(),
    (m) => (m.quotaLow = false),
  ),
);

const job = fc
  .constantFrom('overdue-and-lost', 'fines-fees-notification', 'courtesy', 'borrowing-activity' as const)
  .map((name) =>
    command(
      `Alma job ${name}`,
      () => true,
      async (w) => w.runJob(name, (await w.state()).awaiting),
      (m) => (m.lost ||= name === 'overdue-and-lost'),
    ),
  );

const killWorkers = fc.integer({ min: 0, max: 25 }).map((seconds) =>
  command(
    `kill -9 the workers (new one in ${seconds} s)`,
    () => true,
    (w) => w.killWorkers(seconds),
  ),
);

const restartServer = fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 5 })).map(([kill, seconds]) =>
  command(
    `${kill ? 'kill -9' : 'stop'} the Temporal server (${seconds} s down)`,
    () => true,
    (w) => w.restartServer(kill, seconds),
  ),
);

const wait = fc.integer({ min: 1, max: 20 }).map((seconds) =>
  command(
    `wait ${seconds} s`,
    () => true,
    () => new Promise((r) => setTimeout(r, seconds * 1000)),
  ),
);

const cancel = fc.constant(
  command(
    'relink cancel',
    () => true,
    async (w) => {
      try {
        await w.lab.relinks.cancel(w.workflowId);
        w.note('  cancel sent');
      } catch (err) {
        w.note(`  cancel refused: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    },
  ),
);

const keepLoans = fc.constant(
  command(
    'relink cancel --keep-loans',
    () => true,
    async (w) => {
      if (!(await w.awaitingOneOf(['lost-declaration', 'overdue', 'lost-job', 'return-refused'], 20_000))) return;
      const { runId } = await w.state();
      try {
        const answer = await w.lab.relinks.keepLoans(w.workflowId, 'chaos.staff');
        if (runId) w.keptRuns.add(runId);
        w.note(`  keep-loans: ${answer.split('\n')[0]}`);
      } catch (err) {
        w.note(`  keep-loans refused: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    },
  ),
);

const restoreNow = fc.constant(
  command(
    'relink restore-now',
    (m) => m.setup.quiet && m.lost,
    async (w) => {
      if (!(await w.awaitingOneOf(['quiet-period'], 30_000))) return;
      try {
        w.note(`  restore-now: ${(await w.lab.relinks.restoreNow(w.workflowId, 'chaos.staff')).split('\n')[0]}`);
      } catch (err) {
        w.note(`  restore-now refused: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    },
  ),
);

const review = fc.constantFrom('proceed', 'abort' as const).map((decision) =>
  command(
    decision === 'proceed' ? 'staff clear the queue in Alma, review proceed' : 'review abort',
    (m) => m.requested.size > 0,
    async (w) => {
      if (!(await w.awaitingOneOf(['request-review'], 20_000))) return;
      if (decision === 'proceed') await w.clearQueues();
      try {
        w.note(
          `  review: ${(await w.lab.relinks.review(w.workflowId, { decision, by: 'chaos.staff' })).split('\n')[0]}`,
        );
      } catch (err) {
        w.note(`  review refused: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    },
  ),
);

const sweep = fc.boolean().map((terminate) =>
  command(
    terminate ? 'admin terminates the relink, then relink sweep --fix' : 'relink sweep --fix',
    () => true,
    async (w) => {
      if (terminate) {
        const { running } = await w.state();
        if (running) {
          await w.lab.terminate(w.workflowId);
          w.terminated = true;
        }
        w.note(running ? '  terminated' : '  nothing running to terminate');
      }
      w.sweep();
    },
  ),
);

/** Every command; the frequent ones listed twice so a sequence of ~10 has a few of them. */
export const COMMANDS: fc.Arbitrary<Cmd>[] = [
  join,
  join,
  lostClick,
  lostClick,
  wait,
  wait,
  deskReturn,
  edit,
  otherRequest,
  fault,
  fault,
  quotaLow,
  quotaReset,
  job,
  job,
  killWorkers,
  restartServer,
  cancel,
  keepLoans,
  // The staff commands that need an earlier one (a hold, a Lost in a quiet period) are dropped when it is missing:
  // listed more often, they still come up in a sequence of ~10.
  restoreNow,
  restoreNow,
  review,
  review,
  review,
  sweep,
];

export const setupArb: fc.Arbitrary<Setup> = fc.record({
  lostMode: fc.constantFrom('staff-click', 'overdue-job' as const),
  quiet: fc.boolean(),
  startVia: channel,
});

export const describeSetup = (s: Setup) =>
  `${s.lostMode}, ${s.quiet ? 'quiet period 15 s' : 'no quiet period'}, started via ${s.startVia}`;
