// Every committed history must replay on the current workflow code without a nondeterminism error: these are the
// relinks running in production when a new worker is deployed, and a change that breaks one strands a relink with the
// holding address in place. test/histories/README.md says how the corpus is recorded and what each prefix means:
// v1-, v2-, v3-: the releases before fewer-round-trips, with it, and up to supersede-recheck; unprefixed: with
// title-level-requests and later patches, recorded by test/relink and test/observability; chaos-*: the chaos suite's
// runs (`npm run chaos -- --record-histories`); r22-*: this release's corpus (test/histories/record-corpus.test.ts),
// relinks held RUNNING in each wait and run through it, with joins during each.
// The rule: before a release, record its corpus under a new prefix and commit it; a workflow change that breaks the
// replay of a previous release's histories fails here, and needs a patched() id (src/workflows/patches.ts).
// The coverage check below fails when a wait kind (AWAITING_KINDS) has no history that holds a relink in it, none
// that went through it to the end, or none with a join during it.
// test/histories/stranded/: histories that cannot replay, kept to prove relink unstick on them (test/upgrade/last-compatible-task.test.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { AWAITING_KINDS } from '../src/contract';
import { readCorpus, WAIT_VARIANTS, waitVariant, type CorpusEntry } from './support/history-corpus';
import { workflowBundle } from './support/relink-harness';

const dir = path.join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replaying committed relink histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const { workflowId, history } = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
  });
});

/**
 * Waits in which this release refuses every join, so no history can hold one accepted there (a refused update leaves
 * no event). A release that accepts joins there must record one and take the wait out of this list.
 */
const JOINS_REFUSED_IN: Record<string, string> = {
  'return-refused': 'the relink is finishing (RelinkClosing); r22-held-return-refused-join-refused holds the attempt',
  'restore-refused': 'the relink is finishing (RelinkClosing): it restores, and a join then starts a new relink',
};

describe('the corpus covers every wait', () => {
  const relinks = readCorpus().filter((e) => e.workflowType === 'relinkLostLoans');
  const waits = AWAITING_KINDS.filter((k) => k !== 'none');

  /** What the corpus lacks for one wait (and each of its variants), as sentences; empty when it is covered. */
  function missingFor(wait: string): string[] {
    const variants: (string | undefined)[] = WAIT_VARIANTS[wait]?.variants ?? [undefined];
    const missing: string[] = [];
    for (const variant of variants) {
      const name = variant ? `${wait} (${variant})` : wait;
      const of = (e: CorpusEntry) => waitVariant(e, wait) === variant;
      if (!relinks.some((e) => of(e) && e.heldIn === wait)) missing.push(`a relink held (running) in ${name}`);
      if (!relinks.some((e) => of(e) && e.closed && e.waits.includes(wait)))
        missing.push(`a relink that went through ${name} to its end`);
      if (!JOINS_REFUSED_IN[wait] && !relinks.some((e) => of(e) && e.joinsDuring.includes(wait)))
        missing.push(`a join accepted during ${name}`);
    }
    return missing;
  }

  it.each(waits)('%s: a relink held in it, one run through it, and a join during it', (wait) => {
    // Record what is missing with test/histories/record-corpus.test.ts (see test/histories/README.md).
    expect(missingFor(wait)).toEqual([]);
  });

  it('knows every wait kind it exempts from joins', () => {
    expect(Object.keys(JOINS_REFUSED_IN).filter((k) => !(waits as readonly string[]).includes(k))).toEqual([]);
  });
});
