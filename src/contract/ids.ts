// The names a relink is known by: its workflow id, and the marker it writes into the holding email's description.

/** One relink per patron: the workflow id is derived from the patron id, so two relinks never interleave. */
export const relinkWorkflowId = (patronId: string): string => `relink-${patronId}`;

/** Every marker starts with this, so an entry left by any relink can be recognised. */
export const MARKER_PREFIX = '[alma-relink:';

/** Written into the holding email's description so the restore removes exactly what this relink added. */
export const markerFor = (workflowId: string): string => `${MARKER_PREFIX}${workflowId}]`;

/**
 * The follow-up that reads the record again after a relink's restore: one per patron at a time. A new relink of the
 * same patron cancels it before its own swap, since it writes the same marker and takes over the record.
 */
export const restoreRecheckWorkflowId = (relinkWorkflowId: string): string => `${relinkWorkflowId}-restore-recheck`;

/** The relink ids named by the markers in a text (a holding entry's description), in order, each once. */
export function relinkIdsIn(text: string | null | undefined): string[] {
  const ids = [...(text ?? '').matchAll(/\[alma-relink:([^\]\s]+)\]/g)].map((m) => m[1]!);
  return [...new Set(ids)];
}
