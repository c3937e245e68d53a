// The two test-only releases (before.ts: a timer; after.ts: an activity in its place, no patch), bundled and run by
// a worker until a condition holds: what the stuck-relink and unstick tests share.
import { bundleWorkflowCode, Worker, type NativeConnection } from '@temporalio/worker';

export type Release = 'before' | 'after';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export const releaseBundle = (release: Release) =>
  bundleWorkflowCode({ workflowsPath: require.resolve(`./${release}`), logger: quiet });

/** Runs a worker with one release's code until `done` holds (30 s at most). */
export async function withRelease(
  release: Release,
  on: { connection: NativeConnection; namespace: string; taskQueue: string; activities?: object },
  done: () => Promise<boolean>,
): Promise<void> {
  const worker = await Worker.create({
    connection: on.connection,
    namespace: on.namespace,
    taskQueue: on.taskQueue,
    workflowBundle: await releaseBundle(release),
    ...(on.activities ? { activities: on.activities } : {}),
    // No cache: every task replays the history, as on a freshly deployed worker.
    maxCachedWorkflows: 0,
  });
  await worker.runUntil(async () => {
    for (const deadline = Date.now() + 30_000; !(await done()); await new Promise((r) => setTimeout(r, 200))) {
      if (Date.now() > deadline) throw new Error(`${release}: never got there`);
    }
  });
}
