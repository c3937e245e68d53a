// `npm run dev-server`: a persistent Temporal dev server for development, with the Web UI and a codec server so the
// UI shows decrypted payloads. Workflows survive a restart because state lives in .data/temporal.db (SQLite).
import path from 'node:path';
import { closeOnSignals, runMain } from '../entry-point';
import { startDevCodecServer } from './codec-server';
import { startDevServer } from './temporal-server';

async function run(): Promise<void> {
  const dbFilename = process.env.TEMPORAL_DB_FILE ?? path.resolve('.data', 'temporal.db');
  const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
  // An explicit TEMPORAL_UI_CODEC_ENDPOINT points the UI at a codec server run elsewhere; otherwise run one here.
  const codec = process.env.TEMPORAL_UI_CODEC_ENDPOINT ? undefined : await startDevCodecServer(uiPort);
  const server = await startDevServer({
    dbFilename,
    port: Number(process.env.TEMPORAL_PORT ?? 7233),
    uiPort,
    uiCodecEndpoint: process.env.TEMPORAL_UI_CODEC_ENDPOINT ?? codec?.endpoint,
  });
  console.log(`Temporal dev server: ${server.address}`);
  console.log(`Web UI:              ${server.uiUrl}`);
  console.log(
    `Codec server:        ${process.env.TEMPORAL_UI_CODEC_ENDPOINT ?? codec?.endpoint}` +
      (codec ? ` (keys: ${codec.keys.ids.join(', ')}${codec.started ? '' : '; already running'})` : ''),
  );
  console.log(`State (SQLite):      ${dbFilename}`);
  console.log('Press Ctrl-C to stop; running workflows continue after the next start.');
  closeOnSignals(() => Promise.all([server.stop(), codec?.close()]));
}

runMain(run);
