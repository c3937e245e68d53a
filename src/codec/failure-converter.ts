// Loaded by path (DataConverter.failureConverterPath) in the worker, the workflow sandbox and every client.
// Failure messages and stack traces move into an encoded payload, which the payload codec then encrypts: an Alma
// error quoted in a failure could otherwise put patron data into the history in clear text. The failure's type
// (which retry policies match) stays readable.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
