// `NAME_FILE` for a secret setting: the value is read from that file (a compose secret under /run/secrets, a
// systemd credential, a Kubernetes secret volume), so the secret is in no compose file, unit or `docker inspect`
// output. The same convention as the postgres image and deploy/secret-files.sh.
import { readFileSync } from 'node:fs';

/** The settings that may come from a file; RELINK_CODEC_KEY_FILE has its own parser (config.ts). */
export const SECRET_FILE_SETTINGS = ['ALMA_API_KEY', 'TEMPORAL_API_KEY', 'ALMA_WEBHOOK_SECRET'] as const;

export class SecretFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretFileError';
  }
}

/** The environment with each `NAME_FILE` read into `NAME`; the messages name the file, never its content. */
export function withSecretFiles(
  env: NodeJS.ProcessEnv,
  names: readonly string[] = SECRET_FILE_SETTINGS,
): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new SecretFileError(`set ${name} or ${name}_FILE, not both`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new SecretFileError(`${name}_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code}`);
    }
    // `echo key > file` leaves a newline that is not part of the key.
    out[name] = text.replace(/\r?\n$/, '');
    delete out[`${name}_FILE`];
  }
  return out;
}
