// The desk's sessions in PostgreSQL, on a real throw-away cluster (Debian's server package, as prod-check runs it;
// no Docker): the role and database made by deploy/postgresql/init-desk-role.sh, no stronger than owning that one
// database; the store's contract (create, get, touch, revoke, sweep); two desks on one database, where a sign-out at
// one ends the session at the other and a restart signs nobody out; errors that say what failed and never the
// password; a statement that waits on a lock ends at the statement timeout; a replayed cookie refused in chromium.
// Where PostgreSQL cannot be started the test fails saying why: it is the deployment's store, not an extra.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { BrowserContext } from 'playwright-core';
import {
  findPostgresBinDir,
  runAsClusterOwner,
  startPostgresCluster,
  type PostgresCluster,
} from '../../scripts/prod-check/postgres-cluster';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { ConfigError } from '../../src/config';
import { PgSessionStore, SESSION_TABLE, SessionStoreError } from '../../src/desk/sessions/pg-store';
import { loadDeskSettings } from '../../src/desk/settings';
import { freePort } from '../../src/dev/free-port';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { DeskClient, startTestDesk, type TestDesk } from './desk-support';
import { replayAfterSignOut } from './replayed-cookie';

const DEPLOY = path.join(__dirname, '..', '..', 'deploy', 'postgresql');
const chromiumTool = debianTool('chromium', 'chromium');
const itWithBrowser = 'skip' in chromiumTool ? it.skip : it;

