import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { devKeyRing, relinkDataConverter } from '../../src/codec';

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
  dataConverter: DataConverter;
  connection: Connection;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/** Connects a client and a worker connection to the dev server that jest's globalSetup started (or another one). */
export async function connectToTestServer(address = testServerAddress()): Promise<TemporalTestContext> {
  installQuietRuntime();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const dataConverter = testDataConverter();
  const client = new Client({ connection, namespace: 'default', dataConverter });
  return {
    client,
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
