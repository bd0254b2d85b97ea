// The one interface every object-storage backend implements (local directory, S3-compatible).
// Reads are streams: model files are many GB and must never be held in memory whole.
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  /** Key relative to the bucket root, '/'-separated, never starting with '/'. */
  key: string;
  size: number;
  /** Backend's entity tag when it has one (S3 ETag without quotes; local: size-mtime). */
  etag?: string;
  lastModified?: Date;
}

export interface ObjectStore {
  /** A short name for logs and errors: 'local' or 's3'. */
  readonly kind: string;
  bucketExists(bucket: string): Promise<boolean>;
  /** Every object under `prefix` (recursively), sorted by key. `prefix` is a directory: 'a/b' lists 'a/b/…'. */
  list(bucket: string, prefix: string): AsyncIterable<ObjectInfo>;
  stat(bucket: string, key: string): Promise<ObjectInfo | null>;
  /** Streams bytes [start, end] inclusive when a range is given. */
  read(bucket: string, key: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Writes atomically: readers never see a partially written object. */
  write(bucket: string, key: string, body: Readable | Buffer, size?: number): Promise<ObjectInfo>;
  delete(bucket: string, key: string): Promise<void>;
  createBucket(bucket: string): Promise<void>;
  /**
   * Fails (code ENOSPC) when storing `bytes` more in `bucket` would leave less free space than the
   * store's reserve. Stores without a notion of free space (S3) leave it out.
   */
  ensureFreeSpace?(bucket: string, bytes: number): Promise<void>;
  /** Moves an object to another key of the same bucket, replacing what is there (atomic on the local store). */
  move?(bucket: string, from: string, to: string): Promise<void>;
  /** A presigned GET URL (S3 only). */
  presignGet?(bucket: string, key: string, opts: { expiresSeconds: number; fileName?: string }): Promise<string | null>;
  /** Releases connections (S3 keeps sockets alive); call once on shutdown. */
  close?(): Promise<void>;
}
