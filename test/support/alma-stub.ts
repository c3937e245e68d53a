// A tiny programmable HTTP server for the Alma client's unit tests: each test gives it a handler and reads back
// every request it received. Port 0, loopback only, no mocking library.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlmaClient, type AlmaClientOptions } from '../../src/alma';
import { API_KEY } from './alma-fixtures';

export interface StubRequest {
  method: string;
  /** Path and query as sent, e.g. /almaws/v1/users/ana?view=full. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request line arrived. */
  at: number;
}

export interface StubReply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Drop the connection without answering. */
  hangUp?: boolean;
}

export type StubHandler = (req: StubRequest) => StubReply | Promise<StubReply>;

export class AlmaStub {
  readonly requests: StubRequest[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly baseUrl: string,
    private readonly timers: Set<NodeJS.Timeout>,
  ) {}

  static async start(handler: StubHandler): Promise<AlmaStub> {
    const ref: { stub?: AlmaStub } = {};
    const timers = new Set<NodeJS.Timeout>();
    const server = http.createServer((req, res) => {
      const at = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stub.invalid');
        const recorded: StubRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at,
        };
        ref.stub!.requests.push(recorded);
        void (async () => {
          let reply: StubReply;
          try {
            reply = await handler(recorded);
          } catch (err) {
            reply = { status: 599, body: `stub handler threw: ${String(err)}` };
          }
          if (reply.delayMs) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                timers.delete(timer);
                resolve();
              }, reply.delayMs);
              timers.add(timer);
            });
          }
          if (reply.hangUp) {
            req.socket.destroy();
            return;
          }
          const body =
            reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          const headers: Record<string, string> = {
            ...(typeof reply.body === 'object' && reply.body !== null ? { 'content-type': 'application/json' } : {}),
            ...reply.headers,
          };
          if (!res.destroyed) res.writeHead(reply.status ?? 200, headers).end(body);
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ref.stub = new AlmaStub(server, `http://127.0.0.1:${port}`, timers);
    return ref.stub;
  }

  /** Requests whose path (without query) matches. */
  to(path: string | RegExp): StubRequest[] {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  async close(): Promise<void> {
    // Delayed answers are dropped, so no timer outlives the test.
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Alma's JSON error body. */
export const almaJsonError = (code: string, message: string, trackingId = 'E01-TEST-TRACKING') => ({
  errorsExist: true,
  errorList: { error: [{ errorCode: code, errorMessage: message, trackingId }] },
  result: null,
});

/** Alma's XML error body. */
export const almaXmlError = (code: string, message: string, trackingId = 'E01-TEST-TRACKING') =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
  `<web_service_result xmlns="http://com/exlibris/urm/general/xmlbeans"><errorsExist>true</errorsExist>` +
  `<errorList><error><errorCode>${code}</errorCode><errorMessage>${message}</errorMessage>` +
  `<trackingId>${trackingId}</trackingId></error></errorList></web_service_result>`;

const opened: Array<() => Promise<void>> = [];

/** A fresh stub and a client pointed at it, with fast retries. Call `closeStubs` in afterEach. */
export async function stubbedClient(
  handler: StubHandler,
  options: Partial<AlmaClientOptions> = {},
): Promise<{ stub: AlmaStub; client: AlmaClient }> {
  const stub = await AlmaStub.start(handler);
  const client = new AlmaClient({ baseUrl: stub.baseUrl, apiKey: API_KEY, retryDelayMs: 5, ...options });
  opened.push(async () => {
    client.close();
    await stub.close();
  });
  return { stub, client };
}

export async function closeStubs(): Promise<void> {
  await Promise.all(opened.splice(0).map((close) => close()));
}
