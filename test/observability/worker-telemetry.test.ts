// What an operator sees of a production worker (`npm run worker`, in its own process, production defaults): its log
// lines are JSON and carry no email address, phone number or name, the SDK's own "Activity failed" warning included;
// its Prometheus endpoint has the SDK's metrics and the relink gauges; SIGTERM lets a step in flight end.
import { Client, Connection } from '@temporalio/client';
import { connectClosable } from '../../src/temporal-client-connection';
import { msToTs } from '@temporalio/common/lib/time';
import { startAlmaSimulator, type AlmaSimulator } from '../../src/alma-sim';
import { email, fixturesWith, item, patron, phone } from '../../src/alma-sim/builders';
import { RelinkClient } from '../../src/client';
import type { RelinkResult } from '../../src/contract';
import { freePort } from '../../src/dev/free-port';
import { relinkInput } from '../../src/dev/relink-input';
import { ensureSearchAttributes } from '../../src/namespace-setup';
import { testDataConverter, testServerAddress, uniqueTaskQueue } from '../support/temporal';
import { startLoggedWorker, type LoggedWorker } from './worker-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Alma refuses the next PUT of the patron with an error that quotes their name, address and phone. */
const namedRefusal = {
  method: 'PUT',
  path: '/users/ops\\.logged',
  action: 'error' as const,
  status: 500,
  errorMessage: 'Update failed for Rivera, Ana <ana.rivera@example.edu>, phone +358 40 123 4567',
  times: 1,
};

// The patron's personal data: none of it may reach a log line.
const PERSONAL = [
  'ana.rivera@example.edu',
  'ana@home.example.org',
  '+358 40 123 4567',
  'Anneli',
  'Rivera-Koskinen',
  'Rivera, Ana',
];
const namedPatron = (id: string) =>
  patron(
    id,
    {
      emails: [email('ana.rivera@example.edu'), email('ana@home.example.org', { preferred: false, type: 'personal' })],
      phones: [phone('+358 40 123 4567')],
    },
    { first_name: 'Anneli', last_name: 'Rivera-Koskinen' },
  );

