// relink unstick's finder, offline: on a history of the release before 134653d (an overdue-job relink cancelled and
// held in return-refused, which today's code cannot replay: test/histories/stranded/) it names the workflow task
// where the releases part; on a history of the release deployed now (r22-*) it says the whole history replays.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lastCompatibleTask } from '../../src/upgrade/last-compatible-task';
import { workflowBundle } from '../support/relink-harness';
import { installQuietRuntime } from '../support/temporal';

type JsonEvent = { eventId: string; eventType: string; activityTaskScheduledEventAttributes?: any };
const read = (file: string) => JSON.parse(readFileSync(path.join(__dirname, '..', 'histories', file), 'utf8'));

beforeAll(() => installQuietRuntime());

describe('the last workflow task the current code replays alike', () => {
  it('is, in a stranded history, the task that scheduled setDueDate after the cancel request', async () => {
    const { workflowId, history } = read('stranded/prev-release-overdue-job-return-refused-held.json');
    const events: JsonEvent[] = history.events;
    // Where the releases part, read from the history itself: the release before 134653d moved the due date back
    // (setDueDate) before returning the loan; today's code returns it with dueDateBefore.
    const cancelAt = events.findIndex((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED');
    const setDueDate = events.findIndex(
      (e, i) => i > cancelAt && e.activityTaskScheduledEventAttributes?.activityType?.name === 'setDueDate',
    );
    const completedBefore = events
      .slice(0, setDueDate)
      .filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED')
      .at(-1)!;
    expect(cancelAt).toBeGreaterThan(0);

    const found = await lastCompatibleTask(history, { workflowBundle: await workflowBundle() }, workflowId);
    expect(found).toMatchObject({ kind: 'diverges', eventId: Number(completedBefore.eventId) });
    if (found.kind !== 'diverges') return;
    expect(found.releaseDid).toContainEqual({
      eventId: Number(events[setDueDate]!.eventId),
      text: 'scheduled activity setDueDate',
    });
    expect(found.divergence).toMatch(/setDueDate.*returnLoan/);
    // What runs again after the reset: the held return's tries, then nothing of the patron's data.
    expect(found.after.activities.map((a) => a.text)).toContain('activity returnLoan');
    expect(JSON.stringify(found)).not.toMatch(/@/);
  });

  it('is none in a history of the release deployed now: it replays whole, nothing to do', async () => {
    const { workflowId, history } = read('r22-held-return-refused-lost-job.json');
    const found = await lastCompatibleTask(history, { workflowBundle: await workflowBundle() }, workflowId);
    expect(found).toMatchObject({ kind: 'replays', tasks: expect.any(Number) });
  });
});
