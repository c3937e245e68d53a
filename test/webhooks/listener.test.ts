// The webhook listener on loopback against the test Temporal server: the challenge, a forged and a replayed message,
// Temporal away (503, then delivered on Alma's retry), unknown events, the routing of each kind to the relinks it
// concerns; and end to end, the simulator's webhooks reaching a running relink. The relinks are a recording stand-in
// (test/support/webhook-recorder-workflow.ts) registered under the relink's workflow type, in a namespace of this
// file's own, since job ends go to every relink in a wait.
import { createHmac } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { connectClosable, lazyClosable } from '../../src/temporal-client-connection';
import { NativeConnection, Worker } from '@temporalio/worker';
import { TypedSearchAttributes } from '@temporalio/common';
import { JsonLogger } from '../../src/observability';
import { startWebhookListener, type WebhookListener } from '../../src/webhooks/listener';
import { loadWebhookSettings } from '../../src/webhooks/settings';
import { startAlmaSimulator, loadFixtures, exampleFixturesPath, type AlmaSimulator } from '../../src/alma-sim';
import {
  RelinkAwaiting,
  RelinkBarcodes,
  RelinkPatronId,
  RelinkStep,
  relinkWorkflowId,
  type AlmaEvent,
} from '../../src/contract';
import { RUNNING_RELINKS } from '../../src/stuck-relinks';
import {
  ensureTestNamespace,
  installQuietRuntime,
  testDataConverter,
  testServerAddress,
  uniqueTaskQueue,
} from '../support/temporal';
import { almaEventsQuery, stopSignal } from '../support/webhook-recorder-workflow';
import { almaClient, itemPath, SCAN_AT_MAIN } from '../alma-sim/helpers';

const NAMESPACE = 'relink-webhooks-test';
const SECRET = 'listener-test-secret-0123456789';
const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

