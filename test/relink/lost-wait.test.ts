// The wait for the staff Lost click keeps every signal, and rides out an Alma outage until its own deadline.
import type { RelinkResult } from '../../src/contract';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { startHarness, waitForProgress, type RelinkHarness, recordHistory } from '../support/relink-harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the Lost wait', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [patron('wait.signal'), patron('wait.outage')],
        items: [item('45000000001'), item('45000000002')],
      }),
    );
  });
  afterAll(async () => h?.close());

  it('checks again at once for a Lost click reported while Alma was being checked', async () => {
    // The production pause between the relink's own checks: a signal that is dropped waits all of it.
    const input = relinkInput('wait.signal', ['45000000001'], { lostPollInitial: '10 minutes' });
    const started = await h.relinks.start(input);
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    const loanId = waiting.items[0]!.loanId!;
    // Staff say "I clicked Lost" too early, and say it again while that check is still reading Alma (held 3 s).
    // Only then do they click Lost. The second signal must bring a second check, not wait for the next poll.
    await h.sim.setFaults({
      rules: [{ method: 'GET', path: '/users/wait\\.signal/loans', action: 'delay', delayMs: 3000, times: 2 }],
    });
    await h.relinks.confirmLost(started.workflowId);
    await sleep(1000);
    await h.relinks.confirmLost(started.workflowId);
    await waitForProgress(h, started.workflowId, (p) =>
      p.audit.some((a) => /does not show the Lost click/.test(a.message)),
    );
    await h.sim.declareLost(loanId);

    const handle = h.temporal.client.workflow.getHandle(started.workflowId);
    const result = await Promise.race([handle.result() as Promise<RelinkResult>, sleep(30_000).then(() => undefined)]);
    expect(result?.outcome).toBe('completed');
    await recordHistory(h, started.workflowId, 'completed-signal-during-check');
  });

  it('retries the Lost check through an outage until the relink’s own deadline, not for a fixed number of attempts', async () => {
    const input = relinkInput('wait.outage', ['45000000002'], { lostDeadline: '2 hours', lostPollInitial: '1 second' });
    const started = await h.relinks.start(input);
    await waitForProgress(
      h,
      started.workflowId,
      (p) => p.audit.some((a) => /Lost confirmed|does not show/.test(a.message)) || p.awaiting === 'lost-declaration',
    );
    const handle = h.temporal.client.workflow.getHandle(started.workflowId);
    let scheduled: any;
    for (let i = 0; i < 100 && !scheduled; i++) {
      const events = (await handle.fetchHistory()).events ?? [];
      scheduled = events.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkLostDeclared',
      )?.activityTaskScheduledEventAttributes;
      if (!scheduled) await sleep(200);
    }
    // No attempt limit (the forward steps give up after ~25 minutes), and a schedule-to-close at the Lost deadline.
    expect(scheduled.retryPolicy.maximumAttempts ?? 0).toBe(0);
    const scheduleToCloseS = Number(scheduled.scheduleToCloseTimeout.seconds);
    expect(scheduleToCloseS).toBeGreaterThan(2 * 3600 - 120);
    expect(scheduleToCloseS).toBeLessThanOrEqual(2 * 3600);
    await handle.cancel();
    await handle.result().catch(() => undefined);
  });
});
