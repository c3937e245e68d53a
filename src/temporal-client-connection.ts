// Temporal client connections whose close is final: a call still in flight when one closes is not retried.
//
// grpc-js drops the calls a closed channel still carries with UNAVAILABLE ("Connection dropped") some 20 s later, and
// the SDK's default retry interceptor then retries them on the closed channel; that retry throws from a timer, an
// uncaught exception that ends the process. It happened in CI: a desk page's query was still waiting when the desk
// closed (its browser had gone), and the test file running 20 s later crashed. The retry options are the SDK's own;
// only "never after close" is added, so the caller sees the call fail instead. `close()` on the connection sets it.
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';

function finalClose(options: ConnectionOptions, make: (options: ConnectionOptions) => Connection): Connection {
  let closed = false;
  // When the last retry already scheduled is due: a close waits for it (a worker's shutdown answers a waiting query
  // retryable just before its harness closes the connection), so no timer retries on the closed channel.
  let retryDueBy = 0;
  const defaults = defaultGrpcRetryOptions();
  const connection = make({
    ...options,
    interceptors: [
      makeGrpcRetryInterceptor({
        delayFunction: (attempt, status) => {
          const ms = defaults.delayFunction(attempt, status);
          retryDueBy = Math.max(retryDueBy, Date.now() + ms);
          return ms;
        },
        retryableDecider: (attempt, status) => !closed && defaults.retryableDecider(attempt, status),
      }),
      ...(options.interceptors ?? []),
    ],
  });
  const close = connection.close.bind(connection);
  connection.close = async () => {
    const giveUpAt = Date.now() + 10_000;
    while (retryDueBy > Date.now() && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, retryDueBy - Date.now() + 50));
    }
    closed = true;
    await close();
  };
  return connection;
}

/** Connection.connect, with a final close. */
export async function connectClosable(options: ConnectionOptions): Promise<Connection> {
  const connection = finalClose(options, (o) => Connection.lazy(o));
  await connection.ensureConnected();
  return connection;
}

/** Connection.lazy (connects on first use: a process that starts while Temporal is down), with a final close. */
export const lazyClosable = (options: ConnectionOptions): Connection => finalClose(options, (o) => Connection.lazy(o));
