// The simulator's moving parts in one place: the store (replaced on reset), letters, call log, faults and
// timers. The HTTP layer and the in-process helpers both work on one SimCore.
import { CallLog } from './call-log';
import { FaultEngine } from './faults';
import { parseFixtures, type Fixtures } from './fixtures';
import { JobLedger, type JobProfile } from './jobs';
import { NoticeLog, type LostLetterCode } from './notices';
import { sisFileOf, sisLoad, type SisFile, type SisLoadResult } from './sis';
import { SimStore } from './store';
import { SimWebhooks } from './webhooks';

import type { KeyPermissions } from './auth';

/** How the bib's request list shows item-level requests (AlmaSimulatorOptions.bibRequestsList). */
export type BibRequestsList = 'item-id' | 'barcode-only' | 'title-level-only';

export interface CoreOptions {
  apiKey: string;
  seed: number;
  dailyBudget: number;
  /** The institution's per-second threshold (a sandbox's 10); undefined: none. */
  perSecondLimit: number | undefined;
  strictParams: boolean;
  /** The institution's settings where Alma tenants differ (AlmaSimulatorOptions says what each means). */
  lostLetter: LostLetterCode;
  lostItemFee: number;
  lostProcessStatus: string;
  emailTypes: readonly string[];
  emailDescriptionMax: number | undefined;
  bibRequestsList: BibRequestsList;
  returnReceipt: boolean;
  acceptPastDueDate: boolean;
  /** What the API key may do in each API area (Alma's key settings); a call outside them is 400 UNAUTHORIZED. */
  keyPermissions: KeyPermissions;
  jobProfile: JobProfile;
}

export class SimCore {
  store: SimStore;
  readonly notices: NoticeLog;
  readonly calls = new CallLog();
  /** What Alma's scheduled jobs have notified already (jobs.ts). */
  readonly jobLedger = new JobLedger();
  readonly faults: FaultEngine;
  /** The SIS file a SIS load reads: the External segments the fixtures gave the External users (sis.ts). */
  private sisFile: SisFile;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Alma's webhooks to a listener, when one is configured (webhooks.ts); kept across a reset, its log cleared. */
  readonly webhooks = new SimWebhooks((ms) => this.sleep(ms));

  constructor(
    readonly options: CoreOptions,
    fixtures?: Fixtures,
  ) {
    this.store = new SimStore(parseFixtures(fixtures));
    this.sisFile = sisFileOf(this.store.users);
    this.notices = new NoticeLog(() => this.now());
    this.faults = new FaultEngine(options.seed, options.dailyBudget, options.perSecondLimit);
  }

  now(): Date {
    return new Date();
  }

  /** New state from fixtures (none: empty), and a clean slate: no letters, jobs' notes, calls or faults, PRNG reseeded. */
  reset(fixtures?: Fixtures): void {
    this.store = new SimStore(parseFixtures(fixtures));
    this.sisFile = sisFileOf(this.store.users);
    this.notices.clear();
    this.jobLedger.clear();
    this.calls.clear();
    this.faults.reset();
    this.webhooks.clear();
  }

  /** A SIS load now: the External segments of the External users (all, or those named) rebuilt from the SIS file. */
  sisLoad(only?: readonly string[]): SisLoadResult {
    const result = sisLoad(this.store.users, this.sisFile, only);
    // A SIS load is a change in the user's history tab: Alma sends a USER webhook for each record it rebuilt.
    for (const id of result.reloaded) {
      const user = this.store.findUser(id, 'primary_id');
      if (user) this.webhooks.emit('USER', 'USER_UPDATED', 'webhook_user', { user }, this.now());
    }
    return result;
  }

  /** A delay that close() can cancel, so a slow fault never holds the process open. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
