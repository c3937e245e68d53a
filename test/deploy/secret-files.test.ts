// Secrets as files (compose `secrets:`, systemd credentials): NAME_FILE is read into NAME, by the worker's settings
// (src/secret-files.ts) and by the deploy/ scripts (deploy/secret-files.sh). Both refuse NAME and NAME_FILE together
// and an unreadable file, naming the setting and the file, never the secret.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadSettings } from '../../src/config';

const dir = mkdtempSync(path.join(tmpdir(), 'relink-secret-files-'));
const keyFile = path.join(dir, 'alma-api-key');
writeFileSync(keyFile, 'l7xx-secret-alma-key\n', { mode: 0o600 });
const SCRIPT = path.resolve(__dirname, '..', '..', 'deploy', 'secret-files.sh');

describe('ALMA_API_KEY_FILE for the worker', () => {
  const base = { ALMA_BASE_URL: 'http://127.0.0.1:8480' };

  it('reads the key from the file, without its trailing newline', () => {
    const { alma } = loadSettings(['alma'], { ...base, ALMA_API_KEY_FILE: keyFile }, { dotenv: false });
    expect(alma.ALMA_API_KEY).toBe('l7xx-secret-alma-key');
  });

  it('refuses the key and the file together, and an unreadable file, without showing the key', () => {
    const both = () =>
      loadSettings(['alma'], { ...base, ALMA_API_KEY: 'x', ALMA_API_KEY_FILE: keyFile }, { dotenv: false });
    expect(both).toThrow(ConfigError);
    expect(both).toThrow(/set ALMA_API_KEY or ALMA_API_KEY_FILE, not both/);
    const missing = () =>
      loadSettings(['alma'], { ...base, ALMA_API_KEY_FILE: path.join(dir, 'nope') }, { dotenv: false });
    expect(missing).toThrow(/ALMA_API_KEY_FILE: cannot read .*nope: ENOENT/);
  });
});

describe('deploy/secret-files.sh for the Temporal server and the setup jobs', () => {
  const sh = (env: Record<string, string>, stdin?: string) => {
    const run = promisify(execFile)(
      'sh',
      ['-c', `. "${SCRIPT}"; load_secret_files POSTGRES_PWD; printf '%s' "$POSTGRES_PWD"`],
      { env: { PATH: process.env.PATH ?? '', ...env } },
    );
    // A script that exits before reading (a refused setting) closes its stdin: that is not the test's failure.
    run.child.stdin?.on('error', () => undefined).end(stdin ?? '');
    return run;
  };

  it('reads POSTGRES_PWD from POSTGRES_PWD_FILE, without the trailing newline', async () => {
    expect((await sh({ POSTGRES_PWD_FILE: keyFile })).stdout).toBe('l7xx-secret-alma-key');
    expect((await sh({ POSTGRES_PWD: 'plain' })).stdout).toBe('plain');
  });

  it('reads it from stdin with POSTGRES_PWD_FILE=-, for a file only root can open (sudo -u postgres … < file)', async () => {
    expect((await sh({ POSTGRES_PWD_FILE: '-' }, 'from-stdin\n')).stdout).toBe('from-stdin');
    expect((await sh({ POSTGRES_PWD_FILE: '-' }, 'no-newline')).stdout).toBe('no-newline');
    await expect(sh({ POSTGRES_PWD: 'x', POSTGRES_PWD_FILE: '-' }, 'y\n')).rejects.toMatchObject({
      stderr: expect.stringMatching(/set POSTGRES_PWD or POSTGRES_PWD_FILE, not both/),
    });
  });

  it('refuses both at once, and a file it cannot read', async () => {
    await expect(sh({ POSTGRES_PWD: 'x', POSTGRES_PWD_FILE: keyFile })).rejects.toMatchObject({
      stderr: expect.stringMatching(/set POSTGRES_PWD or POSTGRES_PWD_FILE, not both/),
    });
    await expect(sh({ POSTGRES_PWD_FILE: path.join(dir, 'nope') })).rejects.toMatchObject({
      stderr: expect.stringMatching(/POSTGRES_PWD_FILE names .*nope, which cannot be read/),
    });
  });
});
