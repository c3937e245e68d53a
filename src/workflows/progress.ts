// The relink's visible state: what the progress query returns and what the search attributes mirror, so staff
// (CLI) and admins (Web UI) see the same step, the same awaited action and the same audit trail.
import { upsertSearchAttributes } from '@temporalio/workflow';
import { RelinkAwaiting, RelinkBarcodes, RelinkPatronId, RelinkStep } from './search-attributes';
import type {
  AuditEntry,
  Awaiting,
  ContactState,
  ItemProgress,
  Outcome,
  RelinkProgress,
  RelinkStepName,
} from './types';

export class RelinkTracker {
  step: RelinkStepName = 'preflight';
  awaiting: Awaiting = 'none';
  awaitingInstructions?: string;
  readonly items = new Map<string, ItemProgress>();
  readonly contact: ContactState = { swapped: false, restored: false, verified: false };
  readonly audit: AuditEntry[] = [];
  outcome?: Outcome;
  reason?: string;

  constructor(
    readonly workflowId: string,
    readonly patronId: string,
    barcodes: string[],
  ) {
    for (const barcode of barcodes) this.items.set(barcode, { barcode, phase: 'pending', lostConfirmed: false });
    upsertSearchAttributes([
      { key: RelinkPatronId, value: patronId },
      { key: RelinkBarcodes, value: barcodes },
      { key: RelinkStep, value: this.step },
      { key: RelinkAwaiting, value: this.awaiting },
    ]);
  }

  /** Date in workflow code is Temporal's deterministic clock: the time of the current workflow task. */
  log(message: string, almaIds?: Record<string, string>): void {
    this.audit.push({ at: new Date().toISOString(), step: this.step, message, ...(almaIds ? { almaIds } : {}) });
  }

  enter(step: RelinkStepName): void {
    if (step === this.step) return;
    this.step = step;
    upsertSearchAttributes([{ key: RelinkStep, value: step }]);
  }

  await(awaiting: Awaiting, instructions?: string): void {
    this.awaitingInstructions = instructions;
    if (awaiting === this.awaiting) return;
    this.awaiting = awaiting;
    upsertSearchAttributes([{ key: RelinkAwaiting, value: awaiting }]);
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
    upsertSearchAttributes([{ key: RelinkBarcodes, value: [...this.items.keys()] }]);
  }

  snapshot(): RelinkProgress {
    return {
      workflowId: this.workflowId,
      patronId: this.patronId,
      step: this.step,
      awaiting: this.awaiting,
      ...(this.awaitingInstructions ? { awaitingInstructions: this.awaitingInstructions } : {}),
      items: [...this.items.values()].map((i) => ({ ...i })),
      contact: { ...this.contact },
      audit: [...this.audit],
      ...(this.outcome ? { outcome: this.outcome } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
    };
  }
}
