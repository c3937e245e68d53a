// Payload encryption: patron data stays out of the Temporal server's storage and Web UI.
export { EncryptionCodec, PayloadDecryptionError, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './encryption-codec';
export { CodecKeyRing, CodecKeyError, devKeyRing, generateKeyEntry, DEV_KEY_FILE, DEV_KEY_ID, KEY_BYTES } from './keys';
export { relinkDataConverter, failureConverterPath } from './data-converter';
export { codecKeyRing, clientDataConverter, type KeyPolicy } from './setup';
export { createCodecApp, startCodecServer, type CodecServer, type CodecServerOptions } from './codec-server';
