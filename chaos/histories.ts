// Saves the event histories of chaos runs (`npm run chaos -- --record-histories [DIR]`, DIR default test/histories/) in
// the replay corpus's format ({workflowId, history}, as the Temporal CLI prints them, decrypted through a codec
// server), so test/replay.test.ts proves that later workflow code still replays runs that lived through a killed
// worker, a killed server or a cancel mid-write. Every scenario's runs are saved, right after the scenario (a later
// scenario may reuse the patron, and so the workflow id); the runs named below under their committed names, the
// others as chaos-<scenario>. A run that broke an invariant or ended unexpectedly is not saved.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CodecKeyRing, EncryptionCodec, startCodecServer } from '../src/codec';
import { findTemporalCli } from '../src/dev/temporal-cli';
import type { ChaosLab } from './lab';
import type { RunRecord } from './scenario';

/** Scenario name → the committed history's file name (test/histories/README.md). */
export const HISTORIES: Record<string, string> = {
  'email swap: PUT applied by Alma after the kill, never reported': 'chaos-worker-killed-swap-applied',
  'loan: loan applied by Alma after the kill, never reported': 'chaos-worker-killed-loan-applied',
  // 'restore: written, read-back in flight (not verified)' wrote chaos-worker-killed-restore-readback: the scenario went
  // with the read-back (issue 26); its history stays in the corpus and keeps replaying.
  'Lost wait: no worker while staff click Lost and confirm': 'chaos-worker-killed-lost-wait',
  'killed (SIGKILL) with the worker, mid email swap PUT': 'chaos-server-and-worker-killed-swap',
  'cancelled while the email swap PUT is in flight in Alma': 'chaos-cancelled-swap-in-flight',
  'cancelled while the loan POST is in flight in Alma': 'chaos-cancelled-loan-in-flight',
};

/** A file name for a scenario without a committed name: chaos-<group>-<scenario>, in lower-case words. */
export function historyName(record: Pick<RunRecord, 'group' | 'scenario'>): string {
  const named = HISTORIES[record.scenario];
  if (named) return named;
  const slug = `${record.group} ${record.scenario}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  // At most 80 characters, cut between words.
  return `chaos-${slug.length > 80 ? slug.slice(0, 81).replace(/-[^-]*$/, '') : slug}`;
}

export async function recordHistories(lab: ChaosLab, records: RunRecord[], dir: string): Promise<string[]> {
  const cli = await findTemporalCli(() => undefined);
  if (cli.kind !== 'path') throw new Error('recording histories needs a temporal binary');
  const codec = await startCodecServer({
    codec: new EncryptionCodec(CodecKeyRing.parse(lab.codecKeys)),
    allowedOrigins: [],
  });
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const taken = new Map<string, number>();
  try {
    for (const r of records) {
      if (!r.workflowId || !r.outcomeOk || r.violations.length) continue;
      // Several runs of one scenario (a batch, --repeat): the second and later get -2, -3…
      const base = historyName(r);
      const n = (taken.get(base) ?? 0) + 1;
      taken.set(base, n);
      const name = n === 1 ? base : `${base}-${n}`;
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
