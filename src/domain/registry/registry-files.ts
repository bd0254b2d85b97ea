// The port through which a version's files leave the registry (export tasks, `modelreg pull`, the
// Hugging Face-compatible API). Files are content-addressed blobs; a version is a manifest of them.
import type { Readable } from 'node:stream';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface RegistryFiles {
  /** The manifest of a version, sorted by path; [] when it has none (not Ready, or deleted). */
  manifest(versionId: string): Promise<ManifestFile[]>;
  /** Streams one stored file by its sha256 within the account's dedup scope; [start, end] inclusive when given. */
  openBlob(accountId: string, sha256: string, range?: { start: number; end: number }): Promise<Readable>;
  /** A short-lived presigned GET URL on the S3 store, or null on the local store (then the caller streams). */
  presignBlob(accountId: string, sha256: string, opts: { expiresSeconds: number; fileName: string }): Promise<string | null>;
}
