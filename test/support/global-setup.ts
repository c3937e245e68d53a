// Starts one Temporal dev server (free port, headless, throw-away SQLite) for the whole jest run.
// Test files reach it through TEMPORAL_TEST_ADDRESS, which jest's worker processes inherit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../src/dev/temporal-server';

declare global {
  var __RELINK_TEST_SERVER__: { server: DevServer; dataDir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'alma-relink-test-'));
  const started = Date.now();
  const server = await startDevServer({
    dbFilename: path.join(dataDir, 'temporal.db'),
    stdio: 'ignore',
    log: (line) => process.stderr.write(`[temporal] ${line}\n`),
  });
  process.env.TEMPORAL_TEST_ADDRESS = server.address;
  process.env.TEMPORAL_TEST_DATA_DIR = dataDir;
  globalThis.__RELINK_TEST_SERVER__ = { server, dataDir };
  // Whatever happens to jest (a crash, Ctrl-C), the server must not outlive it.
  const kill = () => {
    if (server.pid) {
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  process.once('exit', kill);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      kill();
      process.exit(130);
    });
  }
  process.stderr.write(`\n[temporal] dev server on ${server.address} (ready in ${Date.now() - started} ms)\n`);
}
