// A throw-away PostgreSQL cluster for prod-check: Debian's server package, initdb into a temporary directory, pg_ctl
// on a free loopback port, gone with its directory at the end. Nothing of the machine's own PostgreSQL is touched.
// initdb refuses to run as root, so as root (CI) the cluster belongs to the `postgres` user the package creates.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Where Debian puts each major version's server binaries; the newest installed one is used. */
const DEBIAN_PG_ROOT = '/usr/lib/postgresql';

export function findPostgresBinDir(): string {
  const fromEnv = process.env.PROD_CHECK_PG_BIN;
  if (fromEnv) return fromEnv;
  const majors = existsSync(DEBIAN_PG_ROOT)
    ? readdirSync(DEBIAN_PG_ROOT)
        .filter((d) => /^\d+$/.test(d) && existsSync(path.join(DEBIAN_PG_ROOT, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors.length) {
    throw new Error(
      `no PostgreSQL server under ${DEBIAN_PG_ROOT}: install Debian's (apt-get install postgresql), or set ` +
        'PROD_CHECK_PG_BIN to a directory with initdb and pg_ctl',
    );
  }
  return path.join(DEBIAN_PG_ROOT, majors[0]!, 'bin');
}

export interface PostgresCluster {
  port: number;
  /** The superuser, for the role script only: Temporal never connects as it. */
  superuser: string;
  /** The `PG*` environment psql needs to reach the cluster as the superuser. */
  psqlEnv: NodeJS.ProcessEnv;
  dir: string;
  /** `PostgreSQL 15.14 (Debian ...)`, as the server reports it. */
  version: string;
  stop(): Promise<void>;
}

/** Starts a cluster in a new temporary directory of its own (its owner must reach it), removed again by stop(). */
export async function startPostgresCluster(port: number, log: (line: string) => void): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? 'postgres' : userInfo().username;
  const run = async (cmd: string, args: string[]) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', owner, '--', path.join(bin, cmd), ...args]]
      : [path.join(bin, cmd), args];
    return execFileAsync(file, argv, { timeout: 120_000, cwd: dir });
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'alma-relink-pg-'));
  const data = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  mkdirSync(socketDir, { recursive: true });
  if (asRoot) {
    const { stdout } = await execFileAsync('id', ['-u', owner]).catch(() => {
      throw new Error(`running as root, prod-check needs the "${owner}" user of Debian's postgresql package`);
    });
    const uid = Number(stdout.trim());
    const gid = Number((await execFileAsync('id', ['-g', owner])).stdout.trim());
    chownSync(dir, uid, gid);
    chownSync(socketDir, uid, gid);
  }
  const pwfile = path.join(dir, 'superuser-password');
  // The superuser gets a random password nobody keeps: the cluster trusts nothing and nobody logs in as it over TCP.
  writeFileSync(pwfile, `${randomUUID()}\n`, { mode: 0o600 });
  if (asRoot) chownSync(pwfile, Number((await execFileAsync('id', ['-u', owner])).stdout.trim()), 0);
  await run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth-local=peer',
    '--auth-host=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--no-instructions',
  ]);
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${socketDir} -c fsync=on`;
  await run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'postgresql.log'), '-w', '-t', '60', 'start']);
  const psqlEnv: NodeJS.ProcessEnv = {
    PGHOST: socketDir,
    PGPORT: String(port),
    PGUSER: 'postgres',
    PGDATABASE: 'postgres',
  };
  const psql = (sql: string) =>
    asRoot
      ? execFileAsync('runuser', ['-u', owner, '--', path.join(bin, 'psql'), '-XAtc', sql], {
          env: { ...process.env, ...psqlEnv },
        })
      : execFileAsync(path.join(bin, 'psql'), ['-XAtc', sql], { env: { ...process.env, ...psqlEnv } });
  const version = (await psql('SELECT version()')).stdout.trim().replace(/ on .*$/, '');
  log(`PostgreSQL: ${version}, a throw-away cluster on 127.0.0.1:${port} in ${data}`);
  let stopped = false;
  return {
    port,
    dir,
    superuser: 'postgres',
    psqlEnv,
    version,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a shell script as the cluster's owner (peer authentication on the socket needs that OS user). */
export async function runAsClusterOwner(
  script: string,
  env: NodeJS.ProcessEnv,
  cluster: PostgresCluster,
): Promise<string> {
  const bin = findPostgresBinDir();
  const fullEnv = { ...process.env, ...cluster.psqlEnv, ...env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  const { stdout } =
    userInfo().uid === 0
      ? await execFileAsync('runuser', ['-u', 'postgres', '--', 'sh', script], { env: fullEnv })
      : await execFileAsync('sh', [script], { env: fullEnv });
  return stdout.trim();
}
