// Every committed history must replay on the current workflow code without a nondeterminism error.
// Record new ones with `RECORD_HISTORIES=1 npm test -- test/relink`, after moving the current ones to the next vN- prefix:
// the workflow must still replay relinks that were running when a new version was deployed.
// v1-*: before fewer-round-trips. v2-*: with fewer-round-trips only (the code of 341884c). v3-*: with the patches of
// patches.ts after it up to supersede-recheck (activity-heartbeats, count-lost-signals, lost-check-rides-out-outages,
// recheck-swap, restore-recheck, supersede-recheck) and start-or-join by update-with-start. The rest: with
// title-level-requests too. chaos-*: recorded by the chaos suite's crash runs. prev-release-overdue-job-return-refused-*:
// the release before due-date-back-in-return (a64aacd, 134653d^), an overdue-job relink cancelled after its due date
// was moved, with Alma refusing the return: held in return-refused (each retry a setDueDate, then a returnLoan), and
// the same one after the return went through and the restore ran.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
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
