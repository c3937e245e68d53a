// Temporal's standard client configuration (@temporalio/envconfig) is accepted beside the project's own names: a
// profile of a TOML file, the TEMPORAL_TLS_*_PATH variables, and the old TEMPORAL_TLS_CERT/KEY/CA as aliases.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadSettings, temporalConnectionOptions } from '../../src/config';

const temporal = (env: NodeJS.ProcessEnv) => loadSettings(['temporal'], env, { dotenv: false }).temporal;
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const OTHER = '-----BEGIN CERTIFICATE-----\nOTHER\n-----END CERTIFICATE-----\n';

describe("Temporal's environment configuration", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'relink-envconfig-'));
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const cert = file('client.pem', CERT);
  const key = file('client.key', KEY);
  const ca = file('ca.pem', OTHER);
  const toml = file(
    'temporal.toml',
    [
      '[profile.default]',
      'address = "127.0.0.1:7233"',
      '[profile.library]',
      'address = "temporal.library.example.edu:7233"',
      'namespace = "relinks"',
      '[profile.library.tls]',
      `client_cert_path = "${cert}"`,
      `client_key_path = "${key}"`,
      'server_name = "frontend.internal"',
    ].join('\n'),
  );

  it('takes a profile of the TOML file, chosen with TEMPORAL_PROFILE', () => {
    const t = temporal({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'library' });
    expect(t.TEMPORAL_NAMESPACE).toBe('relinks');
    expect(temporalConnectionOptions(t)).toEqual({
      address: 'temporal.library.example.edu:7233',
      tls: {
        clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) },
        serverNameOverride: 'frontend.internal',
      },
    });
  });

  it("takes the standard TEMPORAL_TLS_*_PATH variables, and the project's own names win where both are set", () => {
    const standard = temporal({
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
    });
    expect(temporalConnectionOptions(standard).tls).toEqual({
      clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) },
      serverRootCACertificate: Buffer.from(OTHER),
    });
    const both = temporal({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca, TEMPORAL_TLS_CA: cert });
    expect(temporalConnectionOptions(both).tls).toEqual({ serverRootCACertificate: Buffer.from(CERT) });
  });

  it('says which profile is missing, with the other settings problems', () => {
    expect(() => temporal({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' })).toThrow(ConfigError);
    expect(() => temporal({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' })).toThrow(
      /Profile 'nope' not found/,
    );
  });
});
