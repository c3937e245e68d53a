// The real side of one generated sequence: a fresh patron and items in Alma (ids from the sequence number), the lab
// it runs on, and what the sequence did that the invariants must know (Lost declarations, kept loans, another
// patron's requests, edits staff made). Faults and worker outages run in the background, so the commands after them
// meet them; the end of the sequence lifts them, drives the relink to an end and checks the promise's invariants.
import { AlmaClient } from '../../src/alma';
import { isActiveRequest } from '../../src/alma-sim/store';
import type { SimFaults } from '../../src/alma-sim';
import { fixturesWith, HOLDING_EMAIL, item, itemIds, patron } from '../../src/alma-sim/builders';
import { progressQuery, RelinkAwaiting, relinkWorkflowId, type RelinkInput } from '../../src/contract';
import { relinkInput } from '../../src/dev/relink-input';
import { baselineOf, checkInvariants, withEdit, type Baseline } from '../invariants';
import { sleep, type ChaosLab } from '../lab';
import { relinkCli } from '../scenarios/bad-input';
import { richPatron } from '../scenarios/worker-crash';
import type { ChaosDesks } from './desk';

export type LostMode = 'staff-click' | 'overdue-job';
export type Channel = 'cli' | 'desk' | 'client';

/** What the generator chose for the whole sequence. */
export interface Setup {
  lostMode: LostMode;
  quiet: boolean;
  startVia: Channel;
}

/** Items per sequence: the first starts the relink, the others may join it. */
export const ITEMS = 3;
/** The workers' quota floor (ALMA_MIN_DAILY_REMAINING's production default, which the lab's workers keep). */
export const FLOOR = 5000;
/** The quiet period of quiet-period.ts's scenario. */
const QUIET = '15 seconds';
/** The overdue-job mode's durations, as lost-by-job.ts runs it: the due date 5 s ahead, the job's check at 12 s. */
const BY_JOB = { lostAfterOverdue: '1 second', lostJobAt: '12 seconds', dueDateLead: '5 seconds' } as const;
/** The waits a relink shows (RelinkAwaiting) while it holds the address for something still to come. */
export const WAITS = ['request-review', 'lost-declaration', 'overdue', 'quiet-period', 'return-refused', 'lost-job'];
const LOST_WAITS = ['lost-declaration', 'overdue', 'lost-job'];

/** A fault the sequence turned on, merged with the others in force. */
type FaultPart = Omit<SimFaults, 'dailyRemaining'>;

export class World {
  readonly patronId: string;
  readonly otherId: string;
  readonly barcodes: string[];
  readonly workflowId: string;
  readonly baseline: Baseline;
  /** What happened, one line per command and per thing it met: printed with a failure. */
  readonly trace: string[] = [];
  /** Runs whose loans staff chose to keep (relink cancel --keep-loans). */
  readonly keptRuns = new Set<string>();
  private edits: Array<(u: Record<string, any>) => void> = [];
  private readonly faults = new Map<number, FaultPart>();
  private faultSerial = 0;
  private readonly background: Array<Promise<unknown>> = [];
  /** Background actions not yet due, each with what settles its place in `background`. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private workersDownUntil = 0;
  /** An admin terminated a run of the relink: only `relink sweep --fix` restores after that. */
  terminated = false;
  private staffAlma?: AlmaClient;

  constructor(
    readonly lab: ChaosLab,
    readonly desks: ChaosDesks,
    readonly n: number,
    readonly setup: Setup,
  ) {
    this.patronId = `gen.${n}`;
    this.otherId = `gen.${n}.other`;
    this.barcodes = Array.from({ length: ITEMS }, (_, k) => `58${String(n).padStart(6, '0')}${k}`);
    this.workflowId = relinkWorkflowId(this.patronId);
    lab.resetAlma(
      fixturesWith({
        users: [richPatron(this.patronId), patron(this.otherId)],
        items: this.barcodes.map((b) => item(b)),
      }),
    );
    this.baseline = baselineOf(lab.sim.state(), this.patronId, this.barcodes);
  }

