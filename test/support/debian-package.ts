// Tools the tests drive from Debian packages (docker-compose, chromium). .ci/run installs them before npm test; a
// developer's `npm test` installs a missing one itself where it can (root with apt); only where apt is unusable is
// the test skipped, with the reason printed — never silently.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const which = (binary: string) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
};

/**
 * The binary's path, installing `pkg` with apt-get when missing; `{ skip }` only where apt cannot be used (not root,
 * no apt-get). A failing apt-get throws: that machine is broken, and the test must say so.
 */
export function debianTool(binary: string, pkg: string): { path: string } | { skip: string } {
  const found = which(binary);
  if (found) return { path: found };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    return { skip: `${binary} is not installed and apt-get is not usable here: run apt-get install -y ${pkg}` };
  }
  try {
    process.stderr.write(`Installing the Debian package ${pkg} for the tests ...\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
      stdio: 'ignore',
      env,
      timeout: 600_000,
    });
  } catch (err) {
    // apt is there but failed: a broken machine, not a reason to skip.
    throw new Error(`apt-get install -y ${pkg} failed: ${(err as Error).message.split('\n')[0]}`);
  }
  const installed = which(binary);
  if (!installed) throw new Error(`${pkg} was installed, but ${binary} is still not on PATH`);
  return { path: installed };
}
