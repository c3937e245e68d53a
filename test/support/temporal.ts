import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { devKeyRing, relinkDataConverter } from '../../src/codec';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes } from '../../src/namespace-setup';
import { connectClosable } from '../../src/temporal-client-connection';

let runtimeInstalled = false;

/** Quiet worker logs in tests: errors only (expected activity failures are logged as warnings). */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by another test file in this worker process.
  }
}

export function testServerAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run tests through `npm test` (jest globalSetup).');
  return address;
}

/**
 * Tests encrypt payloads like production does, with the checkout's development key (.data/codec-dev-key): the
 * same key a CLI or worker subprocess of a test picks for a Temporal server on loopback.
 */
export function testDataConverter(): DataConverter {
  return relinkDataConverter(devKeyRing());
}

export interface TemporalTestContext {
  client: Client;
  namespace: string;
  dataConverter: DataConverter;
  connection: Connection;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/**
 * Connects a client and a worker connection to the dev server that jest's globalSetup started (or another one), in
 * `namespace` (made if missing): a test that lists relinks has one of its own, away from other files' relinks.
 */
export async function connectToTestServer(
  address = testServerAddress(),
  namespace = 'default',
): Promise<TemporalTestContext> {
  installQuietRuntime();
  const connection = await connectClosable({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  if (namespace !== 'default') await ensureTestNamespace(connection, nativeConnection, namespace);
  const dataConverter = testDataConverter();
  const client = new Client({ connection, namespace, dataConverter });
  return {
    client,
    namespace,
    dataConverter,
    connection,
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** A task queue name no other test file uses, so workers of parallel files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A namespace of a test file's own, with the relink's search attributes: relinks a test leaves stuck on purpose must
 * not be seen by other files on the same dev server (relink doctor's "everything in place" counts stuck relinks
 * namespace-wide). Registered once; a fresh namespace takes a moment to be served.
 */
export async function ensureTestNamespace(connection: Connection, native: NativeConnection, namespace: string) {
  await connection.workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') })
    .catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS
    });
  for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 250))) {
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
      await ensureSearchAttributes(native, namespace);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}
