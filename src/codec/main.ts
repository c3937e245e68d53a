// `npm run codec-server`: the codec server for the Temporal Web UI and the `temporal` CLI (--codec-endpoint).
// Settings: RELINK_CODEC_KEYS or RELINK_CODEC_KEY_FILE, RELINK_CODEC_HOST (127.0.0.1), RELINK_CODEC_PORT (8888),
// RELINK_CODEC_CORS_ORIGINS (http://127.0.0.1:8233,http://localhost:8233).
import { isLoopback, loadSettings } from '../config';
import { closeOnSignals, runMain } from '../entry-point';
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
  const server = await startCodecServer({
    codec: new EncryptionCodec(keys),
    allowedOrigins: codec.RELINK_CODEC_CORS_ORIGINS,
    host: codec.RELINK_CODEC_HOST,
    port: codec.RELINK_CODEC_PORT,
  });
  console.log(`Codec server on http://${codec.RELINK_CODEC_HOST}:${server.port} (keys: ${keys.ids.join(', ')})`);
  console.log(`  Web UI origins allowed: ${codec.RELINK_CODEC_CORS_ORIGINS.join(', ')}`);
  console.log(`  For the CLI: temporal workflow show -w ID --codec-endpoint ${server.url}`);
  closeOnSignals(() => server.close());
}

runMain(run);
