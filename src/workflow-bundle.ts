// The workflow bundle: the workflow code and its failure converter, packed by webpack for the worker's sandbox.
// `npm run build` writes it once beside the compiled worker (dist/src/workflows.bundle.js), so a production worker
// neither runs webpack at start (seconds of CPU) nor keeps webpack's modules in memory (~100 MB of its heap).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from './codec/data-converter';
import { runMain } from './entry-point';

// Not workflow-bundle.js: that is this module's own compiled file.
export const WORKFLOW_BUNDLE_FILE = 'workflows.bundle.js';

/**
 * The bundle built with this compiled code, when there is one. Never when running from TypeScript (tsx, jest):
 * a bundle from an earlier build could hold other workflow code than the sources, and replaying histories with
 * the wrong code is the one thing a worker must not do.
 */
export function prebuiltWorkflowBundle(): { codePath: string } | undefined {
  if (!__filename.endsWith('.js')) return undefined;
  const codePath = path.join(__dirname, WORKFLOW_BUNDLE_FILE);
  return existsSync(codePath) ? { codePath } : undefined;
}

/** Bundles the workflows exactly as a worker given `workflowsPath` and the relink data converter would. */
export async function buildWorkflowBundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    failureConverterPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  return code;
}

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, WORKFLOW_BUNDLE_FILE));
  if (out === __filename) throw new Error(`refusing to write the bundle over ${out}, this script itself`);
  const code = await buildWorkflowBundle();
  await writeFile(out, code);
  console.error(
    `Wrote the workflow bundle to ${path.relative(process.cwd(), out)} (${Math.round(code.length / 1024)} kB).`,
  );
}

if (require.main === module) {
  runMain(main);
}
