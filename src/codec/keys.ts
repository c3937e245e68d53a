// The AES-256 keys that encrypt workflow payloads. Several can be known at once so a key can be rotated: the first
// is the current one (it encrypts), the others only decrypt what was written before the rotation. Key material
// never appears in an error message, a log line or util.inspect output.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';
import { PROJECT_ROOT } from '../project-root';

export const KEY_BYTES = 32;
/** The id of the generated development key; never a production key's id, so a mix-up fails loudly. */
export const DEV_KEY_ID = 'dev';
/** Where the development key lives: next to the dev server's state (.data/temporal.db), which it encrypts. */
export const DEV_KEY_FILE = path.join(PROJECT_ROOT, '.data', 'codec-dev-key');

const GENERATE_HINT = 'generate one with: npm run --silent codec-key';

/** A missing, malformed or unknown key, with what to do about it. */
export class CodecKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecKeyError';
  }
}

const keyIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is 1-64 letters, digits, dots, dashes or underscores');

const base64Schema = z.string().regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'is not base64');

/** One `id:base64key` entry. The messages name the key id, never the key. */
const keyEntrySchema = z.string().transform((entry, ctx) => {
  const colon = entry.indexOf(':');
  if (colon < 0) {
    ctx.addIssue({ code: 'custom', message: `a key entry must look like id:base64key (${GENERATE_HINT})` });
    return z.NEVER;
  }
  const id = keyIdSchema.safeParse(entry.slice(0, colon).trim());
  if (!id.success) {
    ctx.addIssue({ code: 'custom', message: id.error.issues[0]!.message });
    return z.NEVER;
  }
  const material = entry.slice(colon + 1).trim();
  if (!base64Schema.safeParse(material).success) {
    ctx.addIssue({ code: 'custom', message: `key "${id.data}" is not base64 (${GENERATE_HINT})` });
    return z.NEVER;
  }
  const key = Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message: `key "${id.data}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES} (${GENERATE_HINT})`,
    });
    return z.NEVER;
  }
  return { id: id.data, key };
});

/**
 * A key list: `id1:base64key,id2:base64key`, or one entry per line (a key file); blank lines and `#` comments are
 * skipped. The first entry is the current key.
 */
export const keyListSchema = z
  .string()
  .transform((text) =>
    text
      .split(/[,\n]/)
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean),
  )
  .pipe(z.array(keyEntrySchema).min(1, `no key in the list (${GENERATE_HINT})`))
  .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'two keys have the same id');

export type KeyEntry = z.output<typeof keyEntrySchema>;

/** The keys a process knows: `current` encrypts; every key, current included, decrypts. */
export class CodecKeyRing {
  readonly current: { readonly id: string };
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #currentKey: Buffer;

  constructor(entries: readonly KeyEntry[]) {
    const first = entries[0];
    if (!first) throw new CodecKeyError(`A payload codec needs at least one key (${GENERATE_HINT}).`);
    for (const e of entries) {
      if (e.key.length !== KEY_BYTES) {
        throw new CodecKeyError(`Key "${e.id}" is ${e.key.length} bytes; AES-256 needs exactly ${KEY_BYTES}.`);
      }
    }
    this.#keys = new Map(entries.map((e) => [e.id, Buffer.from(e.key)]));
    if (this.#keys.size !== entries.length) throw new CodecKeyError('Two payload codec keys have the same id.');
    this.current = { id: first.id };
    this.#currentKey = this.#keys.get(first.id)!;
  }

  /** Parses an `id:base64key,...` list; a CodecKeyError names what is wrong (never the key material). */
  static parse(list: string, source = 'RELINK_CODEC_KEYS'): CodecKeyRing {
    const parsed = keyListSchema.safeParse(list);
    if (!parsed.success) {
      throw new CodecKeyError(`${source}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    return new CodecKeyRing(parsed.data);
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  currentKey(): { id: string; key: Buffer } {
    return { id: this.current.id, key: this.#currentKey };
  }

  keyFor(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  toJSON() {
    return { current: this.current.id, ids: this.ids };
  }

  [inspect.custom]() {
    return `CodecKeyRing ${inspect(this.toJSON())}`;
  }
}

/** A fresh random key in the `id:base64key` form RELINK_CODEC_KEYS takes. */
export function generateKeyEntry(id: string): string {
  keyIdSchema.parse(id);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * The development key of this checkout, created on first use in .data/ (mode 0600) so that the dev server's
 * persistent history stays readable across restarts, and shared by every local process: `npm start`, the tests,
 * the CLI, a worker and the codec server that talk to a Temporal server on this machine.
 */
export function devKeyRing(file = DEV_KEY_FILE): CodecKeyRing {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and linked into place: two processes starting at once end up with the same key.
    const temp = `${file}.${process.pid}.${Date.now()}`;
    writeFileSync(temp, `${generateKeyEntry(DEV_KEY_ID)}\n`, { mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(temp);
    }
  }
  return CodecKeyRing.parse(readFileSync(file, 'utf8'), file);
}
