// The names a relink is known by: its workflow id, and the marker it writes into the holding email's description.

/** One relink per patron: the workflow id is derived from the patron id, so two relinks never interleave. */
export const relinkWorkflowId = (patronId: string): string => `relink-${patronId}`;

/** Every marker starts with this, so an entry left by any relink can be recognised. */
export const MARKER_PREFIX = '[alma-relink:';

/**
 * Written into the holding email's description so the restore removes exactly what this run added. `run` (runTagOf)
 * tells one run of the patron's relink from the next: a sweep, a follow-up or a late retry of an earlier run then never
 * takes a new run's entry for its own. Relinks started before RUN_MARKER wrote the workflow id alone.
 */
export const markerFor = (workflowId: string, run?: string): string =>
  `${MARKER_PREFIX}${workflowId}${run ? `:${run}` : ''}]`;

/**
 * The run's part of its marker: 8 hex digits of its first execution's run id (kept by a retry or continue-as-new). The
 * last 8, which are random in a UUID v4 and v7 alike (a v7's first ones are its time). Short, so a description Alma
 * trims keeps it; patron ids hold no ':' (PATRON_ID_PATTERN), so it never runs into the workflow id.
 */
export const runTagOf = (runId: string): string => runId.replace(/-/g, '').slice(-8).toLowerCase();

/** One marker read from a description: the whole text, the relink id, and the run's tag (none: an older relink). */
export interface MarkerRef {
  marker: string;
  workflowId: string;
  run?: string;
}

/** The markers in a text (a holding entry's description), in order, each once. */
export function markersIn(text: string | null | undefined): MarkerRef[] {
  const seen = new Set<string>();
  const refs: MarkerRef[] = [];
  for (const [marker, body] of (text ?? '').matchAll(/\[alma-relink:([^\]\s]+)\]/g)) {
    if (seen.has(marker)) continue;
    seen.add(marker);
    const tagged = /^(.+):([0-9a-f]{8})$/.exec(body!);
    refs.push(tagged ? { marker, workflowId: tagged[1]!, run: tagged[2]! } : { marker, workflowId: body! });
  }
  return refs;
}

/**
 * The follow-up that reads the record again after a relink's restore: one per patron at a time. A new relink of the
 * same patron cancels it before its own swap, since it takes over the record (and, before RUN_MARKER, wrote the same
 * marker).
 */
export const restoreRecheckWorkflowId = (relinkWorkflowId: string): string => `${relinkWorkflowId}-restore-recheck`;

/** The relink ids named by the markers in a text (a holding entry's description), in order, each once. */
export function relinkIdsIn(text: string | null | undefined): string[] {
  return [...new Set(markersIn(text).map((m) => m.workflowId))];
}

/** The relink id a marker names; undefined when the text is not one marker. */
export const relinkIdOf = (marker: string): string | undefined => {
  const [ref] = markersIn(marker);
  return ref && ref.marker === marker ? ref.workflowId : undefined;
};

/**
 * relink sweep --fix's restore of a relink that is not running: one per relink id at a time. A new relink of the same
 * patron waits for it before its own swap (contact-swap.ts).
 */
export const sweepRestoreWorkflowId = (relinkWorkflowId: string): string => `sweep-restore-${relinkWorkflowId}`;
