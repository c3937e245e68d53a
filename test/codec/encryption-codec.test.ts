import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  CodecKeyError,
  CodecKeyRing,
  EncryptionCodec,
  PayloadDecryptionError,
  codecKeyRing,
  devKeyRing,
  generateKeyEntry,
} from '../../src/codec';
import { loadSettings } from '../../src/config';

const keyOf = () => randomBytes(32).toString('base64');
const ring = (list: string) => CodecKeyRing.parse(list);
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value) as Payload;
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const str = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

const input = {
  patronId: 'rivera.ana',
  holdingEmail: 'relink-holding@library.example.edu',
  originalPreferredEmail: 'ana.rivera@example.org',
};

describe('the AES-256-GCM payload codec', () => {
  const k1 = keyOf();
  const k2 = keyOf();

  it('round-trips a payload and leaves no plaintext in the encrypted one', async () => {
    const codec = new EncryptionCodec(ring(`k1:${k1}`));
    const [encrypted] = await codec.encode([toPayload(input)]);
    expect(str(encrypted!.metadata!.encoding)).toBe('binary/encrypted');
    expect(str(encrypted!.metadata!['encryption-key-id'])).toBe('k1');
    expect(str(encrypted!.metadata!['encryption-cipher'])).toBe('AES-256-GCM');
    const raw = Buffer.from(encrypted!.data!).toString('latin1');
    for (const clear of ['rivera.ana', '@example.org', '@library.example.edu', 'json/plain']) {
      expect(raw).not.toContain(clear);
    }
    const [decrypted] = await codec.decode([encrypted!]);
    expect(str(decrypted!.metadata!.encoding)).toBe('json/plain');
    expect(fromPayload(decrypted!)).toEqual(input);
  });

  it('uses a fresh IV each time: the same value never encrypts to the same bytes', async () => {
    const codec = new EncryptionCodec(ring(`k1:${k1}`));
    const [a, b] = await codec.encode([toPayload(input), toPayload(input)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads through that were never encrypted (histories from before the codec)', async () => {
    const codec = new EncryptionCodec(ring(`k1:${k1}`));
    const plain = toPayload({ hello: 'world' });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotates: encrypts with the first key, still decrypts what older keys wrote', async () => {
    const before = new EncryptionCodec(ring(`k1:${k1}`));
    const after = new EncryptionCodec(ring(`k2:${k2},k1:${k1}`));
    const [old] = await before.encode([toPayload(input)]);
    const [fresh] = await after.encode([toPayload(input)]);
    expect(str(fresh!.metadata!['encryption-key-id'])).toBe('k2');
    expect((await after.decode([old!, fresh!])).map(fromPayload)).toEqual([input, input]);
  });

  it('refuses a payload whose key it does not know, naming the key id and what to do', async () => {
    const [encrypted] = await new EncryptionCodec(ring(`k2:${k2}`)).encode([toPayload(input)]);
    const reader = new EncryptionCodec(ring(`k1:${k1}`));
    await expect(reader.decode([encrypted!])).rejects.toThrow(CodecKeyError);
    await expect(reader.decode([encrypted!])).rejects.toThrow(
      /key "k2", which this process does not know.*RELINK_CODEC_KEYS/,
    );
  });

  it('detects the wrong key material under a known id', async () => {
    const [encrypted] = await new EncryptionCodec(ring(`k1:${k1}`)).encode([toPayload(input)]);
    const impostor = new EncryptionCodec(ring(`k1:${k2}`));
    await expect(impostor.decode([encrypted!])).rejects.toThrow(PayloadDecryptionError);
    await expect(impostor.decode([encrypted!])).rejects.toThrow(/failed authentication with key "k1"/);
  });

  it('detects tampering: a flipped bit anywhere in IV, ciphertext or tag, a relabelled key id, a truncation', async () => {
    const both = new EncryptionCodec(ring(`k1:${k1},k2:${k1}`));
    const [encrypted] = await both.encode([toPayload(input)]);
    const data = Buffer.from(encrypted!.data!);
    for (const at of [0, 12, 20, data.length - 1]) {
      const altered = Buffer.from(data);
      altered[at]! ^= 0x01;
      await expect(both.decode([{ ...encrypted!, data: altered }])).rejects.toThrow(/altered/);
    }
    // Same key material under another id: the id is authenticated data, so relabelling is caught too.
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await expect(both.decode([relabelled])).rejects.toThrow(/failed authentication with key "k2"/);
    await expect(both.decode([{ ...encrypted!, data: data.subarray(0, 20) }])).rejects.toThrow(/too short/);
  });
});

describe('codec keys', () => {
  it('reads RELINK_CODEC_KEYS: the first key is the current one', () => {
    const keys = ring(`new:${keyOf()}, old:${keyOf()}`);
    expect(keys.current.id).toBe('new');
    expect(keys.ids).toEqual(['new', 'old']);
  });

  it('explains a short, malformed, duplicated or missing key without ever printing key material', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const cases: Array<[string, RegExp]> = [
      [`k1:${short}`, /key "k1" is 16 bytes; AES-256 needs exactly 32 .*npm run --silent codec-key/],
      [short, /id:base64key/],
      [`k1:not base64!`, /key "k1" is not base64/],
      [`k1:${keyOf()},k1:${keyOf()}`, /two keys have the same id/],
      [' , ', /no key in the list/],
      [`bad id:${keyOf()}`, /a key id is/],
    ];
    for (const [list, message] of cases) {
      let error: unknown;
      try {
        ring(list);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CodecKeyError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('never shows key material through inspect or JSON', () => {
    const material = keyOf();
    const keys = ring(`k1:${material}`);
    expect(inspect(keys, { depth: 10 })).not.toContain(material);
    expect(JSON.stringify(keys)).not.toContain(material);
    expect(inspect(new EncryptionCodec(keys), { depth: 10 })).not.toContain(material);
  });

  it('prints fresh entries for RELINK_CODEC_KEYS (npm run codec-key)', () => {
    const entry = generateKeyEntry('k20270101');
    expect(ring(entry).ids).toEqual(['k20270101']);
  });

  describe('from the environment', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relink-codec-'));
    const load = (env: NodeJS.ProcessEnv) => loadSettings(['codec'], env, { dotenv: false }).codec;

    it('reads a key file: one entry a line, comments allowed (a Docker or Kubernetes secret)', () => {
      const file = path.join(dir, 'keys');
      writeFileSync(file, `# rotated 2027-01-01\nk2:${keyOf()}\nk1:${keyOf()}  # old\n`);
      const keys = codecKeyRing(load({ RELINK_CODEC_KEY_FILE: file }), { devKeyAllowed: false, requiredBecause: '' });
      expect(keys.ids).toEqual(['k2', 'k1']);
    });

    it('reports a missing key file and a short key in the configuration message', () => {
      expect(() => load({ RELINK_CODEC_KEY_FILE: path.join(dir, 'nope') })).toThrow(
        /RELINK_CODEC_KEY_FILE: cannot read .*nope: ENOENT/,
      );
      expect(() => load({ RELINK_CODEC_KEYS: `k1:${Buffer.alloc(8).toString('base64')}` })).toThrow(
        /RELINK_CODEC_KEYS.*key "k1" is 8 bytes/,
      );
      const file = path.join(dir, 'keys');
      expect(() => load({ RELINK_CODEC_KEYS: `k1:${keyOf()}`, RELINK_CODEC_KEY_FILE: file })).toThrow(/not both/);
    });

    it('refuses to run without a key where the development key is not allowed, saying how to make one', () => {
      expect(() =>
        codecKeyRing(load({}), { devKeyAllowed: false, requiredBecause: 'the worker talks to Alma at https://api-eu' }),
      ).toThrow(
        /No payload encryption key is configured, and the worker talks to Alma at https:\/\/api-eu\. Set RELINK_CODEC_KEYS/,
      );
    });

    it('uses the checkout development key on this machine: created once, private, stable', () => {
      const seen: string[] = [];
      const keys = codecKeyRing(load({}), { devKeyAllowed: true, requiredBecause: '', onDevKey: (f) => seen.push(f) });
      expect(keys.ids).toEqual(['dev']);
      expect(seen).toHaveLength(1);
      expect(statSync(seen[0]!).mode & 0o077).toBe(0);
      expect(devKeyRing(seen[0]).currentKey().key.equals(keys.currentKey().key)).toBe(true);
      expect(readFileSync(seen[0]!, 'utf8')).toMatch(/^dev:[A-Za-z0-9+/]{43}=\n$/);
    });

    it('prefers configured keys over the development key', () => {
      const keys = codecKeyRing(load({ RELINK_CODEC_KEYS: `prod:${keyOf()}` }), {
        devKeyAllowed: true,
        requiredBecause: '',
      });
      expect(keys.ids).toEqual(['prod']);
    });
  });
});
