// Saves the event histories of chosen chaos runs under test/histories/ (format {workflowId, history}, as the
// Temporal CLI prints them, decrypted through a codec server), so test/replay.test.ts proves that later workflow
// code still replays runs that lived through a killed worker, a killed server or a cancel mid-write.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CodecKeyRing, EncryptionCodec, startCodecServer } from '../src/codec';
import { findTemporalCli } from '../src/dev/temporal-cli';
import type { ChaosLab } from './lab';
import type { RunRecord } from './scenario';

/** Scenario name → history file name. */
export const HISTORIES: Record<string, string> = {
  'email swap: PUT applied by Alma after the kill, never reported': 'chaos-worker-killed-swap-applied',
  'loan: loan applied by Alma after the kill, never reported': 'chaos-worker-killed-loan-applied',
  'restore: written, read-back in flight (not verified)': 'chaos-worker-killed-restore-readback',
  'Lost wait: no worker while staff click Lost and confirm': 'chaos-worker-killed-lost-wait',
  'killed (SIGKILL) with the worker, mid email swap PUT': 'chaos-server-and-worker-killed-swap',
  'cancelled while the email swap PUT is in flight in Alma': 'chaos-cancelled-swap-in-flight',
  'cancelled while the loan POST is in flight in Alma': 'chaos-cancelled-loan-in-flight',
};

export async function recordHistories(lab: ChaosLab, records: RunRecord[], dir: string): Promise<string[]> {
  const cli = await findTemporalCli(() => undefined);
  if (cli.kind !== 'path') throw new Error('recording histories needs a temporal binary');
  const codec = await startCodecServer({
    codec: new EncryptionCodec(CodecKeyRing.parse(lab.codecKeys)),
    allowedOrigins: [],
  });
  const written: string[] = [];
  try {
    for (const r of records) {
      const name = HISTORIES[r.scenario];
      if (!name || !r.workflowId || !r.outcomeOk || r.violations.length) continue;
      // Shown through the codec server so a committed history replays without this run's key.
      const { stdout: shown } = await promisify(execFile)(
        cli.path,
        [
          'workflow',
          'show',
          '-w',
          r.workflowId,
          '--output',
          'json',
          '--address',
          lab.server.address,
          '--codec-endpoint',
          codec.url,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ workflowId: r.workflowId, history: JSON.parse(shown) }));
      written.push(file);
      lab.log(`  history of ${r.workflowId} saved to ${path.relative(process.cwd(), file)}`);
    }
  } finally {
    await codec.close();
  }
  return written;
}
