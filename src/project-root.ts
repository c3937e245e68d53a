// The checkout (or the image's /app): the nearest folder above this module with a package.json. Found, not assumed,
// because the code runs from src/ (tsx), from dist/src/ (npm run build) and from the image's /app/src/ alike.
import { existsSync } from 'node:fs';
import path from 'node:path';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
