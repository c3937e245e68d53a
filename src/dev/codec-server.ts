// The codec server that `npm run dev-server` and `npm start` run next to the dev server's Web UI, so the UI shows
// decrypted inputs and results. Keys: RELINK_CODEC_KEYS / RELINK_CODEC_KEY_FILE when set, else the checkout's
// development key (everything here runs on loopback).
import { EncryptionCodec, codecKeyRing, startCodecServer, type CodecKeyRing } from '../codec';
import { loadSettings } from '../config';
import { portOpen } from './free-port';

export interface DevCodecServer {
  /** What the Web UI is told to call (--ui-codec-endpoint). */
  endpoint: string;
  keys: CodecKeyRing;
  /** False when another process (an earlier `npm run dev-server`) already serves this port. */
  started: boolean;
  close(): Promise<void>;
}

export async function startDevCodecServer(uiPort: number): Promise<DevCodecServer> {
  const { codec } = loadSettings(['codec']);
  const keys = codecKeyRing(codec, { devKeyAllowed: true, requiredBecause: 'never' });
  const port = codec.RELINK_CODEC_PORT;
  const endpoint = `http://127.0.0.1:${port}`;
  if (port !== 0 && (await portOpen(port))) {
    return { endpoint, keys, started: false, close: async () => undefined };
  }
  const origins = process.env.RELINK_CODEC_CORS_ORIGINS
    ? codec.RELINK_CODEC_CORS_ORIGINS
    : [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
  const server = await startCodecServer({ codec: new EncryptionCodec(keys), allowedOrigins: origins, port });
  return { endpoint: server.url, keys, started: true, close: () => server.close() };
}
