// relink batch: a CSV file in, one relink per patron started (or joined), a CSV report out; a malformed file is
// refused whole, with every bad line named, and nothing starts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { batchCommand } from '../../src/cli/commands/batch';
import { Output } from '../../src/cli/output';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { startHarness, waitForProgress, writesIn, type RelinkHarness } from '../support/relink-harness';
import { cliEnv, jsonOf, relinkCli, workDir } from './run-cli';

function csvFile(name: string, text: string): string {
  writeFileSync(path.join(workDir, name), text);
  return name; // the CLI runs in workDir
}

describe('relink batch', () => {
  let h: RelinkHarness;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [
          'cli.batch.a',
          'cli.batch.b',
          'cli.batch.c',
          'cli.batch.d',
          'cli.batch.e',
          'cli.batch.g',
          'cli.batch.tty',
          'cli.batch.q1',
          'cli.batch.q2',
          'cli.batch.q3',
        ].map((id) => patron(id)),
        items: [
          '53000000001',
          '53000000002',
          '53000000003',
          '53000000004',
          '53000000005',
          '53000000006',
          '53000000007',
          '53000000008',
          '53000000009',
          '53000000010',
          '53000000011',
          '53000000021',
          '53000000022',
          '53000000023',
        ].map((b) => item(b)),
      }),
    );
    env = cliEnv(h);
  });
  afterAll(async () => h?.close());

  it('refuses a malformed file whole: every bad line reported, exit 2, nothing started or written', async () => {
    const callsBefore = h.sim.calls().length;
    const file = csvFile(
      'malformed.csv',
      [
        'patron_id,barcode,note', // line 1: an unknown column
        'cli.batch.g,53000000010,fine', // line 2: good
        'bad id!,53000000011,x', // line 3: a patron id Alma does not use
        'cli.batch.g,,x', // line 4: no barcode
        'cli.batch.g,53000000010,again', // line 5: repeats line 2
        '', // line 6: blank, skipped
        'cli.batch.a,53000000010,x', // line 7: the same item for another patron
        'cli.batch.g', // line 8: too few fields
      ].join('\n') + '\n',
    );
    const [human, json] = await Promise.all([
      relinkCli(['batch', file], env),
      relinkCli(['batch', file, '--json'], env),
    ]);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^relink: malformed\.csv has 6 problems; nothing was started:/);
    for (const line of [1, 3, 4, 5, 7, 8]) expect(human.stderr).toMatch(new RegExp(`^  - line ${line}: `, 'm'));
    expect(human.stderr).not.toMatch(/line (2|6): /);

    expect(json.code).toBe(2);
    expect(jsonOf(json).error.problems).toEqual([
      { line: 1, message: 'unknown column "note": the columns are patron_id and barcode' },
      { line: 3, message: expect.stringMatching(/the patron id "bad id!" has characters/) },
      { line: 4, message: 'a barcode is empty' },
      { line: 5, message: 'patron cli.batch.g, barcode 53000000010 repeats line 2' },
      {
        line: 7,
        message: expect.stringMatching(/barcode 53000000010 is also listed for patron cli\.batch\.g on line 2/),
      },
      { line: 8, message: 'has 1 field; the header has 3' },
    ]);
    // The good line did not start anything either.
    await expect(h.relinks.status('relink-cli.batch.g')).rejects.toThrow(
      /No relink with id relink-cli\.batch\.g exists/,
    );
    expect(writesIn(h.sim.calls().slice(callsBefore))).toEqual([]);
    expect(
      h.sim
        .calls()
        .slice(callsBefore)
        .filter((c) => c.path.includes('cli.batch.g')),
    ).toEqual([]);
  });

  it('starts one relink per patron, joins a running one, and reports every line as CSV on stdout', async () => {
    // cli.batch.c already has a running relink of 53000000004.
    await h.relinks.start(relinkInput('cli.batch.c', ['53000000004']));
    await waitForProgress(h, 'relink-cli.batch.c', (p) => p.awaiting === 'lost-declaration');
    const file = csvFile(
      'good.csv',
      '\ufeffpatron_id,barcode\ncli.batch.a,53000000001\ncli.batch.b,53000000003\ncli.batch.a,53000000002\n' +
        'cli.batch.c,53000000004\ncli.batch.c,53000000005\n',
    );
    const run = await relinkCli(['batch', file], env);
    expect(run.code).toBe(0);
    const report = parse(run.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(report).toEqual([
      {
        patron_id: 'cli.batch.a',
        barcode: '53000000001',
        workflow_id: 'relink-cli.batch.a',
        result: 'started',
        message: 'relink started',
      },
      {
        patron_id: 'cli.batch.b',
        barcode: '53000000003',
        workflow_id: 'relink-cli.batch.b',
        result: 'started',
        message: 'relink started',
      },
      {
        patron_id: 'cli.batch.a',
        barcode: '53000000002',
        workflow_id: 'relink-cli.batch.a',
        result: 'started',
        message: 'relink started',
      },
      {
        patron_id: 'cli.batch.c',
        barcode: '53000000004',
        workflow_id: 'relink-cli.batch.c',
        result: 'already-in-relink',
        message: expect.any(String),
      },
      {
        patron_id: 'cli.batch.c',
        barcode: '53000000005',
        workflow_id: 'relink-cli.batch.c',
        result: 'joined',
        message: expect.any(String),
      },
    ]);
    expect(run.stdout.split('\n')[0]).toBe('patron_id,barcode,workflow_id,result,message');
    expect(run.stderr).toMatch(
      /5 items of 3 patrons: 3 in new relinks, 1 added to running ones, 1 already in one, 0 failed\./,
    );
    expect(run.stderr).not.toMatch(/Starting relinks \[/); // stderr is not a terminal here: no progress bar

    // One relink per patron, with that patron's items.
    const a = await waitForProgress(h, 'relink-cli.batch.a', (p) => p.awaiting === 'lost-declaration');
    expect(a.items.map((i) => i.barcode)).toEqual(['53000000001', '53000000002']);
    const c = await waitForProgress(h, 'relink-cli.batch.c', (p) => p.items.length === 2);
    expect(c.items.map((i) => i.barcode)).toEqual(['53000000004', '53000000005']);
    await Promise.all(
      ['relink-cli.batch.a', 'relink-cli.batch.b', 'relink-cli.batch.c'].map((id) => h.relinks.cancel(id)),
    );
  });

  it('reports as JSON, and a line that could not join as failed with exit 1', async () => {
    // cli.batch.e's running relink cannot take a barcode Alma does not know: that join is refused.
    await h.relinks.start(relinkInput('cli.batch.e', ['53000000007']));
    await waitForProgress(h, 'relink-cli.batch.e', (p) => p.awaiting === 'lost-declaration');
    const file = csvFile('mixed.csv', 'barcode,patron_id\n53000000006,cli.batch.d\n59999999999,cli.batch.e\n');
    const run = await relinkCli(['batch', file, '--json'], env);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toEqual({
      rows: [
        {
          patron_id: 'cli.batch.d',
          barcode: '53000000006',
          workflow_id: 'relink-cli.batch.d',
          result: 'started',
          message: 'relink started',
        },
        {
          patron_id: 'cli.batch.e',
          barcode: '59999999999',
          workflow_id: 'relink-cli.batch.e',
          result: 'failed',
          message: expect.stringMatching(/relink-cli\.batch\.e.*59999999999/),
        },
      ],
      summary: { started: 1, joined: 0, alreadyInRelink: 0, failed: 1, waitsForTomorrow: 0 },
    });
    await Promise.all(['relink-cli.batch.d', 'relink-cli.batch.e'].map((id) => h.relinks.cancel(id)));
  });

  it('shows a progress bar on stderr when stderr is a terminal', async () => {
    const file = path.join(workDir, csvFile('tty.csv', 'patron_id,barcode\ncli.batch.tty,53000000008\n'));
    const saved = process.env;
    process.env = cliEnv(h);
    try {
      const stdout = new PassThrough();
      const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
      let out = '';
      let err = '';
      stdout.on('data', (d: Buffer) => (out += d.toString()));
      stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await batchCommand(file, new Output(false, { stdout, stderr }));
      expect(code).toBe(0);
      expect(err).toMatch(/Starting relinks \[.*\] 1\/1 patrons/);
      expect(out).not.toMatch(/Starting relinks/);
      expect(out).toMatch(/cli\.batch\.tty,53000000008,relink-cli\.batch\.tty,started/);
    } finally {
      process.env = saved;
    }
    await h.relinks.cancel('relink-cli.batch.tty');
  });

  describe("against today's Alma quota (the workers' floor is the production 5000)", () => {
    const file = () =>
      csvFile(
        'quota.csv',
        'patron_id,barcode\ncli.batch.q1,53000000021\ncli.batch.q2,53000000022\ncli.batch.q3,53000000023\n',
      );
    // 41 calls above the floor, for relinks estimated at 14 calls each: 2 fit, 3 do not, with room for the read that
    // measures it and a few restores of the relinks cancelled above.
    beforeEach(() => h.sim.resetDailyQuota(5041));
    afterAll(() => h.sim.resetDailyQuota());

    it('refuses a batch that would cross the floor, before anything starts (exit 1)', async () => {
      const callsBefore = h.sim.calls().length;
      const run = await relinkCli(['batch', file(), '--json'], env);
      expect(run.code).toBe(1);
      expect(jsonOf(run).error).toMatchObject({
        code: 'refused',
        message: expect.stringMatching(
          /needs about 42 Alma calls, and Alma has 50[34]\d left today: [34]\d above the workers' floor of 5000/,
        ),
        hint: expect.stringMatching(/--pace to start the first 2 patrons/),
      });
      // Of the batch's patrons and items, the one read that measured the quota, and nothing else. (Relinks of the
      // tests above may still be restoring: their calls are not this batch's.)
      const ours = h.sim
        .calls()
        .slice(callsBefore)
        .filter((c) => /cli\.batch\.q|5300000002/.test(c.path));
      expect(ours.map((c) => `${c.method} ${c.path.split('?')[0]}`)).toEqual(['GET /almaws/v1/users/cli.batch.q1']);
      await expect(h.relinks.summary('relink-cli.batch.q1')).rejects.toMatchObject({ kind: 'not-found' });
    });

    it('with --pace starts what fits and reports the other lines as waiting for tomorrow', async () => {
      const run = await relinkCli(['batch', file(), '--pace'], env);
      expect(run.code).toBe(0);
      const rows = parse(run.stdout, { columns: true }) as Array<Record<string, string>>;
      expect(rows.map((r) => [r.patron_id, r.result])).toEqual([
        ['cli.batch.q1', 'started'],
        ['cli.batch.q2', 'started'],
        ['cli.batch.q3', 'waits-for-tomorrow'],
      ]);
      expect(rows[2]!.message).toMatch(/not started: today's Alma quota .* after Alma's midnight reset/);
      expect(run.stderr).toMatch(/2 in new relinks, .* 0 failed, 1 wait for tomorrow/);
      await expect(h.relinks.summary('relink-cli.batch.q3')).rejects.toMatchObject({ kind: 'not-found' });
      await Promise.all(['relink-cli.batch.q1', 'relink-cli.batch.q2'].map((id) => h.relinks.cancel(id)));
    });
  });
});
