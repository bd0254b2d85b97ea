// The 40-hex "commit" of a version, as Hub clients expect one: derived from the manifest alone, so
// the same files give the same commit on every replica and after every restart, and a commit
// names its files exactly (a client that pins it can never get other bytes).
import { createHash } from 'node:crypto';
import type { ManifestFile } from '../registry/registry-files.js';

export const COMMIT_ID = /^[0-9a-f]{40}$/;

/** sha1 over "sha256 size path\n" lines sorted by path (sha256 and size are fixed-format, so no ambiguity). */
export function commitIdOf(files: readonly ManifestFile[]): string {
  const h = createHash('sha1');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${f.sha256} ${f.size} ${f.path}\n`, 'utf8');
  }
  return h.digest('hex');
}

/**
 * Every file is presented as a Git LFS file: its pointer text, and the git blob id of that pointer
 * (what the Hub shows as `oid` of an LFS file). Cheap: no file byte is read.
 */
export function lfsPointer(f: Pick<ManifestFile, 'size' | 'sha256'>): { text: string; oid: string } {
  const text = `version https://git-lfs.github.com/spec/v1\noid sha256:${f.sha256}\nsize ${f.size}\n`;
  const oid = createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex');
  return { text, oid };
}

/** A directory's git-tree-like id: a hash of the entries under it (stable, not a real git tree). */
export function directoryOid(commit: string, dirPath: string): string {
  return createHash('sha1').update(`tree ${commit} ${dirPath}`).digest('hex');
}