  note(line: string): void {
    this.trace.push(line);
    this.lab.log(`    ${line}`);
  }

  // --- starting and joining ----------------------------------------------------------------------------------------

  /** The relink's settings for this sequence's Lost mode and quiet period. */
  input(barcodes: string[]): RelinkInput {
    return relinkInput(this.patronId, barcodes, {
      ...(this.setup.quiet ? { restoreAfter: QUIET } : {}),
      ...(this.setup.lostMode === 'overdue-job' ? { lostMode: 'overdue-job', ...BY_JOB } : {}),
    });
  }

  /** The same settings for the `relink` command and the desk (the overdue-job mode's due-date lead has no setting). */
  private env(): Record<string, string> {
    return {
      ...(this.setup.quiet ? { RELINK_RESTORE_AFTER: QUIET } : {}),
      ...(this.setup.lostMode === 'overdue-job'
        ? {
            RELINK_LOST_MODE: 'overdue-job',
            RELINK_LOST_AFTER_OVERDUE: BY_JOB.lostAfterOverdue,
            RELINK_LOST_JOB_AT: BY_JOB.lostJobAt,
          }
        : {}),
    };
  }

  /**
   * Starts the patron's relink with these items, or joins its running one, the way `via` says. A new run in the
   * overdue-job mode goes through the client: its due-date lead (5 s) is an input only, and the default (2 minutes)
   * would make each sequence minutes long; a join takes the running relink's settings whichever way it comes.
   */
  async startOrJoin(indexes: number[], via: Channel): Promise<void> {
    const barcodes = indexes.map((k) => this.barcodes[k]!);
    const running = (await this.state()).running;
    const channel = !running && this.setup.lostMode === 'overdue-job' ? 'client' : via;
    try {
      if (channel === 'client') {
        const s = await this.lab.relinks.start(this.input(barcodes), { timeoutMs: 30_000 });
        this.note(`${s.joined ? 'joined' : 'started'} ${s.added.join(', ') || 'nothing new'} (client)`);
      } else if (channel === 'cli') {
        const args = ['start', '--patron', this.patronId, ...barcodes.flatMap((b) => ['--barcode', b])];
        const run = await relinkCli(this.lab, args, this.env());
        this.note(`relink start ${barcodes.join(' ')}: exit ${run.code}, ${lastLine(run.output)}`);
      } else {
        this.note(`${await this.desks.start(this.patronId, barcodes, this.env())} (${barcodes.join(', ')})`);
      }
    } catch (err) {
      this.note(`start via ${channel} refused: ${messageOf(err)}`);
    }
  }

  // --- what the relink says --------------------------------------------------------------------------------------

  /** Whether the patron's relink runs, and what it waits for (from the server alone; none: never started). */
  async state(): Promise<{ running: boolean; awaiting?: string; runId?: string }> {
    try {
      const d = await this.lab.client.workflow.getHandle(this.workflowId).describe();
      return {
        running: d.status.name === 'RUNNING',
        awaiting: d.typedSearchAttributes.get(RelinkAwaiting),
        runId: d.runId,
      };
    } catch {
      return { running: false };
    }
  }

