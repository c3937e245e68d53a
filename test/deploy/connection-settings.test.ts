// How the worker and the CLI reach Temporal: a dev server, a cluster behind mTLS, or Temporal Cloud with an API key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isLoopback, loadSettings, temporalConnectionOptions } from '../../src/config';

const temporal = (env: NodeJS.ProcessEnv) => loadSettings(['temporal'], env, { dotenv: false }).temporal;
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

describe('the Temporal connection settings', () => {
  it('speak plain gRPC to a dev server by default', () => {
    expect(temporalConnectionOptions(temporal({}))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('use mTLS with a client certificate and key, given as files or as PEM text', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relink-tls-'));
    writeFileSync(path.join(dir, 'client.pem'), CERT);
    writeFileSync(path.join(dir, 'client.key'), KEY);
    const fromFiles = temporalConnectionOptions(
      temporal({
        TEMPORAL_ADDRESS: 'temporal.library.example.edu:7233',
        TEMPORAL_TLS_CERT: path.join(dir, 'client.pem'),
        TEMPORAL_TLS_KEY: path.join(dir, 'client.key'),
        TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
      }),
    );
    expect(fromFiles).toEqual({
      address: 'temporal.library.example.edu:7233',
      tls: {
        clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) },
        serverNameOverride: 'frontend.internal',
      },
    });
    // PEM text in one line with \n escapes, as an env file holds it.
    const inline = temporalConnectionOptions(
      temporal({ TEMPORAL_TLS_CERT: CERT.replace(/\n/g, '\\n'), TEMPORAL_TLS_KEY: KEY, TEMPORAL_TLS_CA: CERT }),
    );
    expect(inline.tls).toEqual({
      clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) },
      serverRootCACertificate: Buffer.from(CERT),
    });
  });

  it('use TLS and the API key for Temporal Cloud', () => {
    expect(
      temporalConnectionOptions(
        temporal({
          TEMPORAL_ADDRESS: 'relink.a1b2c.tmprl.cloud:7233',
          TEMPORAL_API_KEY: 'key',
          TEMPORAL_NAMESPACE: 'relink.a1b2c',
        }),
      ),
    ).toEqual({ address: 'relink.a1b2c.tmprl.cloud:7233', tls: {}, apiKey: 'key' });
    expect(temporalConnectionOptions(temporal({ TEMPORAL_TLS: 'true' })).tls).toEqual({});
  });

  it('report what is wrong: a lone certificate, an unreadable file, a contradiction', () => {
    expect(() => temporal({ TEMPORAL_TLS_CERT: CERT })).toThrow(/set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY together/);
    expect(() => temporal({ TEMPORAL_TLS_CERT: '/nope/client.pem', TEMPORAL_TLS_KEY: KEY })).toThrow(
      /TEMPORAL_TLS_CERT: cannot read the client certificate \(PEM\) from \/nope\/client.pem: ENOENT/,
    );
    expect(() => temporal({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toThrow(/TEMPORAL_TLS=false contradicts/);
  });

  it('treat an empty setting as unset (compose passes ${VAR:-} for optional ones)', () => {
    expect(
      temporalConnectionOptions(temporal({ TEMPORAL_TLS_CERT: '', TEMPORAL_API_KEY: '', TEMPORAL_ADDRESS: '' })),
    ).toEqual({
      address: '127.0.0.1:7233',
    });
  });

  it('tell a server on this machine from one elsewhere (the development payload key is for the former only)', () => {
    for (const local of ['127.0.0.1:7233', 'localhost:7233', '[::1]:7233', 'http://127.0.0.1:8480', '127.0.0.2']) {
      expect({ local, loopback: isLoopback(local) }).toEqual({ local, loopback: true });
    }
    for (const remote of [
      'temporal:7233',
      'relink.a1b2c.tmprl.cloud:7233',
      'https://api-eu.hosted.exlibrisgroup.com',
      '0.0.0.0',
      'alma-sim:8480',
    ]) {
      expect({ remote, loopback: isLoopback(remote) }).toEqual({ remote, loopback: false });
    }
  });
});
