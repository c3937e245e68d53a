// `npm run --silent codec-key [id]`: prints a fresh RELINK_CODEC_KEYS entry (32 random bytes, base64).
// To rotate, put the new entry first and keep the old ones after it until no running relink needs them.
import { generateKeyEntry } from './keys';

const id = process.argv[2] ?? `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
console.log(generateKeyEntry(id));
