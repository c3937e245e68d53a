// A Temporal client connection whose close is final: a call still in flight when it closes is not retried.
//
// grpc-js drops the calls a closed channel still carries with UNAVAILABLE ("Connection dropped") some 20 s later, and
// the SDK's default retry interceptor then retries them on the closed channel; that retry throws from a timer, an
// uncaught exception that ends the process. It happened in CI: a desk page's query was still waiting when the desk
// closed (its browser had gone), and the test file running 20 s later crashed. The retry options are the SDK's own;
// only "never after close" is added, so the caller sees the call fail instead.
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';

export interface ClosableConnection {
  connection: Connection;
  /** Closes the connection; a call in flight fails rather than being retried. */
  close(): Promise<void>;
}

export async function connectClosable(options: ConnectionOptions): Promise<ClosableConnection> {
  let closed = false;
  const defaults = defaultGrpcRetryOptions();
  const connection = await Connection.connect({
    ...options,
    interceptors: [
      makeGrpcRetryInterceptor({
        ...defaults,
        retryableDecider: (attempt, status) => !closed && defaults.retryableDecider(attempt, status),
      }),
      ...(options.interceptors ?? []),
    ],
  });
  return {
    connection,
    async close() {
      closed = true;
      await connection.close();
    },
  };
}