/** A TCP door to the Temporal server that the test closes and opens: Temporal away, then back. */
async function startDoor(target: string) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((inbound) => {
        const outbound = connect(port, host);
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        inbound.pipe(outbound).pipe(inbound);
        inbound.on('close', () => outbound.destroy());
        outbound.on('close', () => inbound.destroy());
      });
      server.listen(listenPort, '127.0.0.1', () => {
        listenPort = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      server!.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  await open();
  return { address: () => `127.0.0.1:${listenPort}`, open, shut };
}

describe('the webhook listener', () => {
  const taskQueue = uniqueTaskQueue('webhooks');
  const tag = taskQueue.replace(/[^a-z0-9]/gi, '').slice(-10);
  const patron = (name: string) => `${name}.${tag}`;
  let connection: Connection;
  let native: NativeConnection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  let door: Awaited<ReturnType<typeof startDoor>>;
  let listenerConnection: Connection;
  let listener: WebhookListener;
  const logLines: string[] = [];
  const handles: WorkflowHandle[] = [];

  beforeAll(async () => {
    installQuietRuntime();
    connection = await connectClosable({ address: testServerAddress() });
    native = await NativeConnection.connect({ address: testServerAddress() });
    await ensureTestNamespace(connection, native, NAMESPACE);
    client = new Client({ connection, namespace: NAMESPACE, dataConverter: testDataConverter() });
    worker = await Worker.create({
      connection: native,
      namespace: NAMESPACE,
      taskQueue,
      workflowsPath: require.resolve('../support/webhook-recorder-workflow'),
      dataConverter: testDataConverter(),
    });
    running = worker.run();
    // The listener reaches Temporal through the door, with the production settings but its port.
    door = await startDoor(testServerAddress());
    listenerConnection = lazyClosable({ address: door.address() });
    listener = await startWebhookListener({
      settings: loadWebhookSettings({ ALMA_WEBHOOK_SECRET: SECRET, RELINK_WEBHOOK_PORT: '0' }),
      client: new Client({ connection: listenerConnection, namespace: NAMESPACE, dataConverter: testDataConverter() }),
      log: new JsonLogger('INFO', { write: (line: string) => void logLines.push(line) }),
    });
  });
  afterAll(async () => {
    for (const h of handles) await h.terminate('test over').catch(() => undefined);
    await listener?.close();
    await listenerConnection?.close();
    await door?.shut().catch(() => undefined);
    worker?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
  });

  /** A running stand-in relink of `patronId` with these search attributes, once visibility lists it. */
  async function startRelink(patronId: string, attrs: { barcodes?: string[]; step?: string; awaiting?: string } = {}) {
    const handle = await client.workflow.start('relinkLostLoans', {
      taskQueue,
      workflowId: relinkWorkflowId(patronId),
      args: [],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: RelinkPatronId, value: patronId },
        { key: RelinkBarcodes, value: attrs.barcodes ?? [] },
        { key: RelinkStep, value: attrs.step ?? 'lost-declaration' },
        { key: RelinkAwaiting, value: attrs.awaiting ?? 'lost-declaration' },
      ]),
    });
    handles.push(handle);
    const query = `${RUNNING_RELINKS} AND WorkflowId = '${handle.workflowId}'`;
    for (const deadline = Date.now() + 20_000; (await client.workflow.count(query)).count === 0;) {
      if (Date.now() > deadline) throw new Error(`visibility never listed ${handle.workflowId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return handle;
  }

  const eventsOf = (handle: WorkflowHandle) => handle.query(almaEventsQuery);

  let serial = 0;
  const message = (action: string, fields: Record<string, unknown>, event?: string) => ({
    id: `${Date.now()}${String(++serial).padStart(4, '0')}`,
    action,
    institution: { value: 'SIM_INST' },
    time: '2026-12-06T10:00:00Z',
    ...(event ? { event: { value: event, desc: event } } : {}),
    ...fields,
  });

  async function post(body: unknown, signature?: string) {
    const text = JSON.stringify(body);
    const res = await fetch(listener.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-exl-signature': signature ?? sign(text) },
      body: text,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it("answers Alma's challenge, unsigned", async () => {
    const res = await fetch(`${listener.url}?challenge=abc-123`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'abc-123' });
    expect((await fetch(listener.url)).status).toBe(400);
    expect(listener.metrics.status().lastChallengeAt).toBeDefined();
  });

  it('refuses a forged or unsigned message with 401, and passes nothing on', async () => {
    const handle = await startRelink(patron('forged'));
    const loan = message('LOAN', { item_loan: { loan_id: '1', user_id: patron('forged') } }, 'LOAN_LOST');
    const before = listener.metrics.status().counts;
    expect((await post(loan, sign(JSON.stringify(loan), 'another-secret-0123456789'))).status).toBe(401);
    expect((await post(loan, '')).status).toBe(401);
    // The body changed after signing: the signature is over the raw bytes.
    const text = JSON.stringify(loan);
    const tampered = await fetch(listener.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-exl-signature': sign(text) },
      body: text.replace('"1"', '"2"'),
    });
    expect(tampered.status).toBe(401);
    const after = listener.metrics.status().counts;
    expect(after.refused - before.refused).toBe(3);
    expect(after.passedOn).toBe(before.passedOn);
    expect(await eventsOf(handle)).toEqual([]);
    // A signed body that is not a webhook message: a logical failure, 400 (Alma does not retry a 4xx).
    expect((await post({ hello: 'world' })).status).toBe(400);
  });

  it("passes a loan event on to the patron's relink once, however often Alma sends it; a relink not running is no error", async () => {
    const handle = await startRelink(patron('loan'));
    const loan = message(
      'LOAN',
      {
        item_loan: {
          loan_id: '7310001',
          user_id: patron('loan'),
          item_barcode: '39000000009',
          item_id: '2390001',
          mms_id: '991009',
          title: 'A title',
        },
      },
      'LOAN_LOST',
    );
    expect(await post(loan)).toEqual({ status: 200, json: { ok: true, signalled: 1 } });
    expect(await post(loan)).toEqual({ status: 200, json: { ok: true, repeat: true } });
    // Two copies at once: one is passed on, the other waits for its answer.
    const twice = message('LOAN', { item_loan: { loan_id: '7310002', user_id: patron('loan') } }, 'LOAN_RETURNED');
    const answers = await Promise.all([post(twice), post(twice)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const events = await eventsOf(handle);
    expect(events).toEqual<AlmaEvent[]>([
      {
        kind: 'loan',
        event: 'LOAN_LOST',
        messageId: loan.id,
        loanId: '7310001',
        itemBarcode: '39000000009',
        itemId: '2390001',
        mmsId: '991009',
        at: '2026-12-06T10:00:00Z',
      },
      { kind: 'loan', event: 'LOAN_RETURNED', messageId: twice.id, loanId: '7310002', at: '2026-12-06T10:00:00Z' },
    ]);
    const nobody = message('LOAN', { item_loan: { loan_id: '9', user_id: patron('no-relink') } }, 'LOAN_CREATED');
    expect(await post(nobody)).toEqual({ status: 200, json: { ok: true, signalled: 0 } });
  });

  it('answers 503 while Temporal is away, and passes the message on when Alma sends it again', async () => {
    const handle = await startRelink(patron('away'));
    const user = message('USER', { webhook_user: { user: { primary_id: patron('away') } } }, 'USER_UPDATED');
    await door.shut();
    const failed = await post(user);
    expect(failed.status).toBe(503);
    expect(listener.metrics.status().counts.failed).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(handle)).toEqual([]);
    await door.open();
    // Alma retries after hours; here as soon as the connection is back.
    let answer = failed;
    for (const deadline = Date.now() + 60_000; answer.status !== 200 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 1000));
      answer = await post(user);
    }
    expect(answer).toEqual({ status: 200, json: { ok: true, signalled: 1 } });
    expect(await eventsOf(handle)).toMatchObject([{ kind: 'user', event: 'USER_UPDATED', messageId: user.id }]);
  });

  it('ignores, logs and counts what concerns no relink: unknown actions, other jobs, other request events', async () => {
    const before = listener.metrics.status();
    const answers = await Promise.all([
      post(message('BIB', { bib: { mms_id: '991' } }, 'BIB_UPDATED')),
      post(message('SOMETHING_NEW', {})),
      post(message('JOB_END', { job_instance: { id: '1', name: 'Publishing Platform Job' } })),
      post(message('REQUEST', { user_request: { barcode: '39000000001' } }, 'REQUEST_CLOSED')),
      post(message('LOAN', { item_loan: { loan_id: '1' } }, 'LOAN_CREATED')),
    ]);
    expect(answers.map((a) => [a.status, a.json.ignored])).toEqual([
      [200, 'unknown-action'],
      [200, 'unknown-action'],
      [200, 'other-job'],
      [200, 'unhandled-event'],
      [200, 'no-subject'],
    ]);
    const after = listener.metrics.status();
    expect(after.counts.ignored - before.counts.ignored).toBe(5);
    expect(after.detail['ignored:unknown-action']! - (before.detail['ignored:unknown-action'] ?? 0)).toBe(2);
    expect(logLines.join('\n')).toContain('Webhook message ignored (other-job)');
  });

  it("routes a request to the relink holding the item, a title request to relinks before the loan, a job's end to the waits it matters to", async () => {
    const barcode = `39${tag}`;
    const holder = await startRelink(patron('holder'), { barcodes: [barcode], step: 'lost-declaration' });
    const early = await startRelink(patron('early'), { barcodes: [`38${tag}`], step: 'email-swap', awaiting: 'none' });
    const lostJob = await startRelink(patron('lostjob'), { step: 'lost-declaration', awaiting: 'lost-job' });
    const quiet = await startRelink(patron('quiet'), { step: 'quiet-period', awaiting: 'quiet-period' });

    const onItem = message('REQUEST', { user_request: { barcode, mms_id: '991x', item_id: '23x' } }, 'REQUEST_CREATED');
    expect((await post(onItem)).json).toEqual({ ok: true, signalled: 1 });
    const onTitle = message('REQUEST', { user_request: { mms_id: '991y' } }, 'REQUEST_CREATED');
    expect((await post(onTitle)).json.ok).toBe(true);
    const overdueJob = message('JOB_END', {
      job_instance: { id: '5', name: 'Loans - Overdue and Lost Loan', job_info: { id: 'S1', name: 'x' } },
    });
    expect((await post(overdueJob)).json).toMatchObject({ ok: true });
    const finesJob = message('JOB_END', { job_instance: { id: '6', job_info: { name: 'Fines/Fees Notifications' } } });
    expect((await post(finesJob)).json).toMatchObject({ ok: true });

    expect(await eventsOf(holder)).toMatchObject([
      { kind: 'request', event: 'REQUEST_CREATED', itemBarcode: barcode, mmsId: '991x', itemId: '23x' },
      { kind: 'job', event: 'JOB_END', job: 'overdue-and-lost' }, // it awaits the Lost click
    ]);
    expect(await eventsOf(early)).toMatchObject([{ kind: 'request', mmsId: '991y' }]);
    expect(await eventsOf(lostJob)).toMatchObject([{ kind: 'job', job: 'overdue-and-lost', messageId: overdueJob.id }]);
    expect(await eventsOf(quiet)).toMatchObject([{ kind: 'job', job: 'fines-fees-notification' }]);
  });

  describe('end to end with the simulator', () => {
    let sim: AlmaSimulator;
    beforeAll(async () => {
      sim = await startAlmaSimulator({ fixtures: loadFixtures(exampleFixturesPath), port: 0 });
    });
    afterAll(async () => {
      await sim?.close();
    });

    it("the simulator's staff actions reach the patron's running relink as signals; a dropped message does not", async () => {
      // The example's patrons: their relink ids are the plain relink-<id>, unique in this namespace.
      const eva = await startRelink('lindqvist.eva');
      expect(await sim.configureWebhooks({ url: listener.url, secret: SECRET, dropNext: 1 })).toMatchObject({
        ok: true,
      });
      const item = sim.state().items[0]!;
      // The API scan-in sends no webhook; the desk loan's LOAN_CREATED is the first message, dropped (dropNext).
      const scan = await almaClient(sim).post(`${itemPath(item)}?${SCAN_AT_MAIN}`, {});
      expect(scan.status).toBe(200);
      const loan = sim.loanAtDesk('lindqvist.eva', item.item_data.barcode);
      sim.declareLost(loan.loan_id);
      const user = sim.state().users.find((u) => u.primary_id === 'lindqvist.eva')!;
      sim.editUser('lindqvist.eva', {
        contact_info: { ...user.contact_info, email: [{ email_address: 'eva.own@example.org', preferred: true }] },
      });
      await sim.webhooksIdle();
      expect(sim.webhooksSent().map((s) => [s.event, s.state])).toEqual([
        ['LOAN_CREATED', 'dropped'],
        ['LOAN_LOST', 'delivered'],
        ['USER_UPDATED', 'delivered'],
      ]);
      // Sent one after the other, but delivered each on its own (as Alma does): they may reach the relink in either order.
      const received = await eventsOf(eva);
      expect(received).toHaveLength(2);
      expect(received).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'loan',
            event: 'LOAN_LOST',
            loanId: loan.loan_id,
            itemBarcode: item.item_data.barcode,
          }),
          expect.objectContaining({ kind: 'user', event: 'USER_UPDATED' }),
        ]),
      );
      // The user message carried the whole record: none of it reached the log.
      expect(logLines.join('\n')).not.toMatch(/eva\.own@example\.org|Lindqvist/i);
      await eva.signal(stopSignal);
    });
  });
});
