// "Seen" marks on relinks that ended failed or needing attention: the home page lists such a relink until a staff
// member marks it seen. Kept behind this small interface; the desk has no database yet, so the one implementation is
// in the desk's memory: a restart of the desk lists the last days' ended relinks again (nothing is lost, staff see a
// card twice). Temporal cannot hold the mark: a closed run's search attributes are written only by the workflow.

export interface SeenMarks {
  /** Which of these relink runs (`seenKey`) a staff member has marked seen. */
  seen(keys: readonly string[]): Promise<Set<string>>;
  /** Marks a run seen, by a staff member. */
  mark(key: string, by: string): Promise<void>;
}

/** One run of a patron's relinks: their runs share the workflow id. */
export const seenKey = (workflowId: string, runId: string): string => `${workflowId}/${runId}`;

/** In memory, each mark dropped after `keepMs` (longer than the home page looks back). */
export function memorySeenMarks(keepMs = 14 * 24 * 3600_000): SeenMarks {
  const marks = new Map<string, { by: string; at: number }>();
  return {
    seen: async (keys) => new Set(keys.filter((k) => marks.has(k))),
    mark: async (key, by) => {
      const now = Date.now();
      for (const [k, m] of marks) if (now - m.at > keepMs) marks.delete(k);
      marks.set(key, { by, at: now });
    },
  };
}
