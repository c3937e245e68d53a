// Runs the relink command as staff do: `node bin/relink.js ...` in a child process, from an empty directory (so no
// .env interferes), with only the settings the test gives it. Every run is checked for what must never be printed.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { relinkCommandEnv } from '../../src/dev/relink-input';
import type { RelinkHarness } from '../support/relink-harness';
import { testServerAddress } from '../support/temporal';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'relink.js');

/** An empty working directory: no .env file in it. */
export const workDir = mkdtempSync(path.join(tmpdir(), 'relink-cli-'));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The test process's environment without any TEMPORAL_, RELINK_ or ALMA_ setting of the developer's. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|RELINK_|ALMA_)/.test(k)));
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Settings for the harness's dev server and worker; a short Lost poll so a click in the simulator is seen fast. */
export function cliEnv(h: RelinkHarness, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_NAMESPACE: h.temporal.namespace,
    RELINK_TASK_QUEUE: h.taskQueue,
    ...relinkCommandEnv(),
    ...extra,
  });
}

// Any email address but the library's holding address: the patrons' own (…@example.edu, …@example.org).
const PATRON_EMAIL = /[\w.+-]+@(?!library\.example\.edu\b)[\w-]+(\.[\w-]+)+/;

export interface CliOptions {
  timeoutMs?: number;
  /** Called with everything printed on stdout so far, as it arrives: to act when the CLI asks staff to. */
  onStdout?: (stdoutSoFar: string) => void;
}

export function relinkCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  { timeoutMs = 60_000, onStdout }: CliOptions = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`relink ${args.join(' ')} did not end within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const leaked = PATRON_EMAIL.exec(stdout + stderr) ?? (/sim-key/.test(stdout + stderr) ? ['sim-key'] : null);
      if (leaked) reject(new Error(`relink ${args.join(' ')} printed ${leaked[0]}:\n${stdout}\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** The one JSON document a --json run prints on stdout (fails when anything else is there). */
export function jsonOf<T = any>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document:\n${run.stdout}\nstderr: ${run.stderr}`);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