describe('desk sessions in PostgreSQL', () => {
  let pg: PostgresCluster;
  // Characters a URL must escape, so the test shows the password is read, and kept out of messages, as written.
  const password = `${randomBytes(12).toString('base64url')}/+@:%`;
  const temporalPassword = randomBytes(12).toString('base64url');
  let url: string;
  const urlWith = (user: string, pw: string, db: string, port = pg.port) =>
    `postgresql://${user}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${db}`;
  const stores: PgSessionStore[] = [];
  const open = async (u = url) => {
    const store = await PgSessionStore.open(u);
    stores.push(store);
    return store;
  };
  /** SQL as the cluster's superuser (what an administrator does to the desk's role). */
  const asSuperuser = async (sql: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relink-desk-sql-'));
    try {
      const script = path.join(dir, 'run.sh');
      writeFileSync(script, 'psql -v ON_ERROR_STOP=1 -XAtq -d postgres -c "$SQL"\n', { mode: 0o755 });
      chmodSync(dir, 0o755);
      return await runAsClusterOwner(script, { SQL: sql }, pg);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  /** init-desk-role.sh as `sudo -u postgres DESK_DB_PASSWORD_FILE=- … < file` (docs/operations.md). */
  const rerunDeskRole = async (passwordFile: string) => {
    const fd = openSync(passwordFile, 'r');
    try {
      const script = path.join(DEPLOY, 'init-desk-role.sh');
      const asRoot = userInfo().uid === 0;
      const proc = spawn(asRoot ? 'runuser' : 'sh', asRoot ? ['-u', 'postgres', '--', 'sh', script] : [script], {
        env: {
          ...process.env,
          ...pg.psqlEnv,
          DESK_DB_PASSWORD_FILE: '-',
          PATH: `${findPostgresBinDir()}:${process.env.PATH ?? ''}`,
        },
        stdio: [fd, 'pipe', 'pipe'],
      });
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
      if (code !== 0) throw new Error(`init-desk-role.sh exited ${code}: ${out}`);
      return out.trim();
    } finally {
      closeSync(fd);
    }
  };
  /** A client of the test's own, as the role given, for what the store does not do (locks, privilege checks). */
  const connect = async (user: string, pw: string, db: string) => {
    const client = new Client({ connectionString: urlWith(user, pw, db) });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    try {
      pg = await startPostgresCluster(await freePort(), () => undefined);
    } catch (err) {
      throw new Error(
        "PostgreSQL could not be started on this machine, so the desk's PostgreSQL session store is untested: " +
          `${(err as Error).message}. Install Debian's postgresql package (initdb and pg_ctl under ` +
          '/usr/lib/postgresql/<version>/bin) or set PROD_CHECK_PG_BIN.',
      );
    }
    // The cluster as a deployment has it: the Temporal role first, then the desk's.
    await runAsClusterOwner(
      path.join(DEPLOY, 'init-temporal-role.sh'),
      { TEMPORAL_DB_USER: 'temporal', TEMPORAL_DB_PASSWORD: temporalPassword },
      pg,
    );
    const out = await runAsClusterOwner(path.join(DEPLOY, 'init-desk-role.sh'), { DESK_DB_PASSWORD: password }, pg);
    expect(out).toBe(
      "postgresql: role relink_desk owns database relink_desk (the desk's sessions), and nobody else may connect",
    );
    url = urlWith('relink_desk', password, 'relink_desk');
  }, 180_000);

  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => undefined);
    await pg?.stop();
  });

  it('makes a role that owns its database and nothing more, which no other role may enter', async () => {
    const flags = await runAsClusterOwner(
      path.join(DEPLOY, 'describe-role.sh'),
      { TEMPORAL_DB_USER: 'relink_desk' },
      pg,
    );
    expect(flags).toBe('superuser=f createdb=f createrole=f');
    const desk = await connect('relink_desk', password, 'relink_desk');
    const owner = await desk.query(
      "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'relink_desk'",
    );
    expect(owner.rows).toEqual([{ owner: 'relink_desk' }]);
    await desk.end();
    // The Temporal role cannot read the desk's sessions ...
    await expect(connect('temporal', temporalPassword, 'relink_desk')).rejects.toThrow(
      /permission denied for database "relink_desk"/,
    );
    // ... nor may the desk's role write anywhere else (PostgreSQL 15+: no CREATE on another database's public schema).
    const elsewhere = await connect('relink_desk', password, 'postgres');
    await expect(elsewhere.query('CREATE TABLE stray (x int)')).rejects.toThrow(/permission denied for schema public/);
    await expect(elsewhere.query('CREATE DATABASE another')).rejects.toThrow(/permission denied to create database/);
    await elsewhere.end();
  });

  it('keeps the contract: create, get, touch (never backwards), revoke, sweep; the table made at start', async () => {
    // Two desks starting at once both make the table: neither fails.
    const [a, b] = await Promise.all([open(), open()]);
    expect(a.description).toBe(
      `PostgreSQL (relink_desk@127.0.0.1:${pg.port}/relink_desk, table ${SESSION_TABLE}; shared by every desk ` +
        'process on it)',
    );
    expect(a.description).not.toContain(password);
    const t = 1_765_000_000_000;
    await a.create('key-1', { staff: 'circ.one', createdAt: t, seenAt: t });
    await a.create('key-2', { staff: 'circ.two', createdAt: t - 11 * 3600_000, seenAt: t });
    await a.create('key-3', { staff: 'circ.three', createdAt: t, seenAt: t - 2 * 3600_000 });
    expect(await b.get('key-1')).toEqual({ staff: 'circ.one', createdAt: t, seenAt: t });
    expect(await b.get('no-such-key')).toBeUndefined();

    await b.touch('key-1', t + 5 * 60_000);
    expect(await a.get('key-1')).toEqual({ staff: 'circ.one', createdAt: t, seenAt: t + 5 * 60_000 });
    // A desk whose clock is a little behind does not move "last used" back.
    await a.touch('key-1', t + 4 * 60_000);
    expect((await b.get('key-1'))?.seenAt).toBe(t + 5 * 60_000);
    await a.touch('no-such-key', t);

    // The sweep drops what ended by time (key-2 too old, key-3 idle), and only that.
    await b.sweep({ createdBefore: t - 10 * 3600_000, seenBefore: t - 3600_000 });
    expect(await a.get('key-2')).toBeUndefined();
    expect(await a.get('key-3')).toBeUndefined();
    expect(await a.get('key-1')).toBeDefined();

    await b.revoke('key-1');
    expect(await a.get('key-1')).toBeUndefined();
    await a.revoke('key-1');

    // The role script run again (a new password, an upgrade) keeps the sessions.
    await a.create('key-4', { staff: 'circ.four', createdAt: t, seenAt: t });
    // ... run as the docs say: the password on stdin from a file only root may read.
    const secrets = mkdtempSync(path.join(tmpdir(), 'relink-desk-secrets-'));
    try {
      writeFileSync(path.join(secrets, 'desk-db-password'), `${password}\n`, { mode: 0o600 });
      const again = await rerunDeskRole(path.join(secrets, 'desk-db-password'));
      expect(again).toMatch(/^postgresql: role relink_desk owns database relink_desk/);
    } finally {
      rmSync(secrets, { recursive: true, force: true });
    }
    expect((await (await open()).get('key-4'))?.staff).toBe('circ.four');
  });

  it('says what failed, where, and never the password', async () => {
    const wrong = `${password}-not`;
    const refused = await PgSessionStore.open(urlWith('relink_desk', wrong, 'relink_desk')).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(SessionStoreError);
    const message = (refused as Error).message;
    expect(message).toBe(
      `The desk's session database (PostgreSQL relink_desk@127.0.0.1:${pg.port}/relink_desk): making the sessions ` +
        'table failed: password authentication failed for user "relink_desk" (28P01)',
    );
    const closedPort = await freePort();
    const unreachable = await PgSessionStore.open(urlWith('relink_desk', password, 'relink_desk', closedPort)).catch(
      (e: Error) => e,
    );
    expect((unreachable as Error).message).toBe(
      `The desk's session database (PostgreSQL relink_desk@127.0.0.1:${closedPort}/relink_desk): making the ` +
        `sessions table failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
    );
    for (const text of [message, (unreachable as Error).message, String((unreachable as Error).stack)])
      for (const secret of [password, encodeURIComponent(password)]) expect(text).not.toContain(secret);
  });

  it('ends a statement held by a lock at the statement timeout (5 s), saying so', async () => {
    const store = await open();
    const locker = await connect('relink_desk', password, 'relink_desk');
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${SESSION_TABLE} IN ACCESS EXCLUSIVE MODE`);
    const started = Date.now();
    const err = await store.get('key-4').catch((e: Error) => e);
    const waited = Date.now() - started;
    await locker.query('ROLLBACK');
    await locker.end();
    expect((err as Error).message).toBe(
      `The desk's session database (PostgreSQL relink_desk@127.0.0.1:${pg.port}/relink_desk): reading a session ` +
        'failed: canceling statement due to statement timeout (57014)',
    );
    expect(waited).toBeGreaterThanOrEqual(4_900);
    expect(waited).toBeLessThan(6_500);
    // The store goes on once the lock is gone.
    expect((await store.get('key-4'))?.staff).toBe('circ.four');
  });

  it('reads DESK_SESSION_DATABASE_URL or its _FILE, checks it, and never repeats it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relink-desk-url-'));
    try {
      const file = path.join(dir, 'desk-session-database-url');
      writeFileSync(file, `${url}\n`);
      expect(loadDeskSettings({ DESK_SESSION_DATABASE_URL_FILE: file }).sessions.database).toBe(url);
      expect(loadDeskSettings({ DESK_SESSION_DATABASE_URL: url }).sessions.database).toBe(url);
      expect(loadDeskSettings({}).sessions.database).toBeUndefined();
      const problems = (env: NodeJS.ProcessEnv) => {
        try {
          loadDeskSettings(env);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          return (err as ConfigError).message;
        }
        throw new Error('accepted');
      };
      expect(problems({ DESK_SESSION_DATABASE_URL: url, DESK_SESSION_DATABASE_URL_FILE: file })).toContain(
        'set DESK_SESSION_DATABASE_URL or DESK_SESSION_DATABASE_URL_FILE, not both',
      );
      const pw = encodeURIComponent(password);
      const bad = [
        [`mysql://relink_desk:${pw}@db/relink_desk`, 'must be a postgresql:// URL, not mysql://'],
        [`postgresql://relink_desk:${pw}@db`, 'names no database: end it with /relink_desk'],
        [`postgresql://:${pw}@db/relink_desk`, 'names no role'],
        [`relink_desk:${password} at db`, 'must be a URL like postgresql://relink_desk@db.example:5432/relink_desk'],
      ];
      for (const [value, words] of bad) {
        const message = problems({ DESK_SESSION_DATABASE_URL: value });
        expect(message).toContain(`DESK_SESSION_DATABASE_URL: ${words}`);
        for (const secret of [password, pw]) expect(message).not.toContain(secret);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** `npm run desk` with `env`: what it prints up to its start message (then stopped) or until it exits. */
  async function runDesk(env: NodeJS.ProcessEnv): Promise<{ out: string; code: number | null }> {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/desk/main.ts'], {
      cwd: path.resolve(__dirname, '..', '..'),
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
        DESK_PORT: '0',
        RELINK_HOLDING_EMAIL: 'h@library.example.edu',
        ALMA_DESK_MAP: 'MAIN=DESK',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const read = (d: Buffer) => {
      out += d.toString();
      if (/Relink desk on/.test(out)) proc.kill('SIGTERM');
    };
    proc.stdout.on('data', read);
    proc.stderr.on('data', read);
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    return { out, code };
  }

  it('npm run desk names its session store, without the password, and stops when the database refuses it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relink-desk-url-'));
    try {
      const file = path.join(dir, 'desk-session-database-url');
      writeFileSync(file, `${url}\n`);
      const started = await runDesk({ DESK_SESSION_DATABASE_URL_FILE: file });
      expect(started.out).toContain(
        `sessions in PostgreSQL (relink_desk@127.0.0.1:${pg.port}/relink_desk, table ${SESSION_TABLE}; shared by ` +
          'every desk process on it)',
      );
      expect(started.code).toBe(0);
      const memory = await runDesk({});
      expect(memory.out).toContain("sessions in this process's memory (one desk process");

      writeFileSync(file, `${urlWith('relink_desk', `${password}-not`, 'relink_desk')}\n`);
      const refused = await runDesk({ DESK_SESSION_DATABASE_URL_FILE: file });
      expect(refused.code).toBe(1);
      expect(refused.out).toContain(
        `The desk's session database (PostgreSQL relink_desk@127.0.0.1:${pg.port}/relink_desk): making the ` +
          'sessions table failed: password authentication failed for user "relink_desk" (28P01)',
      );
      expect(refused.out).not.toMatch(/Relink desk on/);
      for (const text of [started.out, refused.out])
        for (const secret of [password, encodeURIComponent(password)]) expect(text).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('two desks on the database', () => {
    let h: RelinkHarness;
    const desks: TestDesk[] = [];
    let browser: BrowserContext | undefined;
    let userDataDir: string | undefined;

    beforeAll(async () => {
      h = await startHarness(fixturesWith({ users: [patron('desk.pgreplay')], items: [item('48800000002')] }));
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      for (const d of desks) await d.close();
      await h?.relinks.cancel('relink-desk.pgreplay').catch(() => undefined);
      await h?.close();
      if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    });

    /** A desk process of its own: its own store (pool) on the shared database, as a second instance would have. */
    const startDesk = async () => {
      const desk = await startTestDesk(h, { kind: 'dev' }, { sessions: { store: await open() } });
      desks.push(desk);
      return desk;
    };

    async function signIn(desk: TestDesk, name: string): Promise<DeskClient> {
      const staff = new DeskClient(desk.url);
      const _csrf = /name="_csrf" value="([^"]+)"/.exec((await staff.request('/sign-in')).html)![1]!;
      expect((await staff.request('/sign-in', { _csrf, name })).status).toBe(303);
      return staff;
    }

    const signedInAs = async (client: DeskClient) => {
      const home = await client.request('/');
      return home.status === 200 ? /Signed in as <strong>([^<]+)<\/strong>/.exec(home.html)?.[1] : home.location;
    };

    it('ends at the other desk a session signed out at one, and outlives a desk restart', async () => {
      const [one, two] = [await startDesk(), await startDesk()];
      const atOne = await signIn(one, 'shared.staff');
      const atTwo = new DeskClient(two.url);
      atTwo.copyCookies(atOne);
      expect(await signedInAs(atTwo)).toBe('shared.staff');

      // Desk two restarts (a new process, a new pool): the session is still there.
      await two.close();
      const twoAgain = await startDesk();
      const atTwoAgain = new DeskClient(twoAgain.url);
      atTwoAgain.copyCookies(atOne);
      expect(await signedInAs(atTwoAgain)).toBe('shared.staff');

      // Signed out at desk one: refused at the other too, with the cookie it had.
      const _csrf = await atOne.token();
      expect((await atOne.request('/sign-out', { _csrf })).status).toBe(303);
      expect(await signedInAs(atTwoAgain)).toBe('/sign-in');
      const replay = await atTwoAgain.request('/start', {
        _csrf,
        patron: 'desk.pgreplay',
        barcodes: '48800000002',
      });
      expect(replay.status).toBe(401);
      expect(desks.flatMap((d) => d.actions)).toEqual([]);
    });

    it('answers 503 in words when the session database refuses the desk, and signs nobody in', async () => {
      const desk = await startDesk();
      const staff = await signIn(desk, 'stranded.staff');
      // The administrator locks the desk's role out and ends its connections: the next page needs a new one.
      await asSuperuser(
        'ALTER ROLE relink_desk NOLOGIN; ' +
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'relink_desk'",
      );
      try {
        const home = await staff.request('/');
        expect(home.status).toBe(503);
        expect(home.html).toContain(
          `The desk&#39;s session database (PostgreSQL relink_desk@127.0.0.1:${pg.port}/relink_desk): reading a ` +
            'session failed: role &quot;relink_desk&quot; is not permitted to log in (28000)',
        );
        expect(home.html).not.toContain('Signed in as');
        for (const secret of [password, encodeURIComponent(password)]) expect(home.html).not.toContain(secret);
      } finally {
        await asSuperuser('ALTER ROLE relink_desk LOGIN');
      }
      // Let in again, the same session goes on: nothing was lost.
      expect(await signedInAs(staff)).toBe('stranded.staff');
    });

    itWithBrowser('refuses in chromium a cookie copied before sign-out, replayed at another desk', async () => {
      const [one, two] = [await startDesk(), await startDesk()];
      ({ browser, userDataDir } = await launchChromium(
        'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
        'relink-desk-sessions-pg-',
        { viewport: { width: 1280, height: 900 } },
      ));
      browser.setDefaultTimeout(30_000);
      const page = await browser.newPage();
      const { status } = await replayAfterSignOut(browser, page, {
        from: one.url,
        to: two.url,
        staff: 'replay.staff',
        patron: 'desk.pgreplay',
        barcode: '48800000002',
        where: ', session in PostgreSQL',
      });
      expect(status).toBe(401);
      await expect(h.relinks.summary('relink-desk.pgreplay')).rejects.toThrow(/No relink/);
      expect(desks.flatMap((d) => d.actions)).toEqual([]);
      await page.close();
    });
  });
});
