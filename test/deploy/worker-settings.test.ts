// How much one worker process takes on (RELINK_WORKER_*), and which workflow code it runs (RELINK_WORKFLOW_BUNDLE).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSettings } from '../../src/config';
import { workerTuning } from '../../src/worker';
import { prebuiltWorkflowBundle } from '../../src/workflow-bundle';

const worker = (env: NodeJS.ProcessEnv) => loadSettings(['worker'], env, { dotenv: false }).worker;

describe('the worker settings', () => {
  it('default to room for a few hundred open relinks', () => {
    expect(workerTuning(worker({}))).toEqual({ maxActivities: 200, maxWorkflowTasks: 100, cachedWorkflows: 250 });
    expect(worker({}).RELINK_WORKFLOW_BUNDLE).toBeUndefined();
  });

  it('take whole numbers from the environment', () => {
    expect(
      workerTuning(
        worker({
          RELINK_WORKER_MAX_ACTIVITIES: '50',
          RELINK_WORKER_MAX_WORKFLOW_TASKS: '10',
          RELINK_WORKER_CACHED_WORKFLOWS: '1000',
        }),
      ),
    ).toEqual({ maxActivities: 50, maxWorkflowTasks: 10, cachedWorkflows: 1000 });
  });

  it('name every malformed value in one message', () => {
    let message = '';
    try {
      worker({ RELINK_WORKER_MAX_ACTIVITIES: 'lots', RELINK_WORKER_CACHED_WORKFLOWS: '1' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/RELINK_WORKER_MAX_ACTIVITIES/);
    expect(message).toMatch(/RELINK_WORKER_CACHED_WORKFLOWS/);
  });

  it('check that a given workflow bundle exists before the worker starts', () => {
    expect(() => worker({ RELINK_WORKFLOW_BUNDLE: '/nope/workflows.bundle.js' })).toThrow(
      /RELINK_WORKFLOW_BUNDLE: no such file \(build one with npm run build\)/,
    );
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'relink-bundle-')), 'workflows.bundle.js');
    writeFileSync(file, '// a bundle');
    expect(worker({ RELINK_WORKFLOW_BUNDLE: file }).RELINK_WORKFLOW_BUNDLE).toBe(file);
  });
});

describe('the prebuilt workflow bundle', () => {
  it('is never picked up when the worker runs from TypeScript: the sources are what runs', () => {
    // dist/src/workflows.bundle.js may exist from an earlier build; it must not replace the sources under tsx.
    expect(prebuiltWorkflowBundle()).toBeUndefined();
  });
});
