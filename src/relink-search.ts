// Which relinks to list, as one visibility query: `relink list`, the desk's home page (relinks that ended needing
// attention) and its Find page build their Temporal list filter here, from the search attributes the Web UI shows
// (search-attributes.ts) and Temporal's own ExecutionStatus and CloseTime. Inputs are checked with zod first: an id
// with a quote or a backslash never reaches the query (and equalsClause escapes both besides).
import { z } from 'zod';
import {
  AWAITING_KINDS,
  RelinkAwaiting,
  RelinkBarcodes,
  RelinkOutcome,
  RelinkPatronId,
  barcodeProblem,
  equalsClause,
  patronIdProblem,
  type Awaiting,
} from './contract';
import { RELINK_WORKFLOW_TYPE } from './stuck-relinks';

/** How a relink stands, as staff ask for it. */
export const RELINK_STATUSES = ['running', 'completed', 'aborted', 'needs-attention', 'failed', 'cancelled'] as const;
export type RelinkStatusFilter = (typeof RELINK_STATUSES)[number];

/**
 * Each status as a visibility clause. The three ways a relink ends normally are in RelinkOutcome (written at its end,
 * patch outcome-search-attribute: older relinks have none and match only running / failed / cancelled); a failure
 * and a cancellation are Temporal's own execution statuses (a timed-out or terminated run counts as failed).
 */
const STATUS_CLAUSES: Record<RelinkStatusFilter, string> = {
  running: `ExecutionStatus = 'Running'`,
  completed: equalsClause(RelinkOutcome, 'completed'),
  aborted: equalsClause(RelinkOutcome, 'aborted'),
  'needs-attention': equalsClause(RelinkOutcome, 'needs-attention'),
  failed: `ExecutionStatus IN ('Failed', 'TimedOut', 'Terminated')`,
  cancelled: `ExecutionStatus = 'Canceled'`,
};

export interface RelinkSearch {
  patronId?: string;
  barcode?: string;
  /** Any of these (none: every status). */
  statuses?: readonly RelinkStatusFilter[];
  awaiting?: Awaiting;
  /** Only relinks closed after this time. */
  closedSince?: Date;
}

const optional = (problem: (v: unknown) => string | undefined) =>
  z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .superRefine((v, ctx) => {
      const why = v === undefined ? undefined : problem(v);
      if (why) ctx.addIssue({ code: 'custom', message: why.charAt(0).toUpperCase() + why.slice(1) + '.' });
    })
    .optional();

/** A search as staff type it (the Find page's fields, empty ones left out), checked. */
export const relinkSearchSchema = z.object({
  patronId: optional(patronIdProblem),
  barcode: optional(barcodeProblem),
  statuses: z.array(z.enum(RELINK_STATUSES, { message: 'Choose a status from the list.' })).optional(),
  awaiting: z
    .enum(AWAITING_KINDS, { message: 'Choose what it waits for from the list.' })
    .refine((a) => a !== 'none', 'Choose what it waits for from the list.')
    .optional(),
});

/** The visibility query for a search: relinks only, every condition given, ANDed. */
export function searchQuery(search: RelinkSearch): string {
  const clauses = [`WorkflowType = '${RELINK_WORKFLOW_TYPE}'`];
  if (search.patronId !== undefined) clauses.push(equalsClause(RelinkPatronId, search.patronId));
  // RelinkBarcodes is a keyword list: = matches a relink holding that barcode among others.
  if (search.barcode !== undefined) clauses.push(equalsClause(RelinkBarcodes, search.barcode));
  if (search.statuses?.length) {
    const any = [...new Set(search.statuses)].map((s) => STATUS_CLAUSES[s]);
    clauses.push(any.length === 1 ? any[0]! : `(${any.join(' OR ')})`);
  }
  if (search.awaiting) clauses.push(equalsClause(RelinkAwaiting, search.awaiting));
  if (search.closedSince)
    clauses.push(`ExecutionStatus != 'Running'`, `CloseTime > '${search.closedSince.toISOString()}'`);
  return clauses.join(' AND ');
}
