// Alma's webhooks end to end (issue 27): the simulator sends them for what staff do in Alma, the listener passes them
// on, and the relink acts on them. With webhooks the relink's own checks are the fallback (every 30 minutes, then 4
// hours: the production default), so what happens within seconds here happens because Alma said so. The simulator's
// scheduled jobs are not run while its webhooks are on: their job-end messages would reach relinks of other test files.
import { HOLDING_EMAIL, email, fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { almaEventSignal, type AlmaEvent, type RelinkInput, type RelinkResult } from '../../src/contract';
import { relinkInput } from '../../src/dev/relink-input';
import { JsonLogger } from '../../src/observability';
import { startWebhookListener, type WebhookListener } from '../../src/webhooks/listener';
import { loadWebhookSettings } from '../../src/webhooks/settings';
import {
  expectNothingReachedThePatron,
  recordHistory,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

const SECRET = 'relink-webhooks-test-secret-0123';
const B = { lost: '55000000001', edit: '55000000002', dropped: '55000000003', fines: '55000000004' };
const PATRONS = ['hook.lost', 'hook.edit', 'hook.drop', 'hook.fines'];

/** The relink as a deployment with webhooks starts it: the production fallback poll, unless a test says otherwise. */
const withWebhooks = (patronId: string, barcode: string, extra: Partial<RelinkInput> = {}): RelinkInput => {
  const input = relinkInput(patronId, [barcode], { webhooks: true, ...extra });
  if (!extra.lostPollInitial) delete input.lostPollInitial;
  if (!extra.lostPollMax) delete input.lostPollMax;
  return input;
};

describe("Alma's webhooks reach the relink", () => {
  let h: RelinkHarness;
  let listener: WebhookListener;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: PATRONS.map((id) => patron(id, { emails: [email(`${id}@example.edu`)] })),
        items: Object.values(B).map((barcode) => item(barcode)),
      }),
    );
    listener = await startWebhookListener({
      settings: loadWebhookSettings({ ALMA_WEBHOOK_SECRET: SECRET, RELINK_WEBHOOK_PORT: '0' }),
      client: h.temporal.client,
      log: new JsonLogger('ERROR', { write: () => undefined }),
    });
  });
  afterEach(async () => {
    await h.sim.configureWebhooks(undefined);
  });
  afterAll(async () => {
    await listener?.close();
    await h?.close();
  });

  const resultOf = (workflowId: string) =>
    h.temporal.client.workflow.getHandle(workflowId).result() as Promise<RelinkResult>;

  it('staff click Lost in Alma and nothing else: the relink completes within seconds, the poll 30 minutes away', async () => {
    await h.sim.configureWebhooks({ url: listener.url, secret: SECRET });
    const before = userOf(h.sim.state(), 'hook.lost');
    const started = await h.relinks.start(withWebhooks('hook.lost', B.lost));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    expect(waiting.webhooks).toBe(true);
    expect(waiting.awaitingInstructions).toMatch(/That is all: Alma tells the relink/);
    const clickedAt = Date.now();
    h.sim.declareLost(waiting.items[0]!.loanId!);
    const result = await resultOf(started.workflowId);
    expect(Date.now() - clickedAt).toBeLessThan(15_000);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(result.audit.map((a) => a.message)).toContainEqual(
      `Alma reported a Lost click for ${B.lost}; checking Alma now.`,
    );
    expect(result.audit.map((a) => a.message)).not.toContainEqual(expect.stringMatching(/^Staff reported/));
    expectNothingReachedThePatron(h, 'hook.lost', before);
    await recordHistory(h, started.workflowId, 'webhooks-lost-click');
  });

  it('a staff edit that undoes the swap is swapped back within seconds; the Lost letter reaches the holding address', async () => {
    await h.sim.configureWebhooks({ url: listener.url, secret: SECRET });
    const before = userOf(h.sim.state(), 'hook.edit');
    const started = await h.relinks.start(withWebhooks('hook.edit', B.edit));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    // A colleague makes the patron's own address preferred again in Alma's UI (not the API: Alma sends the webhook).
    const swapped = userOf(h.sim.state(), 'hook.edit');
    const emails = swapped.contact_info.email.map((e: AnyRecord) => ({
      ...e,
      preferred: e.email_address === 'hook.edit@example.edu',
    }));
    h.sim.editUser('hook.edit', { contact_info: { ...swapped.contact_info, email: emails } });
    const editedAt = Date.now();
    await waitForProgress(h, started.workflowId, (p) =>
      p.audit.some((a) => a.message.startsWith('The swap had been undone in Alma, and was made again')),
    );
    expect(Date.now() - editedAt).toBeLessThan(15_000);
    h.sim.declareLost(waiting.items[0]!.loanId!);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true });
    const lostLetters = h.sim.notices().filter((n) => n.user_id === 'hook.edit' && /Lost/.test(n.letter));
    expect(lostLetters.map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    expectNothingReachedThePatron(h, 'hook.edit', before);
    await recordHistory(h, started.workflowId, 'webhooks-staff-edit');
  });

  it('with every message dropped, the fallback poll still completes the relink', async () => {
    await h.sim.configureWebhooks({ url: listener.url, secret: SECRET, dropRate: 1 });
    const mark = h.sim.webhooksSent().length;
    const started = await h.relinks.start(
      withWebhooks('hook.drop', B.dropped, { lostPollInitial: '2 seconds', lostPollMax: '4 seconds' }),
    );
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.declareLost(waiting.items[0]!.loanId!);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true });
    expect(result.audit.map((a) => a.message)).not.toContainEqual(expect.stringMatching(/^Alma reported/));
    const sent = h.sim.webhooksSent().slice(mark);
    expect(sent.map((m) => m.event)).toContain('LOAN_LOST');
    expect(sent.filter((m) => m.state !== 'dropped')).toEqual([]);
  });

  it('"after-fines-job": the quiet period ends when Alma reports the job ran after the Lost, a repeat taken once', async () => {
    const before = userOf(h.sim.state(), 'hook.fines');
    const started = await h.relinks.start(withWebhooks('hook.fines', B.fines, { restoreAfter: 'after-fines-job' }));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.declareLost(waiting.items[0]!.loanId!);
    await h.relinks.confirmLost(started.workflowId);
    const quiet = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    expect(quiet.audit.map((a) => a.message)).toContainEqual(
      expect.stringMatching(/until Alma reports its Fines\/Fees Notification job has run, at most 48 hours/),
    );
    // The night's job sends the fee letter (to the holding address), then Alma's message says it ran: twice, as a
    // retry would. (Sent here by hand: the simulator's job-end webhook would reach other test files' relinks.)
    h.sim.runJob('fines-fees-notification');
    const ended: AlmaEvent = {
      kind: 'job',
      event: 'JOB_END',
      messageId: 'job-end-1',
      job: 'fines-fees-notification',
      at: new Date().toISOString(),
    };
    const handle = h.temporal.client.workflow.getHandle(started.workflowId);
    await handle.signal(almaEventSignal, ended);
    await handle.signal(almaEventSignal, ended);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true });
    const messages = result.audit.map((a) => a.message);
    expect(
      messages.filter((m) => m.startsWith('Alma reported that its Fines/Fees Notification job has run')),
    ).toHaveLength(1);
    const fees = h.sim
      .notices()
      .filter((n) => n.user_id === 'hook.fines' && n.letter === 'FulFinesFeesNotificationLetter');
    expect(fees.map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    expectNothingReachedThePatron(h, 'hook.fines', before);
    await recordHistory(h, started.workflowId, 'webhooks-after-fines-job');
  });
});
