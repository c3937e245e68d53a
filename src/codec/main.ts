// `npm run codec-server`: the codec server for the Temporal Web UI and the `temporal` CLI (--codec-endpoint).
// Settings: RELINK_CODEC_KEYS or RELINK_CODEC_KEY_FILE, RELINK_CODEC_HOST (127.0.0.1), RELINK_CODEC_PORT (8888),
// RELINK_CODEC_CORS_ORIGINS (http://127.0.0.1:8233,http://localhost:8233).
import { isLoopback, loadSettings } from '../config';
import { closeOnSignals, runMain } from '../entry-point';
import { codecAccess } from './access';
import { startCodecServer } from './codec-server';
import { EncryptionCodec } from './encryption-codec';
import { codecKeyRing } from './setup';

async function run(): Promise<void> {
  const { codec } = loadSettings(['codec']);
  const keys = codecKeyRing(codec, {
    // Listening on loopback: only this machine's browser (a developer's) can reach it.
    devKeyAllowed: isLoopback(codec.RELINK_CODEC_HOST),
    requiredBecause: `the codec server listens on ${codec.RELINK_CODEC_HOST}, beyond this machine`,
    onDevKey: (file) => console.error(`Using the development payload key in ${file} (no RELINK_CODEC_KEYS set).`),
  });
  const onlyLoopback = !codec.RELINK_CODEC_OIDC_ISSUER && !codec.RELINK_CODEC_ALLOWED_NETWORKS;
  if (onlyLoopback && !isLoopback(codec.RELINK_CODEC_HOST)) {
    // It would refuse every caller but this machine's; say so now rather than at the first 403.
    console.error(
      `The codec server listens on ${codec.RELINK_CODEC_HOST} but admits callers on this machine only: set ` +
        'RELINK_CODEC_OIDC_ISSUER (tokens of the Web UI sign-on) or RELINK_CODEC_ALLOWED_NETWORKS.',
    );
  }
  const server = await startCodecServer({
    codec: new EncryptionCodec(keys),
    allowedOrigins: codec.RELINK_CODEC_CORS_ORIGINS,
    host: codec.RELINK_CODEC_HOST,
    port: codec.RELINK_CODEC_PORT,
    access: codecAccess({
      oidcIssuer: codec.RELINK_CODEC_OIDC_ISSUER,
      oidcAudience: codec.RELINK_CODEC_OIDC_AUDIENCE,
      jwksUrl: codec.RELINK_CODEC_OIDC_JWKS_URL,
      allowedNetworks: codec.RELINK_CODEC_ALLOWED_NETWORKS,
    }),
    encode: codec.RELINK_CODEC_ENCODE,
    trustProxy: codec.RELINK_CODEC_TRUSTED_PROXIES,
  });
  console.log(`Codec server on http://${codec.RELINK_CODEC_HOST}:${server.port} (keys: ${keys.ids.join(', ')})`);
  console.log(`  Web UI origins allowed: ${codec.RELINK_CODEC_CORS_ORIGINS.join(', ')}`);
  console.log(
    `  Who may decode: ${[
      codec.RELINK_CODEC_OIDC_ISSUER && `tokens signed by ${codec.RELINK_CODEC_OIDC_ISSUER}`,
      codec.RELINK_CODEC_ALLOWED_NETWORKS && `callers from ${codec.RELINK_CODEC_ALLOWED_NETWORKS.join(', ')}`,
      onlyLoopback && 'callers on this machine',
    ]
      .filter(Boolean)
      .join(', and ')}${codec.RELINK_CODEC_ENCODE ? '' : '; /encode is off'}`,
  );
  console.log(`  For the CLI: temporal workflow show -w ID --codec-endpoint ${server.url}`);
  closeOnSignals(() => server.close());
}

runMain(run);
