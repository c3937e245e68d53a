// The Temporal server and temporal-sql-tool at the release docker-compose.yml names, built from Go modules into the
// per-user cache (~/.cache/alma-relink/bin/<version>/), as the Temporal CLI is (../temporal-cli.ts). The Go module
// and build caches stay in their usual places, so a second run finds both binaries and builds nothing.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/project-root';
import { cacheDir } from '../../src/dev/temporal-cli';

const execFileAsync = promisify(execFile);

/**
 * The server's go.mod asks for Go 1.26.10 since 1.30.9; an older local Go fetches this toolchain through the module
 * proxy (GOTOOLCHAIN) instead of refusing. A Go that is new enough is used as it is.
 */
export const GO_TOOLCHAIN = 'go1.27.3';
const SERVER_NEEDS_GO: [number, number, number] = [1, 26, 10];

/** The temporalio/server tag docker-compose.yml runs when TEMPORAL_VERSION is unset: the one release for both. */
export function composeServerVersion(composeFile = path.join(PROJECT_ROOT, 'docker-compose.yml')): string {
  const match = /image:\s*temporalio\/server:\$\{TEMPORAL_VERSION:-([0-9]+\.[0-9]+\.[0-9]+)\}/.exec(
    readFileSync(composeFile, 'utf8'),
  );
  if (!match) throw new Error(`${composeFile} names no temporalio/server:\${TEMPORAL_VERSION:-x.y.z} image`);
  return match[1]!;
}

export interface TemporalServerBinaries {
  version: string;
  server: string;
  sqlTool: string;
  /** True when this run built them (a first run), false when the cache had them. */
  built: boolean;
}

export function serverBinDir(version: string): string {
  return path.join(cacheDir(), 'bin', `v${version}`);
}

async function localGoIsNewEnough(): Promise<boolean> {
  const { stdout } = await execFileAsync('go', ['env', 'GOVERSION'], { timeout: 30_000 }).catch(() => {
    throw new Error('prod-check builds the Temporal server from Go modules: install Go (https://go.dev/doc/install)');
  });
  const parts = (/go(\d+)\.(\d+)(?:\.(\d+))?/.exec(stdout) ?? []).slice(1).map((p) => Number(p ?? 0));
  for (let i = 0; i < 3; i++) {
    if ((parts[i] ?? 0) !== SERVER_NEEDS_GO[i]) return (parts[i] ?? 0) > SERVER_NEEDS_GO[i]!;
  }
  return true;
}

/** Finds both binaries in the cache, or builds them (several minutes the first time on two cores). */
export async function ensureTemporalServer(
  version: string,
  log: (line: string) => void,
): Promise<TemporalServerBinaries> {
  const dir = serverBinDir(version);
  const server = path.join(dir, 'temporal-server');
  const sqlTool = path.join(dir, 'temporal-sql-tool');
  if (existsSync(server) && existsSync(sqlTool)) return { version, server, sqlTool, built: false };

  mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, GOBIN: dir };
  if (!(await localGoIsNewEnough())) env.GOTOOLCHAIN = GO_TOOLCHAIN;
  const started = Date.now();
  log(`building the Temporal server v${version} and temporal-sql-tool from Go modules into ${dir}`);
  log('  (a first build takes several minutes; later runs reuse the binaries and the Go caches)');
  await new Promise<void>((resolve, reject) => {
    // -s -w drops the debug tables: a third smaller, and nothing here debugs the server.
    const child = spawn(
      'go',
      [
        'install',
        '-trimpath',
        '-ldflags=-s -w',
        `go.temporal.io/server/cmd/server@v${version}`,
        `go.temporal.io/server/cmd/tools/sql@v${version}`,
      ],
      { env, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install exited with code ${code}`))));
  });
  // go install names a binary after its package directory; the images call them temporal-server and
  // temporal-sql-tool, and so do the scripts in deploy/.
  renameSync(path.join(dir, 'server'), server);
  renameSync(path.join(dir, 'sql'), sqlTool);
  log(`built them in ${Math.round((Date.now() - started) / 1000)} s`);
  return { version, server, sqlTool, built: true };
}
