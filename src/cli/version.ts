// The version `modelreg --version` prints: package.json's, read once at start (src/ and dist/ both
// sit one level below the package root).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'modelreg' && pkg.version) return pkg.version;
    } catch {
      // try the next place
    }
  }
  return 'unknown';
}

export const VERSION = readVersion();
