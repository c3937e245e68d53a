import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'alma-sim.js');

/** Starts the CLI and resolves with its base URL once it says it is listening. */
function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not start:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code}:\n${out}`));
    });
  });
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('the alma-sim command', () => {
  it('serves the project example fixtures from any working directory and stops cleanly on SIGTERM', async () => {
    const { child, url } = await startCli(['--port', '0', '--api-key', 'cli-key', '--seed', '3']);
    try {
      const res = await axios.get(`${url}/almaws/v1/users/okafor.chidi`, {
        headers: { Authorization: 'apikey cli-key', Accept: 'application/json' },
      });
      expect(res.data.primary_id).toBe('okafor.chidi');
    } finally {
      const exited = exitOf(child);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('refuses a fixtures file it cannot load, saying which', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--fixtures', 'missing.json'], {
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    expect(await exitOf(child)).toBe(1);
    expect(err).toContain(path.join(tmpdir(), 'missing.json'));
  });
});
