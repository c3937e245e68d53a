// What the relink command refuses before it contacts anything (exit 2), and what it says when Temporal is not there.
import { cleanEnv, jsonOf, relinkCli } from './run-cli';

const settings = {
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
  RELINK_HOLDING_EMAIL: 'relink-holding@library.example.edu',
  ALMA_DESK_MAP: 'MAIN=DEFAULT_CIRC_DESK',
};

describe('relink usage errors', () => {
  it('shows help with exit 0, and help for a missing command with exit 2', async () => {
    const [help, none] = await Promise.all([relinkCli(['--help'], cleanEnv()), relinkCli([], cleanEnv())]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: relink/);
    for (const command of ['start', 'status', 'list', 'review', 'confirm-lost', 'cancel', 'batch', 'sweep']) {
      expect(help.stdout).toContain(command);
    }
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage: relink/);
    expect(none.stdout).toBe('');
  });

  it('refuses an unknown command and a missing --patron with exit 2, as text or as JSON on stdout', async () => {
    const [unknown, unknownJson, noPatron, noPatronJson] = await Promise.all([
      relinkCli(['statsu', 'relink-x'], cleanEnv(settings)),
      relinkCli(['frobnicate', '--json'], cleanEnv(settings)),
      relinkCli(['start', '--barcode', '39000000001'], cleanEnv(settings)),
      relinkCli(['start', '--barcode', '39000000001', '--json'], cleanEnv(settings)),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'statsu'.*Did you mean status\?/s);
    expect(unknown.stdout).toBe('');
    expect(unknownJson.code).toBe(2);
    expect(jsonOf(unknownJson).error).toMatchObject({
      code: 'usage',
      message: expect.stringMatching(/unknown command 'frobnicate'/),
      exitCode: 2,
    });
    expect(noPatron.code).toBe(2);
    expect(noPatron.stderr).toMatch(/required option '--patron <id>' not specified/);
    expect(noPatronJson.code).toBe(2);
    expect(jsonOf(noPatronJson).error.message).toMatch(/--patron/);
  });

  it('lists every problem with the patron id and barcodes, by the workflow rules, before contacting anything', async () => {
    // TEMPORAL_ADDRESS points nowhere: an attempt to connect would be a different error (and exit 1).
    const env = cleanEnv({ ...settings, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const [human, json] = await Promise.all([
      relinkCli(
        ['start', '--patron', 'bad id', '--barcode', 'B 1', '--barcode', '39000000001', '--barcode', '39000000001'],
        env,
      ),
      relinkCli(['start', '--patron', 'bad id', '--barcode', '39000000001', '--json'], env),
    ]);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/the patron id "bad id" has characters/);
    expect(human.stderr).toMatch(/barcode "B 1" has characters/);
    expect(human.stderr).toMatch(/barcode 39000000001 is given twice/);
    expect(json.code).toBe(2);
    expect(jsonOf(json).error).toMatchObject({
      code: 'invalid-input',
      problems: [{ message: expect.stringMatching(/patron id "bad id"/) }],
    });
  });

  it('refuses malformed workflow ids, a review without a decision and an unknown --awaiting value with exit 2', async () => {
    const env = cleanEnv({ ...settings, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const [badId, noDecision, both, badAwaiting] = await Promise.all([
      relinkCli(['status', 'rivera.ana'], env),
      relinkCli(['review', 'relink-rivera.ana'], env),
      relinkCli(['review', 'relink-rivera.ana', '--proceed', '--abort', '--json'], env),
      relinkCli(['list', '--awaiting', 'coffee'], env),
    ]);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/"rivera\.ana" is not a relink id.*relink-rivera\.ana/);
    expect(noDecision.code).toBe(2);
    expect(noDecision.stderr).toMatch(/--proceed .* or --abort/);
    expect(both.code).toBe(2);
    expect(jsonOf(both).error.message).toMatch(/'--proceed' cannot be used with option '--abort'/);
    expect(badAwaiting.code).toBe(2);
    expect(badAwaiting.stderr).toMatch(/request-review, lost-declaration/);
  });

  it('lists every missing or malformed setting in one message, exit 2', async () => {
    const env = cleanEnv({ TEMPORAL_ADDRESS: 'nowhere', RELINK_LOST_DEADLINE: 'soon' });
    const [human, json] = await Promise.all([
      relinkCli(['start', '--patron', 'rivera.ana', '--barcode', '39000000001'], env),
      relinkCli(['start', '--patron', 'rivera.ana', '--barcode', '39000000001', '--json'], env),
    ]);
    expect(human.code).toBe(2);
    const lines = human.stderr.split('\n');
    expect(lines[0]).toBe('relink: The settings are incomplete or malformed:');
    for (const name of ['TEMPORAL_ADDRESS', 'RELINK_HOLDING_EMAIL', 'ALMA_CIRC_DESK', 'RELINK_LOST_DEADLINE']) {
      expect(lines.filter((l) => l.startsWith(`  - ${name}:`))).toHaveLength(1);
    }
    expect(human.stderr).toMatch(/ALMA_DESK_MAP/); // the alternative to ALMA_LIBRARY + ALMA_CIRC_DESK is named
    expect(human.stderr).not.toMatch(/ALMA_API_KEY/); // the CLI never needs the key
    expect(json.code).toBe(2);
    expect(jsonOf(json).error).toMatchObject({ code: 'config', exitCode: 2 });
    expect(jsonOf(json).error.problems).toHaveLength(4);
  });

  it('says which TEMPORAL_ADDRESS it could not reach, exit 1', async () => {
    const env = cleanEnv({ ...settings, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const [human, json] = await Promise.all([
      relinkCli(['list'], env),
      relinkCli(['status', 'relink-rivera.ana', '--json'], env),
    ]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/Cannot reach the Temporal server at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\)/);
    expect(human.stderr).toMatch(/npm run dev-server/);
    expect(json.code).toBe(1);
    expect(jsonOf(json).error).toMatchObject({
      code: 'unreachable',
      message: expect.stringMatching(/TEMPORAL_ADDRESS/),
    });
    expect(json.stderr).toBe('');
  });
});
