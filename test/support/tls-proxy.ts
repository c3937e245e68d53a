// A TLS-terminating reverse proxy as libraries put in front of the desk (nginx, Apache): https on a loopback port with
// a self-signed certificate made for the test by openssl, forwarding to the desk over plain http with the headers
// such a proxy sets (X-Forwarded-For/-Proto/-Host, and the Host staff typed). `addHeaders` lets it act as the
// sign-in proxy too (X-Remote-User); any such header a browser sent is dropped first, as a real one is configured to.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TlsProxy {
  /** https://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid a day. */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'relink-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
        ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTlsProxy(
  target: string,
  { port = 0, addHeaders = {} }: { port?: number; addHeaders?: Record<string, string> } = {},
): Promise<TlsProxy> {
  const upstream = new URL(target);
  const server = https.createServer(selfSignedCertificate(), (req, res) => {
    const headers = { ...req.headers };
    for (const name of Object.keys(addHeaders)) delete headers[name.toLowerCase()];
    Object.assign(headers, {
      ...Object.fromEntries(Object.entries(addHeaders).map(([k, v]) => [k.toLowerCase(), v])),
      'x-forwarded-for': req.socket.remoteAddress ?? '',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': req.headers.host ?? '',
    });
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end('bad gateway');
    });
    req.pipe(forward);
  });
  server.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