/** A gauge's value in Prometheus text: `name{tags} value`, the tags in any order. */
function gauge(metrics: string, name: string, tags: Record<string, string> = {}): number | undefined {
  for (const line of metrics.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || !m[1]!.endsWith(name)) continue;
    const labels = m[2] ?? '';
    if (Object.entries(tags).every(([k, v]) => labels.includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return undefined;
}

describe('the production worker, as an operator sees it', () => {
  const namespace = `relink-ops-${process.pid}-${Date.now().toString(36)}`;
  const taskQueue = uniqueTaskQueue('ops');
  let connection: Connection;
  let sim: AlmaSimulator;
  let relinks: RelinkClient;
  let worker: LoggedWorker;
  let metricsUrl: string;

  beforeAll(async () => {
    connection = await connectClosable({ address: testServerAddress() });
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    // A fresh namespace, so the gauges count this file's relinks only; it reaches the server's cache within seconds.
    const { NativeConnection } = await import('@temporalio/worker');
    const native = await NativeConnection.connect({ address: testServerAddress() });
    try {
      for (const deadline = Date.now() + 60_000; ; await sleep(500)) {
        try {
          await ensureSearchAttributes(native, namespace);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
        }
      }
    } finally {
      await native.close();
    }
    sim = await startAlmaSimulator({
      fixtures: fixturesWith({
        users: [namedPatron('ops.logged'), namedPatron('ops.overdue'), namedPatron('ops.grace')],
        items: [item('46000000001'), item('46000000002'), item('46000000003')],
      }),
      port: 0,
    });
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    // Production defaults but the addresses, and a count of the gauges every second instead of every 30.
    worker = await startLoggedWorker({
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_NAMESPACE: namespace,
      RELINK_TASK_QUEUE: taskQueue,
      ALMA_BASE_URL: sim.url,
      ALMA_API_KEY: sim.apiKey,
      RELINK_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      RELINK_METRICS_INTERVAL: '1 second',
    });
    relinks = new RelinkClient(new Client({ connection, namespace, dataConverter: testDataConverter() }), taskQueue);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await sim?.close();
    await connection?.close();
  });

  async function metricsWhen(check: (text: string) => boolean): Promise<string> {
    let text = '';
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(250)) {
      text = await (await fetch(metricsUrl)).text();
      if (check(text)) return text;
    }
    throw new Error(
      `the metrics never matched; last:\n${text
        .split('\n')
        .filter((l) => /relink_/.test(l))
        .join('\n')}`,
    );
  }

  async function awaitingLost(workflowId: string) {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
      const progress = await relinks.progress(workflowId).catch(() => undefined);
      if (progress?.awaiting === 'lost-declaration') return progress;
    }
    throw new Error(`${workflowId} never awaited the Lost click`);
  }

  it('publishes the SDK metrics and the relink gauges: running, awaiting staff by kind, ended needs-attention', async () => {
    // Alma refuses the swap once, with an error that quotes the patron's name, address and phone (the SDK warns with
    // that message). No pattern tells a name from other words: the activities quote Alma's text, and the logs leave
    // the quote out whole; the relink's own messages name patrons by their Alma id, and records passed as metadata
    // lose their name fields.
    sim.setFaults({ rules: [namedRefusal] });
    const started = await relinks.start(relinkInput('ops.logged', ['46000000001']));
    const waiting = await awaitingLost(started.workflowId);
    // And the restore's first PUT too: the compensation words its retryable failure itself.
    sim.setFaults({ rules: [namedRefusal] });
    const during = await metricsWhen((t) => gauge(t, 'relink_awaiting_staff', { kind: 'lost-declaration' }) === 1);
    expect(gauge(during, 'relink_running')).toBe(1);
    expect(gauge(during, 'relink_awaiting_staff', { kind: 'request-review' })).toBe(0);
    expect(gauge(during, 'relink_overdue')).toBe(0);
    expect(gauge(during, 'relink_ended_needs_attention')).toBe(0);
    // The SDK's own worker metrics are on the same endpoint.
    expect(during).toMatch(/^temporal_activity_execution_failed\{/m);

    sim.declareLost(waiting.items[0]!.loanId!);
    await relinks.confirmLost(started.workflowId);
    const result = (await relinks.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('completed');

    // No Lost click within the deadline: overdue (counted), then at the holding-address limit the loan is returned,
    // the email restored, and the relink ends needs-attention.
    const overdue = await relinks.start(
      relinkInput('ops.overdue', ['46000000002'], { lostDeadline: '3 seconds', holdingAddressLimit: '15 seconds' }),
    );
    const whileOverdue = await metricsWhen((t) => gauge(t, 'relink_overdue') === 1);
    expect(gauge(whileOverdue, 'relink_awaiting_staff', { kind: 'overdue' })).toBe(1);
    const late = (await relinks.client.workflow.getHandle(overdue.workflowId).result()) as RelinkResult;
    expect(late.outcome).toBe('needs-attention');
    const after = await metricsWhen(
      (t) => gauge(t, 'relink_ended_needs_attention') === 1 && gauge(t, 'relink_running') === 0,
    );
    expect(gauge(after, 'relink_awaiting_staff', { kind: 'lost-declaration' })).toBe(0);
  });

  it('lets a step in flight end when stopped (SIGTERM), and every line it wrote is JSON without personal data', async () => {
    // The loan POST takes 4 s at Alma; the worker is told to stop while it is in flight.
    sim.setFaults({
      rules: [{ method: 'POST', path: '/users/ops\\.grace/loans', action: 'delay', delayMs: 4000 }],
    });
    const started = await relinks.start(relinkInput('ops.grace', ['46000000003']));
    const handle = relinks.client.workflow.getHandle(started.workflowId);
    for (let inFlight = false; !inFlight; await sleep(100)) {
      inFlight = sim.calls().some((c) => c.method === 'POST' && /\/users\/ops\.grace\/loans/.test(c.path));
    }
    const stopAsked = Date.now();
    const code = await worker.stop();
    expect(code).toBe(0);
    // It waited for the loan's answer, and reported the step done: one attempt, completed.
    expect(Date.now() - stopAsked).toBeGreaterThan(2500);
    const events = (await handle.fetchHistory()).events ?? [];
    const loanScheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loanItem');
    const loanStarted = events.find(
      (e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === loanScheduled?.eventId?.toString(),
    );
    expect(loanStarted?.activityTaskStartedEventAttributes?.attempt).toBe(1);
    expect(
      events.some(
        (e) =>
          e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === loanScheduled?.eventId?.toString(),
      ),
    ).toBe(true);
    await handle.cancel();

    // Every line the worker wrote, from its start to its stop.
    expect(worker.lines.length).toBeGreaterThan(5);
    const records = worker.lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    for (const line of worker.lines) {
      for (const personal of PERSONAL) expect(line).not.toContain(personal);
      expect(line).not.toContain(sim.apiKey);
    }
    // The SDK's warning about the refused swap is there, with Alma's message scrubbed.
    const failed = records.filter((r) => r.msg === 'Activity failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(JSON.stringify(failed)).toContain('“[Alma’s message]”');
    expect(JSON.stringify(failed)).not.toContain('Rivera, Ana');
    expect(records.every((r) => typeof r.level === 'string' && typeof r.time === 'string')).toBe(true);
  });
});
