// The one data converter every process that talks to Temporal uses: worker, RelinkClient, CLI, demo and tests.
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { CodecKeyRing } from './keys';

/** A path, not an instance: the workflow sandbox bundles the failure converter from it. */
export const failureConverterPath = require.resolve('./failure-converter');

export function relinkDataConverter(keys: CodecKeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath };
}
