// The relink's messages: what staff and tools can ask (query) or tell (signal, update) a running relink.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JoinResult, RelinkProgress, ReviewDecision } from './types';

/** Current step, what it awaits and from whom, per-item state and the audit trail. */
export const progressQuery = defineQuery<RelinkProgress>('progress');

/** Staff decision on a request queue that stood in the way: proceed once arranged in Alma, or abort. */
export const reviewDecisionUpdate = defineUpdate<string, [ReviewDecision]>('reviewDecision');

/** Staff clicked Lost in Alma: check now instead of at the next poll. Optionally for one barcode. */
export const confirmLostSignal = defineSignal<[{ barcode?: string }?]>('confirmLost');

/** A second start for the same patron joins the running relink with more barcodes. */
export const addBarcodesUpdate = defineUpdate<JoinResult, [string[]]>('addBarcodes');
