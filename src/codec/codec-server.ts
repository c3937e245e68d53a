// The codec server: lets an admin's browser (the Temporal Web UI) and the `temporal` CLI (--codec-endpoint) show
// decrypted payloads, while the Temporal server only ever stores ciphertext. Protocol (Temporal's remote codec):
// `POST …/encode` and `POST …/decode` take and return proto3-JSON Payloads, `{"payloads":[{"metadata":{k: base64},
// "data": base64}]}`; the UI sends an X-Namespace header. Only the last path segment matters, so the server can sit
// under any prefix of a reverse proxy.
//
// CORS admits the configured Web UI origins only. CORS is not authentication: every /encode and /decode first
// passes the access check of access.ts (a signed-in user's token, or the caller's network, or loopback only), and
// a refused caller gets no payload back. In production the codec server sits behind the Web UI's own origin
// (deploy/proxy/nginx.conf), which passes /decode only; `encode: false` turns /encode off here too.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { codecAccess, type AccessRequest, type AccessVerdict } from './access';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call, e.g. http://127.0.0.1:8233. */
  allowedOrigins: string[];
  /** Failures only: a payload is never logged. */
  log?: (line: string) => void;
  /** Who may encode or decode (access.ts); default: callers on this machine only. */
  access?: (req: AccessRequest) => Promise<AccessVerdict>;
  /** False: /encode answers 404 (the Web UI's users never need it; the staff CLI encrypts with its own keys). */
  encode?: boolean;
  /** Proxies whose X-Forwarded-For names the caller (express `trust proxy`), e.g. `loopback` or `uniquelocal`. */
  trustProxy?: string;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const jsonPayloads = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), base64).optional(),
      data: base64.optional(),
    }),
  ),
});
type JsonPayload = z.infer<typeof jsonPayloads>['payloads'][number];

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

const ALLOWED_HEADERS = 'Content-Type, X-Namespace, Authorization';

export function createCodecApp(options: CodecServerOptions): express.Express {
  const allowed = new Set(options.allowedOrigins.map((o) => o.replace(/\/$/, '')));
  const log = options.log ?? ((line: string) => console.error(line));
  const access = options.access ?? codecAccess({});
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? 'loopback');

  // CORS by hand: the rules are four lines, and a refused origin gets a 403 rather than a silently missing header.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next(); // not a browser: the CLI, curl, a health check
    if (!allowed.has(origin)) {
      res.status(403).json({ error: `origin ${origin} may not use this codec server (RELINK_CODEC_CORS_ORIGINS)` });
      return;
    }
    res.vary('Origin');
    res.set('Access-Control-Allow-Origin', origin);
    res.set('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS') {
      res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.set('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Before the body is even read: a refused caller learns nothing but why.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const verdict = await access({ authorization: req.get('Authorization'), ip: req.ip });
    if (verdict.allowed) return next();
    log(`codec server: refused ${req.method} ${req.path} from ${req.ip ?? '-'}: ${verdict.reason}`);
    if (verdict.status === 401) res.set('WWW-Authenticate', 'Bearer');
    res.status(verdict.status).json({ error: verdict.reason });
  });

  // The UI posts with Content-Type application/json; the CLI too. Accept any type: the body is always JSON.
  app.use(express.json({ limit: '8mb', type: () => true }));

  const handler = (op: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const body = jsonPayloads.safeParse(req.body);
    if (!body.success) {
      res
        .status(400)
        .json({ error: `expected {"payloads":[{"metadata":{},"data":""}]}: ${body.error.issues[0]?.message}` });
      return;
    }
    try {
      const payloads = await options.codec[op](body.data.payloads.map(fromJson));
      res.json({ payloads: payloads.map(toJson) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log(`codec server: ${op} failed (namespace ${req.get('X-Namespace') ?? '-'}): ${message}`);
      res.status(400).json({ error: message });
    }
  };
  if (options.encode ?? true) app.post(/\/encode$/, handler('encode'));
  app.post(/\/decode$/, handler('decode'));

  // Malformed JSON and other express errors: a short JSON answer, never a stack with request contents.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    res.status(status).json({ error: status === 400 ? 'the body is not JSON' : 'codec server error' });
  });
  return app;
}

export interface CodecServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startCodecServer(
  options: CodecServerOptions & { host?: string; port?: number },
): Promise<CodecServer> {
  const app = createCodecApp(options);
  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
