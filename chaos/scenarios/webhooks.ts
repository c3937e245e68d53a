// Alma's webhooks as a real network delivers them (issue 27): the listener passes them on, Alma's simulator drops half
// of its messages, and the workers die in the middle. Staff do what the webhook mode asks of them and nothing more:
// they click Lost in Alma (no confirm-lost), and a colleague's edit in Alma's user editor undoes the swap during the
// Lost wait. Whether a message arrives or not, the relink must finish on its fallback poll, and the Lost letter, like
// every other, must reach the holding address (the invariants check every letter).
import { item } from '../../src/alma-sim/builders';
import { JsonLogger } from '../../src/observability';
import { startWebhookListener } from '../../src/webhooks/listener';
import { loadWebhookSettings } from '../../src/webhooks/settings';
import { sleep } from '../lab';
import { relinkRun, type Scenario } from '../scenario';
import { richPatron } from './worker-crash';

type AnyRecord = Record<string, any>;

const SECRET = 'chaos-webhook-secret-0123456789';
let serial = 0;

const droppedAndKilled: Scenario = {
  group: 'people & late writes',
  name: "Alma's webhooks, half of them dropped, workers killed: staff click Lost in Alma only; an edit undoes the swap",
  quick: true,
  run: async (lab) => {
    const n = ++serial;
    const patronId = `hooks.${n}`;
    const barcode = `570000${String(n).padStart(5, '0')}`;
    const listener = await startWebhookListener({
      settings: loadWebhookSettings({ ALMA_WEBHOOK_SECRET: SECRET, RELINK_WEBHOOK_PORT: '0' }),
      client: lab.client,
      log: new JsonLogger('ERROR', { write: () => undefined }),
    });
    try {
      await lab.sim.configureWebhooks({ url: listener.url, secret: SECRET, dropRate: 0.5, seed: n });
      return [
        await relinkRun(lab, {
          group: droppedAndKilled.group,
          scenario: droppedAndKilled.name,
          patronId,
          barcodes: [barcode],
          fixtures: { users: [richPatron(patronId)], items: [item(barcode)] },
          staff: false,
          // The webhook mode's fallback, made short enough for a chaos run (production: 30 minutes, then 4 hours).
          input: { webhooks: true, lostPollInitial: '3 seconds', lostPollMax: '6 seconds' },
          during: async (l, workflowId) => {
            await l.waitForAwaiting(workflowId, 'lost-declaration');
            // A colleague makes the patron's own email preferred in Alma's user editor (a webhook, maybe dropped).
            const user = l.sim.state().users.find((u: AnyRecord) => u.primary_id === patronId) as AnyRecord;
            const emails = (user.contact_info?.email ?? []).map((e: AnyRecord, i: number) => ({
              ...e,
              preferred: i === 0,
            }));
            l.sim.editUser(patronId, { contact_info: { ...user.contact_info, email: emails } });
            await l.killWorkers();
            await sleep(1_000);
            // No worker runs: the swap is undone, and the Lost click's message (if Alma sends it) waits in the history.
            await l.startWorker();
            // The message, if delivered, makes the relink read the swap at once; if dropped, its next poll does. A
            // Lost click before that read would be a person beating the poll, which no design prevents: staff click
            // once the swap is back.
            const deadline = Date.now() + 60_000;
            for (;;) {
              const p = await l.progress(workflowId);
              if (p?.audit.some((a) => /swap had been undone/.test(a.message))) break;
              if (Date.now() > deadline) throw new Error('the relink never read the swap again after the edit');
              await sleep(250);
            }
            for (const loan of l.sim
              .state()
              .loans.filter((x) => x.user_id === patronId && x.loan_status === 'ACTIVE')) {
              l.sim.declareLost(loan.loan_id);
              if (loan.item_barcode) l.declaredLost.add(loan.item_barcode);
            }
            await l.killWorkers();
            await sleep(2_000);
            await l.startWorker();
          },
          expect: (e) => e.outcome === 'completed' && !!e.result?.emailVerified,
          timeoutMs: 120_000,
        }),
      ];
    } finally {
      await lab.sim.configureWebhooks(undefined);
      await listener.close();
    }
  },
};

export function webhookScenarios(): Scenario[] {
  return [droppedAndKilled];
}
