// The desk when Alma refuses a give-up's return: the relink's card comes first, marked "Return refused", says what it
// waits for, and offers the two ways out (returned in Alma, keep the loans); plain cancel is not among them.
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { refusingReturnsOf, startHarness, waitForProgress, type RelinkHarness } from '../support/relink-harness';
import { loopbackProxy, PROXY_USER, startTestDesk, type TestDesk } from './desk-support';

describe('the desk and a refused return', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('desk.refused')], items: [item('48200000001')] }));
    desk = await startTestDesk(h, loopbackProxy);
  });
  afterAll(async () => {
    await desk?.close();
    await h?.close();
  });

  it('shows the held relink first, with what it waits for and its two buttons', async () => {
    const started = await h.relinks.start(relinkInput('desk.refused', ['48200000001']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.setFaults(refusingReturnsOf('48200000001'));
    await h.relinks.cancel(started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'return-refused');
    const page = await (await fetch(`${desk.url}/`, { headers: { 'X-Remote-User': PROXY_USER } })).text();
    expect(page).toMatch(/<article class="card return-refused"/);
    expect(page).toContain('<span class="mark">Return refused</span>');
    expect(page).toContain('waiting for the item to be returned in Alma (Alma refused the return)');
    expect(page).toContain('I returned it (or clicked Lost) in Alma');
    expect(page).toContain('Keep the loans (letters then reach the patron)');
    expect(page).not.toContain('>Return the loans<');
    // Alma accepts again; the staff member's button (the confirm-lost signal) lets the relink finish.
    h.sim.setFaults({});
    await h.relinks.confirmLost(started.workflowId, undefined, PROXY_USER);
    await h.temporal.client.workflow
      .getHandle(started.workflowId)
      .result()
      .catch(() => undefined);
    const after = await h.relinks.progress(started.workflowId);
    expect(after.contact).toMatchObject({ restored: true, verified: true });
  });
});
