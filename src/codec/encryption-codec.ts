// A Temporal payload codec that encrypts every payload (workflow input and result, activity arguments and results,
// signal and update arguments, query answers, encoded failure messages) with AES-256-GCM, so the Temporal server
// stores — and its Web UI shows — no patron's email address in clear text.
//
// Encoded payload: metadata `encoding: binary/encrypted`, `encryption-key-id: <id>`, `encryption-cipher:
// AES-256-GCM`; data = 12-byte IV ‖ ciphertext ‖ 16-byte tag, where the plaintext is the whole original Payload
// (metadata and data) as protobuf. The key id is also the GCM associated data, so a payload relabelled with another
// key id fails authentication instead of decrypting to garbage.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CodecKeyError, type CodecKeyRing } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/** A payload this process cannot decrypt: an unknown key id, a wrong key, or altered bytes. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export class EncryptionCodec implements PayloadCodec {
  constructor(readonly keys: CodecKeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  encrypt(payload: Payload): Payload {
    const { id, key } = this.keys.currentKey();
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(utf8(id));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: {
        encoding: utf8(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: utf8(id),
        [CIPHER_METADATA]: utf8(CIPHER),
      },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  /** Decrypts an encrypted payload with the key its metadata names; any other payload passes through unchanged. */
  decrypt(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!id) throw new PayloadDecryptionError(`An encrypted payload carries no ${KEY_ID_METADATA}.`);
    const key = this.keys.keyFor(id);
    if (!key) {
      throw new CodecKeyError(
        `A payload was encrypted with key "${id}", which this process does not know (it knows: ${this.keys.ids.join(', ')}). ` +
          'Add that key, after the current one, to RELINK_CODEC_KEYS or RELINK_CODEC_KEY_FILE.',
      );
    }
    const cipherName = text(payload.metadata?.[CIPHER_METADATA]);
    if (cipherName && cipherName !== CIPHER) {
      throw new PayloadDecryptionError(`A payload was encrypted with ${cipherName}; this codec reads ${CIPHER} only.`);
    }
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`An encrypted payload (key "${id}") is too short to be one: it was altered.`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(utf8(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `An encrypted payload failed authentication with key "${id}": the key material configured for "${id}" is not ` +
          'the one it was encrypted with, or the payload was altered.',
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}
