// relink doctor against the simulator (Alma's test and configuration endpoints) and the test dev server: every check
// passes on a good setup; a key without write or Configuration permission, an unknown desk, a malformed holding
// address and an unreachable Temporal are each reported, with exit status 1, and nothing in Alma is written.
import { startAlmaSimulator, type AlmaSimulator, type KeyPermissions } from '../../src/alma-sim';
import { fixturesWith, HOLDING_EMAIL, DESK_MAP } from '../../src/alma-sim/builders';
import { Client } from '@temporalio/client';
import { connectClosable } from '../../src/temporal-client-connection';
import { JsonLogger } from '../../src/observability';
import { startWebhookListener } from '../../src/webhooks/listener';
import { loadWebhookSettings } from '../../src/webhooks/settings';
import { testServerAddress } from '../support/temporal';
import { cleanEnv, jsonOf, relinkCli } from './run-cli';

interface Doc {
  ok: boolean;
  problems: number;
  checks: Array<{ area: string; check: string; status: string; detail: string }>;
}

describe('relink doctor', () => {
  const sims: AlmaSimulator[] = [];
  afterAll(async () => Promise.all(sims.map((s) => s.close())));

  async function sim(keyPermissions?: Partial<KeyPermissions>, lostProcessStatus?: string) {
    const s = await startAlmaSimulator({
      fixtures: fixturesWith({}),
      port: 0,
      strictParams: true,
      keyPermissions,
      lostProcessStatus,
    });
    sims.push(s);
    return s;
  }
  const env = (s: AlmaSimulator, extra: NodeJS.ProcessEnv = {}) =>
    cleanEnv({
      ALMA_BASE_URL: s.url,
      ALMA_API_KEY: s.apiKey,
      ALMA_DESK_MAP: DESK_MAP,
      RELINK_HOLDING_EMAIL: HOLDING_EMAIL,
      TEMPORAL_ADDRESS: testServerAddress(),
      ...extra,
    });

  it('passes every check on a good setup, and writes nothing in Alma', async () => {
    const s = await sim();
    const before = JSON.stringify(s.state());
    const run = await relinkCli(['doctor'], env(s));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/the key reaches Alma; Users read +│ ok/);
    expect(run.stdout).toMatch(/library SCI, desk SCI_DESK +│ ok/);
    expect(run.stdout).toMatch(/per-second rate +│ ok +│ 10\/s: within a sandbox's 10\/s/);
    expect(run.stdout).toMatch(/search attributes +│ ok/);
    expect(run.stdout).toMatch(
      /Lost process status +│ ok +│ Lost is code LOST in Alma; the default \(LOST or LOST_LOAN\) accepts it/,
    );
    expect(run.stdout).toContain('Everything checked is in place.');
    expect(JSON.stringify(s.state())).toBe(before);
    // Reads, and the POST test endpoints (Alma's check of write permission, which writes nothing).
    const calls = s.calls().map((c) => `${c.method} ${c.path.replace(/\?.*/, '')}`);
    expect(calls.filter((c) => !c.startsWith('GET '))).toEqual([
      'POST /almaws/v1/users/operation/test',
      'POST /almaws/v1/bibs/test',
    ]);
  });

  it('says what a library must check in its sandbox before the overdue-job Lost mode, and refuses a 30-day profile', async () => {
    const s = await sim();
    const mode = { RELINK_LOST_MODE: 'overdue-job', RELINK_LOST_JOB_AT: 'next 02:00' };
    const run = await relinkCli(['doctor', '--json'], env(s, { ...mode, RELINK_LOST_AFTER_OVERDUE: '1 day' }));
    const doc = jsonOf(run) as { checks: Array<{ check: string; status: string; detail: string }> };
    expect(doc.checks.find((c) => c.check === 'Lost mode')).toMatchObject({ status: 'ok' });
    expect(doc.checks.find((c) => c.check === 'Lost mode in your sandbox')).toMatchObject({
      status: 'skipped',
      detail: expect.stringMatching(/Overdue and Lost Loan profile applies to these loans .*\(401681\)/),
    });
    const long = await relinkCli(['doctor', '--json'], env(s, { ...mode, RELINK_LOST_AFTER_OVERDUE: '30 days' }));
    expect(long.code).toBe(1);
    const settings = (jsonOf(long) as typeof doc).checks.find((c) => c.check === 'relink settings');
    expect(settings?.detail).toMatch(/longer than the holding-address limit/);
  });

  it('reports a read-only key, no Configuration permission and a malformed holding address', async () => {
    const s = await sim({ users: 'read-only', conf: 'none' });
    const run = await relinkCli(['doctor', '--json'], env(s, { RELINK_HOLDING_EMAIL: 'desk@library' }));
    expect(run.code).toBe(1);
    const doc = jsonOf<Doc>(run);
    const status = (check: string) => doc.checks.find((c) => c.check === check)?.status;
    expect(status('the key reaches Alma; Users read')).toBe('ok');
    expect(status('Users write')).toBe('problem');
    expect(doc.checks.find((c) => c.check === 'Users write')?.detail).toMatch(/Users read-write/);
    expect(status('Bibs write')).toBe('ok');
    expect(status('Configuration read')).toBe('problem');
    expect(status('holding address')).toBe('problem');
    expect(doc.checks.find((c) => c.check === 'relink settings')?.detail).toMatch(/RELINK_HOLDING_EMAIL/);
    expect(doc.ok).toBe(false);
  });

  it("reads which code means Lost from Alma's code table, and whether ALMA_LOST_PROCESS_STATUS matches it", async () => {
    const s = await sim(undefined, 'LOSTITEM');
    const lostRow = async (extra: NodeJS.ProcessEnv) =>
      jsonOf<Doc>(await relinkCli(['doctor', '--json'], env(s, extra))).checks.find(
        (c) => c.check === 'Lost process status',
      );
    expect(await lostRow({})).toMatchObject({
      status: 'problem',
      detail: expect.stringMatching(
        /^Lost is code LOSTITEM in Alma, but the default .* set ALMA_LOST_PROCESS_STATUS=LOSTITEM/,
      ),
    });
    expect(await lostRow({ ALMA_LOST_PROCESS_STATUS: 'LOSTITEM' })).toMatchObject({
      status: 'ok',
      detail: 'Lost is code LOSTITEM in Alma; ALMA_LOST_PROCESS_STATUS=LOSTITEM matches',
    });
  });

  it('names a desk the library does not have, and a Temporal it cannot reach', async () => {
    const s = await sim();
    const run = await relinkCli(
      ['doctor', '--json'],
      env(s, {
        ALMA_DESK_MAP: 'MAIN=DEFAULT_CIRC_DESK,SCI=NO_SUCH_DESK',
        ALMA_HOLD_SHELF_DESKS: 'DEFAULT_CIRC_DESK,SCI_DESK',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      }),
    );
    expect(run.code).toBe(1);
    const doc = jsonOf<Doc>(run);
    expect(doc.checks.find((c) => c.check === 'library MAIN, desk DEFAULT_CIRC_DESK')?.status).toBe('ok');
    expect(doc.checks.find((c) => c.check === 'library SCI, desk NO_SUCH_DESK')).toMatchObject({
      status: 'problem',
      detail: 'library SCI has no desk NO_SUCH_DESK (it has SCI_DESK)',
    });
    expect(doc.checks.find((c) => c.check === 'hold-shelf desks')).toMatchObject({
      status: 'problem',
      detail: 'ALMA_HOLD_SHELF_DESKS names SCI_DESK, not a desk of ALMA_CIRC_DESK or ALMA_DESK_MAP',
    });
    expect(doc.checks.find((c) => c.check === 'connection')?.status).toBe('problem');
    expect(doc.checks.find((c) => c.check === 'search attributes')?.status).toBe('skipped');
  });

  it('with RELINK_WEBHOOKS=on, says whether Alma reached the listener lately, or that it does not answer', async () => {
    const s = await sim();
    const connection = await connectClosable({ address: testServerAddress() });
    const listener = await startWebhookListener({
      settings: loadWebhookSettings({ ALMA_WEBHOOK_SECRET: 'doctor-test-secret-0123456789', RELINK_WEBHOOK_PORT: '0' }),
      client: new Client({ connection }),
      log: new JsonLogger('ERROR', { write: () => undefined }),
    });
    try {
      const health = `${new URL(listener.url).origin}/health`;
      const row = (doc: Doc) => doc.checks.find((c) => c.check === "Alma's webhooks");
      const quiet = jsonOf(
        await relinkCli(['doctor', '--json'], env(s, { RELINK_WEBHOOKS: 'on', RELINK_WEBHOOK_HEALTH_URL: health })),
      );
      expect(row(quiet as Doc)).toMatchObject({
        status: 'warning',
        detail: expect.stringMatching(/^last message from Alma: never/),
      });
      // Alma's challenge, as it sends one when the integration profile is saved.
      expect((await fetch(`${listener.url}?challenge=hello`)).status).toBe(200);
      const reached = jsonOf(
        await relinkCli(['doctor', '--json'], env(s, { RELINK_WEBHOOKS: 'on', RELINK_WEBHOOK_HEALTH_URL: health })),
      );
      expect(row(reached as Doc)).toMatchObject({
        status: 'ok',
        detail: expect.stringMatching(/last challenge: 20\d\d-/),
      });
    } finally {
      await listener.close();
      await connection.close();
    }
    const down = await relinkCli(
      ['doctor', '--json'],
      env(s, { RELINK_WEBHOOKS: 'on', RELINK_WEBHOOK_HEALTH_URL: 'http://127.0.0.1:9/health' }),
    );
    expect(down.code).toBe(1);
    expect((jsonOf(down) as Doc).checks.find((c) => c.check === "Alma's webhooks")).toMatchObject({
      status: 'problem',
      detail: expect.stringMatching(/the listener did not answer at http:\/\/127\.0\.0\.1:9\/health/),
    });
  });
});
