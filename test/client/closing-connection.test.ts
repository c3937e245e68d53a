// A call still in flight when the client connection closes fails; it is not retried on the closed channel. The SDK's
// default retry did that, from a timer, when the dropped call came back UNAVAILABLE: an uncaught "Channel has been
// shut down" that crashed whichever test file (or desk process) ran next. Here the call's transport is cut right
// after the close (a TCP relay in front of the dev server), as grpc-js itself cuts it some 20 s later.
import net from 'node:net';
import { Client } from '@temporalio/client';
import { connectClosable } from '../../src/temporal-client-connection';
import { connectToTestServer, testServerAddress, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal';

function startRelay(target: string): Promise<{ address: string; cut(): void; close(): Promise<void> }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(port, host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined).on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        cut: () => sockets.forEach((s) => s.destroy()),
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

describe('a client connection that closes with a call in flight', () => {
  let temporal: TemporalTestContext;
  beforeAll(async () => {
    temporal = await connectToTestServer();
  });
  afterAll(async () => temporal?.close());

  it('fails the call instead of retrying it on the closed channel', async () => {
    const relay = await startRelay(testServerAddress());
    const workflowId = `closing-connection-${Date.now()}`;
    // No worker polls this queue: a query waits for one.
    await temporal.client.workflow.start('nobodyRunsThis', {
      taskQueue: uniqueTaskQueue('nobody'),
      workflowId,
      args: [],
    });
    try {
      const connection = await connectClosable({ address: relay.address });
      const client = new Client({ connection, namespace: temporal.namespace });
      const query = client.workflow.getHandle(workflowId).query('anything');
      const settled = query.then(
        () => 'answered',
        (err: Error) => `failed: ${err.message}`,
      );
      await new Promise((r) => setTimeout(r, 300)); // the query is at the server, waiting
      await connection.close();
      relay.cut();
      // Unfixed, the retry throws from a timer 100 ms on and the query never settles.
      const within = new Promise((r) => setTimeout(() => r('never settled'), 10_000).unref());
      await expect(Promise.race([settled, within])).resolves.toMatch(/^failed: /);
      await new Promise((r) => setTimeout(r, 1500)); // past every retry delay the SDK would have used
    } finally {
      await temporal.client.workflow.getHandle(workflowId).terminate('test over');
      await relay.close();
    }
  });
});
