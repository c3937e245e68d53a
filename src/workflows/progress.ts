// The relink's visible state: what the progress query returns and what the search attributes mirror, so staff
// (CLI) and admins (Web UI) see the same step, the same awaited action and the same audit trail.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { RelinkAwaiting, RelinkBarcodes, RelinkOutcome, RelinkPatronId, RelinkStep } from '../contract';
import { AWAITING_WORDS, instructionsText, type StaffInstructions } from '../contract';
import type {
  AuditEntry,
  Awaiting,
  ContactState,
  ItemProgress,
  Outcome,
  RelinkProgress,
  RelinkStepName,
} from '../contract';

export class RelinkTracker {
  step: RelinkStepName = 'preflight';
  awaiting: Awaiting = 'none';
  awaitingSteps?: StaffInstructions;
  readonly items = new Map<string, ItemProgress>();
  readonly contact: ContactState = { swapped: false, restored: false, verified: false };
  readonly audit: AuditEntry[] = [];
  outcome?: Outcome;
  reason?: string;
  /** Alma's webhooks reach the relink (RelinkInput.webhooks): said in the progress, for the staff tools' words. */
  webhooks = false;
  /** How a run without an outcome ended: a failure or a cancel (stoppedBy). */
  endedBy?: 'failed' | 'cancelled';

  /** Search attribute changes not yet written, by name (coalescing only): `publish` writes them. */
  private readonly unpublished = new Map<string, SearchAttributeUpdatePair>();

  /**
   * `coalesce` (relinks started since the change; histories from before it replay without): the search attributes
   * are written once where the relink next waits on the server (an activity, a condition, its end), not once per
   * change, and not at start when the starter set them already. Each write is a history event and a visibility
   * update on the server; what admins see while a relink waits is the same.
   */
  constructor(
    readonly workflowId: string,
    readonly patronId: string,
    barcodes: string[],
    private readonly coalesce = false,
  ) {
    for (const barcode of barcodes) this.items.set(barcode, { barcode, phase: 'pending', lostConfirmed: false });
    const set = workflowInfo().typedSearchAttributes;
    const startedWithThem =
      set.get(RelinkPatronId) === patronId &&
      set.get(RelinkBarcodes)?.join('\n') === barcodes.join('\n') &&
      set.get(RelinkStep) === this.step &&
      set.get(RelinkAwaiting) === this.awaiting;
    if (coalesce && startedWithThem) return;
    this.change(
      { key: RelinkPatronId, value: patronId },
      { key: RelinkBarcodes, value: barcodes },
      { key: RelinkStep, value: this.step },
      { key: RelinkAwaiting, value: this.awaiting },
    );
  }

  private change(...pairs: SearchAttributeUpdatePair[]): void {
    if (!this.coalesce) {
      upsertSearchAttributes(pairs);
      return;
    }
    for (const pair of pairs) this.unpublished.set(pair.key.name, pair);
  }

  /** Writes the changes made since the last write, in one upsert. Called before the relink waits on the server. */
  publish(): void {
    if (this.unpublished.size === 0) return;
    const pairs = [...this.unpublished.values()];
    this.unpublished.clear();
    upsertSearchAttributes(pairs);
  }

  /** Date in workflow code is Temporal's deterministic clock: the time of the current workflow task. */
  log(message: string, almaIds?: Record<string, string>): void {
    this.audit.push({ at: new Date().toISOString(), step: this.step, message, ...(almaIds ? { almaIds } : {}) });
  }

  enter(step: RelinkStepName): void {
    if (step === this.step) return;
    this.step = step;
    this.change({ key: RelinkStep, value: step });
  }

  await(awaiting: Awaiting, instructions?: StaffInstructions): void {
    this.awaitingSteps = instructions;
    // The Web UI's current details: what the relink waits for, worded for both the desk and the CLI (a query answer:
    // not in the history).
    setCurrentDetails(
      awaiting === 'none' ? '' : `Waiting for ${AWAITING_WORDS[awaiting]}.\n\n${this.webUiInstructions() ?? ''}`.trim(),
    );
    if (awaiting === this.awaiting) return;
    this.awaiting = awaiting;
    this.change({ key: RelinkAwaiting, value: awaiting });
  }

  /** The instructions as the Web UI shows them (and staff tools older than awaitingSteps): buttons and commands. */
  private webUiInstructions(): string | undefined {
    return this.awaitingSteps && instructionsText(this.awaitingSteps, { place: 'web-ui', workflowId: this.workflowId });
  }

  /** The end, for visibility: the outcome, or how a run without one ended. */
  settle(): void {
    this.change({ key: RelinkOutcome, value: this.outcome ?? this.endedBy ?? 'failed' });
  }

  item(barcode: string): ItemProgress {
    let item = this.items.get(barcode);
    if (!item) {
      item = { barcode, phase: 'pending', lostConfirmed: false };
      this.items.set(barcode, item);
    }
    return item;
  }

  update(barcode: string, changes: Partial<ItemProgress>): void {
    Object.assign(this.item(barcode), changes);
  }

  barcodesChanged(): void {
    this.change({ key: RelinkBarcodes, value: [...this.items.keys()] });
  }

  snapshot(): RelinkProgress {
    return {
      workflowId: this.workflowId,
      patronId: this.patronId,
      step: this.step,
      awaiting: this.awaiting,
      ...(this.awaitingSteps
        ? { awaitingSteps: this.awaitingSteps, awaitingInstructions: this.webUiInstructions() }
        : {}),
      items: [...this.items.values()].map((i) => ({ ...i })),
      contact: { ...this.contact },
      audit: [...this.audit],
      ...(this.outcome ? { outcome: this.outcome } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.webhooks ? { webhooks: true } : {}),
    };
  }
}
