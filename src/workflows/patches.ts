// The patched() ids of the workflow's changes. Each change to the workflow's commands gets its own id, and the
// histories recorded before it (test/histories/) keep replaying on the old path.

/**
 * Took out round trips carrying nothing: the request-review activity when no item is requested, one search attribute
 * write per wait instead of one per change, and (after a failure or a cancel) the read of loans Alma made without
 * answering. Relinks started before it replay on the old path (test/histories/v1-*).
 */
export const FEWER_ROUND_TRIPS = 'fewer-round-trips';
