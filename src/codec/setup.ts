// Which keys a process uses. Configured keys (RELINK_CODEC_KEYS or RELINK_CODEC_KEY_FILE) always win. Without them,
// a process whose Temporal (and Alma) run on this machine — a dev server and the simulator — uses the checkout's
// generated development key; anything that talks to a real Temporal or a real Alma refuses to start.
import type { DataConverter } from '@temporalio/common';
import { isLoopback, loadSettings, type CodecSettings } from '../config';
import { relinkDataConverter } from './data-converter';
import { CodecKeyError, CodecKeyRing, DEV_KEY_FILE, devKeyRing } from './keys';

export interface KeyPolicy {
  /** True when everything this process talks to runs on this machine. */
  devKeyAllowed: boolean;
  /** Why a key is required, for the error: e.g. "the worker talks to Alma at https://api-eu…". */
  requiredBecause: string;
  /** Told once when the development key is used (the worker and the codec server print it; the CLI stays quiet). */
  onDevKey?: (file: string) => void;
}

export function codecKeyRing(
  codec: Pick<CodecSettings, 'RELINK_CODEC_KEYS' | 'RELINK_CODEC_KEY_FILE'>,
  policy: KeyPolicy,
) {
  const configured = codec.RELINK_CODEC_KEYS ?? codec.RELINK_CODEC_KEY_FILE;
  if (configured) return new CodecKeyRing(configured);
  if (policy.devKeyAllowed) {
    const ring = devKeyRing();
    policy.onDevKey?.(DEV_KEY_FILE);
    return ring;
  }
  throw new CodecKeyError(
    `No payload encryption key is configured, and ${policy.requiredBecause}. Set RELINK_CODEC_KEYS=id:base64key ` +
      '(32 random bytes; generate one with: npm run --silent codec-key) or RELINK_CODEC_KEY_FILE to a file holding it.',
  );
}

/**
 * The data converter of a client process (RelinkClient, the CLI): keys from the environment, or the development key
 * when the Temporal server is on this machine.
 */
export function clientDataConverter(temporalAddress: string, env: NodeJS.ProcessEnv = process.env): DataConverter {
  const { codec } = loadSettings(['codec'], env);
  return relinkDataConverter(
    codecKeyRing(codec, {
      devKeyAllowed: isLoopback(temporalAddress),
      requiredBecause: `the Temporal server ${temporalAddress} is not on this machine`,
    }),
  );
}
