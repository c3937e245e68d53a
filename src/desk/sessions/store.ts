// Where the desk keeps its signed-in sessions, so that they can end on the server: the cookie (signed, as before)
// carries only a random session id beside the CSRF token, and a session is live only while its record is here.
// Two stores: this process's memory (memory-store.ts; development, one process only, a restart signs everyone out)
// and, for a deployment, the PostgreSQL the Temporal server already uses, in its own database and role
// (pg-store.ts, DESK_SESSION_DATABASE_URL; docs/operations.md, "Desk sessions").

/** One signed-in session. Times are ms since the epoch, on the desk's clock. */
export interface SessionRecord {
  staff: string;
  /** When the staff member signed in: the session ends DESK_SESSION_MAX_AGE after it, used or not. */
  createdAt: number;
  /** When it was last used: it ends DESK_SESSION_IDLE after it. */
  seenAt: number;
}

/** Records are kept under a hash of the session id, never the id itself (a copy of the store signs nobody in). */
export interface SessionStore {
  create(key: string, record: SessionRecord): Promise<void>;
  get(key: string): Promise<SessionRecord | undefined>;
  /** Marks the session used at `seenAt`. */
  touch(key: string, seenAt: number): Promise<void>;
  /** Ends the session: sign-out, expiry. A cookie carrying its id is refused from then on. */
  revoke(key: string): Promise<void>;
  /** Drops the records of sessions ended by time: created before `createdBefore` or unused since `seenBefore`. */
  sweep(limits: { createdBefore: number; seenBefore: number }): Promise<void>;
  /** A line for the desk's start message: where sessions are kept. */
  readonly description: string;
  close(): Promise<void>;
}
