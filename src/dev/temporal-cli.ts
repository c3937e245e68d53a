import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The Temporal CLI release we build: the newest tag whose go.mod has no `replace` directive (go install needs that). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const MIN_GO = [1, 25];

/** Where the CLI comes from: a binary we can run, or the Temporal SDK's own download as a last resort. */
export type TemporalCli = { kind: 'path'; path: string; source: string } | { kind: 'sdk-download'; source: string };

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'alma-relink');
}

export function cachedBinaryPath(): string {
  return path.join(cacheDir(), 'bin', process.platform === 'win32' ? 'temporal.exe' : 'temporal');
}

type Log = (line: string) => void;

async function versionOf(binary: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 30_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate) && (await versionOf(candidate))) return candidate;
  }
  return undefined;
}

async function goVersion(): Promise<[number, number] | undefined> {
  try {
    const { stdout } = await execFileAsync('go', ['env', 'GOVERSION'], { timeout: 30_000 });
    const match = /go(\d+)\.(\d+)/.exec(stdout);
    return match ? [Number(match[1]), Number(match[2])] : undefined;
  } catch {
    return undefined;
  }
}

async function goInstall(log: Log): Promise<string> {
  const gobin = path.dirname(cachedBinaryPath());
  mkdirSync(gobin, { recursive: true });
  const started = Date.now();
  log(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} from Go modules into ${gobin}.`);
  log('A first build takes several minutes; later runs reuse the binary and the Go build cache.');
  await new Promise<void>((resolve, reject) => {
    // -s -w drops debug tables (a third of the size); -X stamps the version that a plain go install leaves as DEV.
    const ldflags = `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;
    const module = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
    const child = spawn('go', ['install', '-trimpath', `-ldflags=${ldflags}`, module], {
      env: { ...process.env, GOBIN: gobin },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install exited with code ${code}`))));
  });
  log(`Built ${cachedBinaryPath()} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return cachedBinaryPath();
}

/**
 * Finds the Temporal CLI (which includes the dev server and the Web UI), trying in order:
 * 1. TEMPORAL_CLI_PATH; 2. the per-user cache, then `temporal` on PATH; 3. `go install` into the cache
 * when Go >= 1.25 is present; 4. the Temporal SDK's own download.
 */
export async function findTemporalCli(log: Log = (l) => console.error(l)): Promise<TemporalCli> {
  const tried: string[] = [];

  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (await versionOf(explicit)) return { kind: 'path', path: explicit, source: 'TEMPORAL_CLI_PATH' };
    throw new Error(`TEMPORAL_CLI_PATH is set to ${explicit}, but that is not a runnable Temporal CLI.`);
  }
  tried.push('1. TEMPORAL_CLI_PATH: not set');

  const cached = cachedBinaryPath();
  if (existsSync(cached) && (await versionOf(cached))) return { kind: 'path', path: cached, source: 'cache' };
  const fromPath = await onPath(process.platform === 'win32' ? 'temporal.exe' : 'temporal');
  if (fromPath) return { kind: 'path', path: fromPath, source: 'PATH' };
  tried.push(`2. ${cached} and \`temporal\` on PATH: not found`);

  const go = await goVersion();
  if (go && (go[0] > MIN_GO[0]! || (go[0] === MIN_GO[0] && go[1] >= MIN_GO[1]!))) {
    try {
      return { kind: 'path', path: await goInstall(log), source: 'go install' };
    } catch (err) {
      tried.push(`3. go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}: ${String(err)}`);
    }
  } else {
    tried.push(`3. go install: needs Go >= ${MIN_GO.join('.')}, found ${go ? go.join('.') : 'no Go'}`);
  }

  if (process.env.ALMA_RELINK_NO_SDK_DOWNLOAD !== '1') {
    log('Falling back to the Temporal SDK download of the CLI (needs access to temporal.download).');
    return { kind: 'sdk-download', source: 'sdk download' };
  }
  tried.push('4. the Temporal SDK download: disabled by ALMA_RELINK_NO_SDK_DOWNLOAD=1');
  throw new Error(
    `No Temporal CLI could be found or built. Tried:\n  ${tried.join('\n  ')}\n` +
      `Set TEMPORAL_CLI_PATH to a temporal binary, put one on PATH, or install Go >= ${MIN_GO.join('.')}.`,
  );
}
