import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { relinkSearchAttributes, searchAttributeFlags } from '../contract';
import { freePort } from './free-port';
import { findTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** SQLite file for persistence; omitted = in memory. */
  dbFilename?: string;
  /** gRPC port; 0 or omitted = a free one. */
  port?: number;
  /** Web UI port; omitted = headless (no UI). */
  uiPort?: number;
  /** Passed to the Web UI so an admin's browser decrypts payloads (see the codec server). */
  uiCodecEndpoint?: string;
  /** How long to wait for the server to answer; a cold start on 2 cores can be slow. */
  startupTimeoutMs?: number;
  log?: (line: string) => void;
  /** Where the server's own output goes; default: inherited stderr. */
  stdio?: 'inherit' | 'ignore';
  /** Dynamic config values (`--dynamic-config-value KEY=VALUE`), e.g. for the benchmark. */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  pid?: number;
  stop(): Promise<void>;
}

async function waitForFrontend(address: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`temporal server exited early with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `temporal server start-dev` with the project's search attributes registered. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? ((l: string) => console.error(l));
  const cli = await findTemporalCli(log);
  const port = options.port || (await freePort());
  const address = `127.0.0.1:${port}`;
  const uiArgs = options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless'];
  if (options.uiPort && options.uiCodecEndpoint) uiArgs.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFilename) mkdirSync(path.dirname(options.dbFilename), { recursive: true });

  if (cli.kind === 'sdk-download') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        port,
        ...(options.uiPort ? { uiPort: options.uiPort } : {}),
        ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
        searchAttributes: relinkSearchAttributes,
        extraArgs: options.uiPort && options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : [],
      },
    });
    return {
      address,
      uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
      stop: () => env.teardown(),
    };
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    ...uiArgs,
    ...(options.dbFilename ? ['--db-filename', options.dbFilename] : []),
    ...searchAttributeFlags.flatMap((flag) => ['--search-attribute', flag]),
    '--log-level',
    'error',
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
  const child = spawn(cli.path, args, { stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'] });
  try {
    await waitForFrontend(address, options.startupTimeoutMs ?? 90_000, child);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}