  /** Waits (at most `ms`) until the relink awaits one of `kinds`; false when it did not (or closed). */
  async awaitingOneOf(kinds: string[], ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      const s = await this.state();
      if (s.running && s.awaiting && kinds.includes(s.awaiting)) return true;
      if (Date.now() > deadline) {
        this.note(`  not awaiting ${kinds.join('/')} (${s.running ? `awaiting ${s.awaiting}` : 'not running'})`);
        return false;
      }
      await sleep(250);
    }
  }

  // --- staff in Alma ---------------------------------------------------------------------------------------------

  /** The Lost click on every active loan of the patron not lost yet, then `relink confirm-lost`. */
  async lostClick(): Promise<void> {
    if (!(await this.awaitingOneOf(LOST_WAITS, 30_000))) return;
    const clicked = await this.lab.staffDeclaresLost(this.workflowId, this.patronId);
    this.note(`  staff clicked Lost on ${clicked} loans`);
  }

  /** A return at a desk in Alma of the item's active loan, while the relink holds the address for something. */
  async deskReturn(k: number): Promise<void> {
    const barcode = this.barcodes[k]!;
    const s = await this.state();
    const loan = this.lab.sim
      .state()
      .loans.find((l) => l.item_barcode === barcode && l.loan_status === 'ACTIVE' && l.process_status !== 'LOST');
    if (!s.running || !WAITS.includes(s.awaiting ?? '') || !loan) {
      this.note(
        `  no desk return: ${loan ? `relink ${s.running ? `awaits ${s.awaiting}` : 'not running'}` : 'no loan'}`,
      );
      return;
    }
    const r = this.lab.sim.returnItem(barcode);
    this.note(`  returned at the desk (${r.destination})`);
  }

  /** Someone else edits the patron's record in Alma's user editor; an edit the relink must keep is expected. */
  async editPatron(kind: 'note' | 'delete-holding' | 'own-preferred'): Promise<void> {
    try {
      if (kind === 'note') {
        const text = `edited by staff in sequence ${this.n} (${this.edits.length + 1})`;
        const edit = (u: Record<string, any>) => {
          u.user_note = [...(u.user_note ?? []), { ...u.user_note?.[0], note_text: text }];
        };
        await this.lab.editPatron(this.patronId, edit as never);
        this.edits.push(edit);
      } else if (kind === 'delete-holding') {
        await this.lab.editPatron(this.patronId, (u) => {
          u.contact_info!.email = (u.contact_info?.email ?? []).filter(
            (e) => e.email_address !== HOLDING_EMAIL,
          ) as never;
        });
      } else {
        // A SIS load writes the patron's own flags as they were before the relink.
        const own = `${this.patronId}@example.edu`;
        await this.lab.editPatron(this.patronId, (u) => {
          for (const e of u.contact_info?.email ?? []) e.preferred = e.email_address === own;
          for (const p of u.contact_info?.phone ?? []) p.preferred_sms = true;
        });
      }
      this.note(`  edited the patron record (${kind})`);
    } catch (err) {
      this.note(`  the edit (${kind}) failed: ${messageOf(err)}`);
    }
  }

  /** Another patron places a hold on the item in Alma. */
  async otherRequest(k: number): Promise<void> {
    this.staffAlma ??= new AlmaClient({ baseUrl: this.lab.sim.url, apiKey: this.lab.sim.apiKey, timeoutMs: 10_000 });
    try {
      const r = await this.staffAlma.createItemRequest(this.otherId, itemIds(this.barcodes[k]!).itemPid, {
        request_type: 'HOLD',
        pickup_location_type: 'LIBRARY',
        pickup_location_library: 'MAIN',
      });
      // Not the relink's: the invariant on new requests must not count it.
      if (r.request_id) this.baseline.requestIds.add(r.request_id);
      this.note(`  another patron's hold on item ${k}`);
    } catch (err) {
      this.note(`  another patron's hold on item ${k} was refused: ${messageOf(err)}`);
    }
  }

  /**
   * Staff clear the item queues in Alma before they say proceed, as the relink's instructions ask: the other
   * patron's holds on the sequence's items are cancelled (a proceed with the queue still there only reads it again).
   */
  async clearQueues(): Promise<void> {
    this.staffAlma ??= new AlmaClient({ baseUrl: this.lab.sim.url, apiKey: this.lab.sim.apiKey, timeoutMs: 10_000 });
    const holds = this.lab.sim.state().requests.filter((r) => r.user_primary_id === this.otherId && isActiveRequest(r));
    for (const r of holds) {
      try {
        await this.staffAlma.cancelRequest(this.otherId, String(r.request_id), {
          reason: 'CancelledAtPatronRequest',
          notifyUser: false,
        });
      } catch (err) {
        this.note(`  cancelling hold ${r.request_id} was refused: ${messageOf(err)}`);
      }
    }
    if (holds.length) this.note(`  staff cancelled ${holds.length} holds of the other patron in Alma`);
  }

  /**
   * One run of an Alma job, only while the relink holds the address for something (a wait): after its end, a job's
   * letter about a loan or fee reaching the patron is what the promise allows.
   */
  runJob(job: 'overdue-and-lost' | 'fines-fees-notification' | 'courtesy' | 'borrowing-activity', awaiting?: string) {
    if (!WAITS.includes(awaiting ?? '')) {
      this.note(`  no ${job} job: the relink ${awaiting ? `awaits ${awaiting}` : 'holds nothing'}`);
      return;
    }
    const run = this.lab.sim.runJob(job);
    for (const loanId of run.markedLost) {
      // The library's own profile declared it Lost: for the invariants, as a staff click.
      const loan = this.lab.sim.state().loans.find((x) => x.loan_id === loanId);
      if (loan?.item_barcode) this.lab.declaredLost.add(loan.item_barcode);
    }
    this.note(`  Alma's ${job} job: ${run.notices.length} letters, ${run.markedLost.length} loans marked Lost`);
  }

  // --- Alma faults -----------------------------------------------------------------------------------------------

  private applyFaults(): void {
    const parts = [...this.faults.values()];
    const merged: SimFaults = { dailyRemaining: this.lab.sim.faults().dailyRemaining };
    for (const p of parts) {
      const { rules, ...rest } = p;
      Object.assign(merged, rest);
      if (rules) merged.rules = [...(merged.rules ?? []), ...rules];
    }
    this.lab.setFaults(merged);
  }

  /** A fault for `seconds`, in the background: the commands after it meet it. */
  fault(part: FaultPart, seconds: number): void {
    const id = ++this.faultSerial;
    this.faults.set(id, part);
    this.applyFaults();
    this.later(seconds * 1000, () => {
      this.faults.delete(id);
      this.applyFaults();
    });
  }

  quotaLow(): void {
    this.lab.sim.resetDailyQuota(FLOOR - 1000);
  }

  quotaReset(): void {
    this.lab.sim.resetDailyQuota();
  }

  // --- processes -------------------------------------------------------------------------------------------------

  /** kill -9 of every worker; a new one starts `seconds` later, in the background. */
  async killWorkers(seconds: number): Promise<void> {
    await this.lab.killWorkers();
    this.workersDownUntil = Math.max(this.workersDownUntil, Date.now() + seconds * 1000);
    this.later(seconds * 1000, async () => {
      if (Date.now() >= this.workersDownUntil) await this.lab.ensureWorkers(1);
    });
  }

  async restartServer(kill: boolean, seconds: number): Promise<void> {
    await (kill ? this.lab.server.kill9() : this.lab.server.stop());
    await sleep(seconds * 1000);
    await this.lab.server.start();
  }

  /** `relink sweep --fix` in the background, as staff run it while other things happen. */
  sweep(): void {
    this.background.push(
      relinkCli(this.lab, ['sweep', '--fix']).then(
        (r) => this.note(`  relink sweep --fix: exit ${r.code}, ${lastLine(r.output)}`),
        (err: unknown) => this.note(`  relink sweep --fix broke: ${messageOf(err)}`),
      ),
    );
  }

  private later(ms: number, action: () => void | Promise<void>): void {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void Promise.resolve()
        .then(action)
        .catch((err: unknown) => this.note(`  background action broke: ${messageOf(err)}`))
        .finally(done);
    }, ms);
    this.timers.set(timer, done);
    this.background.push(finished);
  }

  // --- the end ---------------------------------------------------------------------------------------------------

  /**
   * Lifts what the sequence left in force (faults, a low quota, workers down), drives the relink to an end as staff
   * would — a review proceeds, a Lost wait gets its click (or Alma's job, in the overdue-job mode), a refused return
   * is made at the desk — within `ms`, and checks every invariant. Returns the violations.
   */
  async finish(ms: number): Promise<string[]> {
    // What was still to come is lifted below (faults, quota, workers) rather than waited for.
    for (const [timer, done] of this.timers) {
      clearTimeout(timer);
      done();
    }
    this.timers.clear();
    this.faults.clear();
    const low = (this.lab.sim.faults().dailyRemaining ?? FLOOR) < FLOOR;
    this.lab.setFaults({});
    if (low) {
      // Alma's midnight, and workers whose last reading is the new day's (not ALMA_QUOTA_RECHECK's 5 minutes away).
      await this.lab.killWorkers();
      this.note('end: Alma midnight (quota back), workers restarted');
    }
    await this.lab.ensureWorkers(1);
    await Promise.all(this.background);
    const deadline = Date.now() + ms;
    let last = '';
    for (;;) {
      const s = await this.state();
      if (!s.running) break;
      if (Date.now() > deadline) {
        // The invariants cannot judge a relink still running: that it never ends is the failure.
        await this.lab.terminate(this.workflowId);
        return [`the relink did not reach an end within ${ms / 1000} s of the sequence's end (awaits ${s.awaiting})`];
      }
      if (s.awaiting !== last) this.note(`end: the relink awaits ${s.awaiting}`);
      last = s.awaiting ?? '';
      await this.answer(s.awaiting);
      await sleep(500);
    }
    await Promise.all(this.background);
    if (this.terminated) {
      // A sweep under the quota floor, or while a run still held the record, may have had nothing it could do:
      // staff run it again, as its message says, once Alma and the relink are settled.
      const again = await relinkCli(this.lab, ['sweep', '--fix']);
      this.note(`end: relink sweep --fix again: exit ${again.code}, ${lastLine(again.output)}`);
    }
    const loaned = await this.loaned();
    const kept = await this.loaned([...this.keptRuns]);
    const baseline = this.edits.reduce((b, edit) => withEdit(b, edit), this.baseline);
    return [
      ...checkInvariants(baseline, this.lab.sim.state(), this.lab.sim.notices(), {
        loaned,
        declaredLost: this.barcodes.filter((b) => this.lab.declaredLost.has(b)),
        keptByStaff: kept,
      }),
    ];
  }

  private async answer(awaiting: string | undefined): Promise<void> {
    try {
      if (awaiting === 'request-review') {
        await this.clearQueues();
        await this.lab.relinks.review(this.workflowId, { decision: 'proceed', by: 'chaos.end' });
      } else if (awaiting === 'lost-job') {
        // Alma's nightly job comes (once the moved due date has passed); it declares the loans Lost.
        await sleep(2_000);
        this.runJob('overdue-and-lost', (await this.state()).awaiting);
      } else if (awaiting === 'lost-declaration' || awaiting === 'overdue')
        await this.lab.staffDeclaresLost(this.workflowId, this.patronId);
      else if (awaiting === 'return-refused') {
        for (const l of this.lab.sim.state().loans)
          if (l.user_id === this.patronId && l.loan_status === 'ACTIVE' && l.process_status !== 'LOST')
            this.lab.sim.returnItem(l.item_barcode!);
        await this.lab.relinks.confirmLost(this.workflowId, undefined, 'chaos.end');
      }
    } catch {
      // Moved on meanwhile: look again.
    }
  }

  /** Barcodes the relink's runs (every run of the patron's workflow id, or only `runIds`) report they loaned. */
  async loaned(runIds?: string[]): Promise<string[]> {
    const ids = runIds ?? (await this.runIds());
    const out = new Set<string>();
    await this.lab.ensureWorkers(1);
    for (const runId of ids) {
      for (let attempt = 0; ; attempt++) {
        try {
          const p = await this.lab.client.workflow.getHandle(this.workflowId, runId).query(progressQuery);
          for (const i of p.items) if (i.loanId) out.add(i.barcode);
          break;
        } catch (err) {
          if (attempt >= 4) throw new Error(`no progress of run ${runId}: ${messageOf(err)}`);
          await sleep(1_000);
        }
      }
    }
    return [...out];
  }

  private async runIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const w of this.lab.client.workflow.list({ query: `WorkflowId = '${this.workflowId}'` }))
      ids.push(w.runId);
    // The list is the server's visibility store, a moment behind; the current run is there at once.
    const current = (await this.state()).runId;
    if (current && !ids.includes(current)) ids.push(current);
    return ids;
  }
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);
const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).slice(-1)[0]?.slice(0, 200) ?? '';
