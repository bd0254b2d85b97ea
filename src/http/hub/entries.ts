// Manifest files → the JSON shapes of the Hub's tree, paths-info and repo-info answers. Every file
// is shown as a Git LFS file (sha256 = lfs.oid), so clients name cache blobs by the sha256.
import { isHuggingFace } from '../../domain/catalogue/formats.js';
import { directoryOid, lfsPointer } from '../../domain/hub/commit-id.js';
import type { ResolvedRevision } from '../../domain/hub/revisions.js';
import type { ManifestFile } from '../../domain/registry/registry-files.js';

export interface TreeEntry {
  type: 'file' | 'directory';
  path: string;
  oid: string;
  size: number;
  lfs?: { oid: string; size: number; pointerSize: number };
  lastCommit?: { id: string; title: string; date: string };
}

export function fileEntry(f: ManifestFile, r: ResolvedRevision, expand: boolean): TreeEntry {
  const p = lfsPointer(f);
  return {
    type: 'file',
    path: f.path,
    oid: p.oid,
    size: f.size,
    lfs: { oid: f.sha256, size: f.size, pointerSize: Buffer.byteLength(p.text) },
    ...(expand ? { lastCommit: lastCommit(r) } : {}),
  };
}

export function directoryEntry(dir: string, r: ResolvedRevision, expand: boolean): TreeEntry {
  return { type: 'directory', path: dir, oid: directoryOid(r.commit, dir), size: 0, ...(expand ? { lastCommit: lastCommit(r) } : {}) };
}

const lastCommit = (r: ResolvedRevision) => ({ id: r.commit, title: `${r.set.name} ${r.version.name}`, date: r.version.modified_at });

/** Every directory that holds a file of the manifest ('a/b/c.bin' → 'a', 'a/b'). */
export function directoriesOf(files: readonly ManifestFile[]): Set<string> {
  const dirs = new Set<string>();
  for (const f of files) {
    let i = f.path.indexOf('/');
    while (i > 0) {
      dirs.add(f.path.slice(0, i));
      i = f.path.indexOf('/', i + 1);
    }
  }
  return dirs;
}

/**
 * The entries under `dir` ('' = the root): its direct children, or everything below it when
 * recursive. null when `dir` is not a directory of the revision.
 */
export function listTree(r: ResolvedRevision, dir: string, recursive: boolean, expand: boolean): TreeEntry[] | null {
  const dirs = directoriesOf(r.files);
  if (dir !== '' && !dirs.has(dir)) return null;
  const prefix = dir === '' ? '' : dir + '/';
  const below = (p: string) => p.startsWith(prefix) && (recursive || !p.slice(prefix.length).includes('/'));
  const out: TreeEntry[] = [];
  for (const d of dirs) if (below(d)) out.push(directoryEntry(d, r, expand));
  for (const f of r.files) if (below(f.path)) out.push(fileEntry(f, r, expand));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const PIPELINE_TAGS: Record<string, string> = {
  chat: 'text-generation',
  completion: 'text-generation',
  'Text-to-Image': 'text-to-image',
  embedding: 'feature-extraction',
};

/** GET /api/models/{repo}/revision/{rev}: what model_info / modelInfo read. */
export function repoInfo(repoId: string, r: ResolvedRevision, blobs: boolean) {
  const meta = JSON.parse(r.version.source_meta) as { modelFormat?: string };
  const pipelineTag = r.version.model_application_type ? PIPELINE_TAGS[r.version.model_application_type] : undefined;
  return {
    _id: r.version.id,
    id: repoId,
    modelId: repoId,
    author: repoId.split('/')[0],
    sha: r.commit,
    lastModified: r.version.modified_at,
    createdAt: r.version.created_at,
    private: true,
    disabled: false,
    gated: false,
    downloads: 0,
    likes: 0,
    tags: [],
    ...(meta.modelFormat !== undefined && isHuggingFace(meta.modelFormat) ? { library_name: 'transformers' } : {}),
    ...(pipelineTag ? { pipeline_tag: pipelineTag } : {}),
    usedStorage: r.files.reduce((n, f) => n + f.size, 0),
    siblings: r.files.map((f) => {
      if (!blobs) return { rfilename: f.path };
      const p = lfsPointer(f);
      return { rfilename: f.path, blobId: p.oid, size: f.size, lfs: { sha256: f.sha256, size: f.size, pointerSize: Buffer.byteLength(p.text) } };
    }),
    modelreg: { modelSetId: r.set.id, modelId: r.version.id, modelName: r.version.name },
  };
}
