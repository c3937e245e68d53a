// What the benchmark relinks: P patrons of its own, each with a chain of one-item relinks run one after another
// (a patron has one relink at a time: a second start would join the first), every item a fresh closed lost loan.
import type { Fixtures } from '../src/alma-sim';
import { fixturesWith, item, patron } from '../src/alma-sim/builders';
import type { RelinkInput } from '../src/contract';
import { simulatedRelink } from '../src/dev/relink-input';

export interface RelinkJob {
  index: number;
  patronId: string;
  barcodes: string[];
}

export interface Workload {
  /** One chain per patron, its relinks in order. */
  chains: RelinkJob[][];
  fixtures: Fixtures;
  relinks: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Barcodes that no fixture uses; item() derives the item's ids from the last 8 digits. */
const barcodeOf = (prefix: number, n: number) => `${prefix}${pad(n, 9)}`;

export function buildWorkload(relinks: number, patrons: number, prefix = 'bench'): Workload {
  const chains: RelinkJob[][] = Array.from({ length: patrons }, () => []);
  for (let i = 0; i < relinks; i++) {
    const p = i % patrons;
    chains[p]!.push({ index: i, patronId: `${prefix}.p${pad(p, 4)}`, barcodes: [barcodeOf(7, i)] });
  }
  const jobs = chains.flat();
  return {
    chains: chains.filter((c) => c.length > 0),
    relinks,
    fixtures: fixturesWith({
      users: [...new Set(jobs.map((j) => j.patronId))].map((id) => patron(id)),
      items: jobs.flatMap((j) => j.barcodes.map((b) => item(b))),
    }),
  };
}

/** Two relinks that tell what one item costs and what each further item of the same patron adds. */
export function calibrationWorkload(): Workload {
  const one: RelinkJob = { index: 0, patronId: 'calibrate.one', barcodes: [barcodeOf(8, 1)] };
  const two: RelinkJob = { index: 1, patronId: 'calibrate.two', barcodes: [barcodeOf(8, 2), barcodeOf(8, 3)] };
  return {
    chains: [[one], [two]],
    relinks: 2,
    fixtures: fixturesWith({
      users: [patron(one.patronId), patron(two.patronId)],
      items: [...one.barcodes, ...two.barcodes].map((b) => item(b)),
    }),
  };
}

export function relinkInputFor(job: RelinkJob): RelinkInput {
  // The staff member signals the Lost click at once, so the workflow's own polling (default 1 minute) never fires.
  return simulatedRelink(job.patronId, job.barcodes);
}

/** Runs `run` over every chain with at most `concurrency` chains at once; each chain's relinks in order. */
export async function runChains(
  chains: RelinkJob[][],
  concurrency: number,
  run: (job: RelinkJob) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, chains.length) }, async () => {
    for (let c = next++; c < chains.length; c = next++) {
      for (const job of chains[c]!) await run(job);
    }
  });
  await Promise.all(lanes);
}
