// The Alma simulator in a process of its own, as Alma is its own server, driven through its /_sim controls. In the
// bench's process its event loop also served the bench's own work (starting 100 relinks at a time, watching each),
// ran up to 110 ms late, and so saw calls sent apart arrive together: the busiest-second figure measured the bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Fixtures, SimCall, SimFaults } from '../src/alma-sim';

/** What the bench asks of the simulator. */
export interface BenchSim {
  url: string;
  apiKey: string;
  pid: number;
  reset(fixtures: Fixtures): Promise<void>;
  setFaults(faults: SimFaults): Promise<void>;
  /** The calls received, from the `from`-th on (0-based). */
  calls(from?: number): Promise<SimCall[]>;
  /** The staff member's Lost click. */
  declareLost(loanId: string): Promise<void>;
  close(): Promise<void>;
}

const root = path.resolve(__dirname, '..');

export async function startSimProcess(options: { fixtures: Fixtures; dailyBudget: number }): Promise<BenchSim> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-sim-'));
  const fixturesFile = path.join(dir, 'fixtures.json');
  writeFileSync(fixturesFile, JSON.stringify(options.fixtures));
  const apiKey = `bench-${randomBytes(8).toString('hex')}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join('src', 'alma-sim', 'main.ts'),
      '--port',
      '0',
      '--fixtures',
      fixturesFile,
      '--daily-budget',
      String(options.dailyBudget),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ALMA_SIM_API_KEY: apiKey } },
  );
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^Alma simulator listening on (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}): ${stderr.join('').trim()}`)));
  });
  rmSync(dir, { recursive: true, force: true });

  const admin = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_sim${route}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${method} ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    url,
    apiKey,
    pid: child.pid!,
    reset: async (fixtures) => void (await admin('POST', '/reset', fixtures)),
    setFaults: async (faults) => void (await admin('PUT', '/faults', faults)),
    calls: (from = 0) => admin<SimCall[]>('GET', `/calls?from=${from}`),
    declareLost: async (loanId) => void (await admin('POST', `/staff/loans/${encodeURIComponent(loanId)}/lost`, {})),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
