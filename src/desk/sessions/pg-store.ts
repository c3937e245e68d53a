// Sessions in PostgreSQL: the deployment's store (DESK_SESSION_DATABASE_URL), in the cluster the Temporal server
// already uses, in a database and role of the desk's own (deploy/postgresql/init-desk-role.sh). Every desk process
// on the database sees the same sessions, so a sign-out at one ends the session at all, and a restart signs nobody
// out. Times are the desk's clock (ms), as in the memory store, not the database's.
import { Pool, type PoolConfig } from 'pg';
import type { SessionRecord, SessionStore } from './store';

/** The one table, made at start if missing. Keys are hashes of session ids (sessions/index.ts), never the ids. */
export const SESSION_TABLE = 'desk_sessions';

/**
 * The pool's bounds: a handful of connections is plenty (one short statement per page at most), a statement that
 * does not answer within seconds fails the page instead of holding staff and connections, and a database that
 * cannot be reached is said so after 5 s rather than after the TCP timeout.
 */
export const PG_STORE_DEFAULTS = { max: 4, connectionTimeoutMs: 5_000, statementTimeoutMs: 5_000, idleMs: 30_000 };

/** A store call that failed: what was being done, where (without the password), and PostgreSQL's own words. */
export class SessionStoreError extends Error {
  /** The desk's error page answers 503: the desk is fine, its session database is not. */
  readonly status = 503;
  constructor(message: string) {
    super(message);
    this.name = 'SessionStoreError';
  }
}

/** `user@host:port/database` of a postgres:// URL: what the messages name, never the password. */
export function describeDatabaseUrl(url: string): string {
  const u = new URL(url);
  const host = u.hostname || u.searchParams.get('host') || 'local socket';
  const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
  return `${user}${host}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

type Row = { staff: string; created_ms: string; seen_ms: string };

export class PgSessionStore implements SessionStore {
  readonly description: string;
  private readonly pool: Pool;
  private readonly where: string;
  private readonly secrets: string[];

  private constructor(url: string, options: Partial<typeof PG_STORE_DEFAULTS>) {
    const o = { ...PG_STORE_DEFAULTS, ...options };
    this.where = describeDatabaseUrl(url);
    const password = new URL(url).password;
    this.secrets = password ? [password, decodeURIComponent(password)] : [];
    this.description = `PostgreSQL (${this.where}, table ${SESSION_TABLE}; shared by every desk process on it)`;
    const config: PoolConfig = {
      connectionString: url,
      max: o.max,
      connectionTimeoutMillis: o.connectionTimeoutMs,
      idleTimeoutMillis: o.idleMs,
      // The server ends a statement (a lock wait included) after this; the client gives up a little later if the
      // server itself does not answer.
      statement_timeout: o.statementTimeoutMs,
      query_timeout: o.statementTimeoutMs + 1_000,
      idle_in_transaction_session_timeout: o.statementTimeoutMs * 2,
      application_name: 'relink-desk',
    };
    this.pool = new Pool(config);
    // A pooled connection the server drops while idle (a restart, a failover) is only replaced; unhandled, the
    // error would end the desk.
    this.pool.on('error', (err) => console.error(this.failure('an idle connection', err).message));
  }

  /** Connects, makes the table if missing, and fails at start with the reason when the database is not usable. */
  static async open(url: string, options: Partial<typeof PG_STORE_DEFAULTS> = {}): Promise<PgSessionStore> {
    const store = new PgSessionStore(url, options);
    try {
      await store.run('making the sessions table', async () => {
        const client = await store.pool.connect();
        try {
          // Two desks starting at once would both try CREATE TABLE: the lock makes the second wait and find it.
          await client.query('BEGIN');
          await client.query("SELECT pg_advisory_xact_lock(hashtext('relink-desk-sessions'))");
          await client.query(
            `CREATE TABLE IF NOT EXISTS ${SESSION_TABLE} (
               key text PRIMARY KEY,
               staff text NOT NULL,
               created_ms bigint NOT NULL,
               seen_ms bigint NOT NULL
             )`,
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      });
    } catch (err) {
      await store.pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  async create(key: string, { staff, createdAt, seenAt }: SessionRecord): Promise<void> {
    await this.run('saving a new session', () =>
      this.pool.query(
        `INSERT INTO ${SESSION_TABLE} (key, staff, created_ms, seen_ms) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO UPDATE SET staff = $2, created_ms = $3, seen_ms = $4`,
        [key, staff, createdAt, seenAt],
      ),
    );
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.run('reading a session', () =>
      this.pool.query<Row>(`SELECT staff, created_ms, seen_ms FROM ${SESSION_TABLE} WHERE key = $1`, [key]),
    );
    const row = rows[0];
    return row && { staff: row.staff, createdAt: Number(row.created_ms), seenAt: Number(row.seen_ms) };
  }

  async touch(key: string, seenAt: number): Promise<void> {
    // Never backwards: two desks' clocks differ a little, and the later use is the one that counts.
    await this.run('marking a session used', () =>
      this.pool.query(`UPDATE ${SESSION_TABLE} SET seen_ms = GREATEST(seen_ms, $2) WHERE key = $1`, [key, seenAt]),
    );
  }

  async revoke(key: string): Promise<void> {
    await this.run('ending a session', () => this.pool.query(`DELETE FROM ${SESSION_TABLE} WHERE key = $1`, [key]));
  }

  async sweep({ createdBefore, seenBefore }: { createdBefore: number; seenBefore: number }): Promise<void> {
    await this.run('dropping ended sessions', () =>
      this.pool.query(`DELETE FROM ${SESSION_TABLE} WHERE created_ms < $1 OR seen_ms < $2`, [
        createdBefore,
        seenBefore,
      ]),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async run<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw this.failure(what, err);
    }
  }

  private failure(what: string, err: unknown): SessionStoreError {
    const e = err as { message?: string; code?: string };
    // A refused connection to a name with several addresses is an AggregateError without a message of its own.
    let reason = e.message || (err as { errors?: Error[] }).errors?.[0]?.message || e.code || String(err);
    if (e.code && e.message && !e.message.includes(e.code)) reason += ` (${e.code})`;
    // PostgreSQL and node-postgres do not put the password in their messages; this makes sure of it.
    for (const secret of this.secrets) reason = reason.split(secret).join('***');
    return new SessionStoreError(`The desk's session database (PostgreSQL ${this.where}): ${what} failed: ${reason}`);
  }
}
