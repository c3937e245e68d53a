// The simulator sends Alma's webhooks: the challenge, signed messages for staff actions (not for API user changes),
// requests created through the API, job ends; a 5xx retried on the short schedule; messages dropped or delayed.
// The receiver is a plain HTTP server on loopback that checks the signature itself and answers as it is told.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ITEM1, itemPath, SCAN_AT_MAIN, useSimulator, type Any } from './helpers';

const SECRET = 'sim-webhook-secret-0123456789';

interface Received {
  method: string;
  url: string;
  signature?: string;
  body: string;
  at: number;
}

/** A listener on loopback: records every request, answers the challenge, and answers POSTs with `statuses` in turn (then 200). */
async function startReceiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        signature: req.headers['x-exl-signature'] as string | undefined,
        body,
        at: Date.now(),
      });
      if (req.method === 'GET') {
        const challenge = new URL(req.url ?? '/', 'http://x').searchParams.get('challenge');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge }));
        return;
      }
      res.writeHead(statuses.shift() ?? 200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alma/webhooks`;
  return {
    url,
    received,
    statuses,
    posts: () => received.filter((r) => r.method === 'POST').map((r) => ({ ...r, json: JSON.parse(r.body) as Any })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the simulator sends webhooks', () => {
  const t = useSimulator();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await t.sim.configureWebhooks(undefined);
    await receiver.close();
  });

  it('challenges the listener, then signs a message for a staff desk loan and the Lost click', async () => {
    const challenge = await t.sim.configureWebhooks({ url: receiver.url, secret: SECRET });
    expect(challenge).toMatchObject({ ok: true, status: 200 });
    expect(receiver.received[0]).toMatchObject({ method: 'GET', signature: undefined });
    expect(receiver.received[0]!.url).toMatch(/^\/alma\/webhooks\?challenge=[0-9a-f]{24}$/);

    // A scan-in through the API (no webhook: not a loan event) puts the item back in place for the desk loan.
    expect((await t.alma.post(`${itemPath(ITEM1)}?${SCAN_AT_MAIN}`, {})).status).toBe(200);
    const loan = (
      await t.root.post('/_sim/staff/loans', { user_id: 'lindqvist.eva', barcode: ITEM1.item_data.barcode })
    ).data as Any;
    expect(loan.loan_id).toBeDefined();
    expect((await t.root.post(`/_sim/staff/loans/${loan.loan_id}/lost`, {})).status).toBe(200);
    await t.sim.webhooksIdle();

    const posts = receiver.posts();
    expect(posts.map((p) => [p.json.action, p.json.event.value])).toEqual([
      ['LOAN', 'LOAN_CREATED'],
      ['LOAN', 'LOAN_LOST'],
    ]);
    for (const p of posts) {
      expect(p.signature).toBe(createHmac('sha256', SECRET).update(p.body).digest('base64'));
      expect(p.json).toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        institution: { value: 'SIM_INST' },
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        item_loan: { loan_id: loan.loan_id, user_id: 'lindqvist.eva', item_barcode: ITEM1.item_data.barcode },
      });
    }
    expect(new Set(posts.map((p) => p.json.id)).size).toBe(2);
    expect((await t.root.get('/_sim/webhooks')).data).toMatchObject({
      settings: { url: receiver.url },
      lastChallenge: { ok: true },
      sent: [
        { state: 'delivered', attempts: [200] },
        { state: 'delivered', attempts: [200] },
      ],
    });
    expect(JSON.stringify((await t.root.get('/_sim/webhooks')).data)).not.toContain(SECRET);
  });

  it('sends USER for a staff edit and a SIS load, none for a PUT through the API; REQUEST for an API request; JOB_END', async () => {
    await t.root.put('/_sim/webhooks', { url: receiver.url, secret: SECRET });
    const user = (await t.alma.get('/users/lindqvist.eva')).data as Any;
    expect((await t.alma.put('/users/lindqvist.eva', { ...user, user_note: [] })).status).toBe(200);
    const contact = { ...user.contact_info, email: [{ email_address: 'eva@example.org', preferred: true }] };
    expect((await t.root.post('/_sim/staff/users/lindqvist.eva', { contact_info: contact })).status).toBe(200);
    expect((await t.root.post('/_sim/staff/users/lindqvist.eva', { primary_id: 'x' })).status).toBe(400);
    await t.root.post('/_sim/sis-load', {});
    const request = await t.alma.post(`/users/rivera.ana/requests?item_pid=${ITEM1.item_data.pid}`, {
      request_type: 'HOLD',
      pickup_location_type: 'LIBRARY',
      pickup_location_library: 'MAIN',
    });
    expect(request.status).toBe(200);
    await t.root.post('/_sim/jobs/fines-fees-notification/run', {});
    await t.sim.webhooksIdle();

    const posts = receiver.posts().map((p) => p.json);
    expect(posts.map((p) => [p.action, p.event?.value])).toEqual([
      ['USER', 'USER_UPDATED'], // the staff edit; the PUT before it sent nothing
      ['USER', 'USER_UPDATED'], // the SIS load of the one External user
      ['REQUEST', 'REQUEST_CREATED'],
      ['JOB_END', undefined],
    ]);
    expect(posts[0].webhook_user.user.primary_id).toBe('lindqvist.eva');
    expect(posts[1].webhook_user.user.primary_id).toBe('okafor.chidi');
    expect(posts[2].user_request).toMatchObject({ barcode: ITEM1.item_data.barcode, mms_id: ITEM1.bib_data.mms_id });
    expect(posts[3].job_instance).toMatchObject({
      name: 'Fines/Fees Notifications',
      status: { value: 'COMPLETED_SUCCESS' },
    });
  });

  it('retries a message answered 5xx on the short schedule, and gives up after the last retry', async () => {
    await t.sim.configureWebhooks({ url: receiver.url, secret: SECRET, retryDelaysMs: [200, 400] });
    receiver.statuses.push(503, 500);
    await t.sim.sisLoad();
    await t.sim.webhooksIdle();
    let posts = receiver.posts();
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.body)).size).toBe(1); // the same message, the same signature
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(190);
    expect(posts[2]!.at - posts[1]!.at).toBeGreaterThanOrEqual(390);
    expect(t.sim.webhooksSent()).toMatchObject([{ state: 'delivered', attempts: [503, 500, 200] }]);

    receiver.statuses.push(503, 503, 503);
    await t.sim.sisLoad();
    await t.sim.webhooksIdle();
    expect(t.sim.webhooksSent()[1]).toMatchObject({ state: 'gave-up', attempts: [503, 503, 503] });
    // A 4xx is a logical failure: not retried.
    receiver.statuses.push(401);
    await t.sim.sisLoad();
    await t.sim.webhooksIdle();
    expect(t.sim.webhooksSent()[2]).toMatchObject({ state: 'refused', attempts: [401] });
    posts = receiver.posts();
    expect(posts).toHaveLength(7);
  });

  it('drops messages (the next N, or a share) and delays them', async () => {
    await t.sim.configureWebhooks({ url: receiver.url, secret: SECRET, dropNext: 1 });
    await t.sim.sisLoad();
    await t.sim.sisLoad();
    await t.sim.webhooksIdle();
    expect(t.sim.webhooksSent().map((s) => s.state)).toEqual(['dropped', 'delivered']);
    expect(receiver.posts()).toHaveLength(1);

    await t.sim.configureWebhooks({ url: receiver.url, secret: SECRET, dropRate: 1 });
    await t.sim.sisLoad();
    await t.sim.webhooksIdle();
    expect(t.sim.webhooksSent()[2]!.state).toBe('dropped');
    expect(receiver.posts()).toHaveLength(1);

    await t.sim.configureWebhooks({ url: receiver.url, secret: SECRET, delayMs: 600 });
    const before = Date.now();
    await t.sim.sisLoad();
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.posts()).toHaveLength(1); // not yet
    await t.sim.webhooksIdle();
    expect(receiver.posts()).toHaveLength(2);
    expect(receiver.posts()[1]!.at - before).toBeGreaterThanOrEqual(590);
  });

  it('reports a listener that fails the challenge, and refuses settings it cannot use', async () => {
    const res = await t.root.put('/_sim/webhooks', {
      url: `${receiver.url.replace(/\d+\/alma/, '1/alma')}`,
      secret: SECRET,
    });
    expect(res.status).toBe(200);
    expect(res.data.challenge).toMatchObject({ ok: false, status: 0 });
    expect((await t.root.put('/_sim/webhooks', { url: 'not a url', secret: '' })).status).toBe(400);
  });
});
