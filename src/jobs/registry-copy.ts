// Immutability by copy: while the inspection streams each source file once, the same bytes are
// written into registry-owned storage (staged under incoming/<account>/<version>/attempt-N/<path>,
// then promoted to content-addressed blobs by blob-store.ts), so a Ready version never changes when
// someone later overwrites the user's bucket, and no file is read twice.
import { PassThrough, type Readable } from 'node:stream';
import type { ObjectInfo, ObjectStore } from '../objects/object-store.js';
import { LocalObjectStore } from '../objects/local-store.js';

export interface RegistryLocation {
  store: ObjectStore;
  bucket: string;
}

/** Chunk size of the copy's buffers: large chunks keep multi-GB imports near disk speed. */
const COPY_CHUNK = 4 * 1024 * 1024;

/** Where an import stages a version's files before they become blobs. */
export const versionPrefix = (accountId: string, versionId: string): string => `incoming/${accountId}/${versionId}`;

export async function deletePrefix(loc: RegistryLocation, prefix: string): Promise<number> {
  let n = 0;
  for await (const o of loc.store.list(loc.bucket, prefix)) {
    await loc.store.delete(loc.bucket, o.key);
    n++;
  }
  if (loc.store instanceof LocalObjectStore) await loc.store.pruneEmptyDirs(loc.bucket, prefix);
  return n;
}

/**
 * An ObjectStore view of the source bucket whose whole-file reads are teed into the registry.
 * Ranged reads pass through; `finish` copies whatever was not read whole and waits for all writes.
 */
export class CopyingSource implements ObjectStore {
  readonly kind: string;
  private readonly writes = new Map<string, Promise<ObjectInfo>>();
  /** Relative path → source key of every file copied so far. */
  private readonly copied = new Map<string, string>();

  constructor(
    private readonly source: ObjectStore,
    private readonly sourceBucket: string,
    private readonly sourcePrefix: string,
    private readonly dest: RegistryLocation,
    private readonly destPrefix: string,
  ) {
    this.kind = source.kind;
  }

  bucketExists(bucket: string) {
    return this.source.bucketExists(bucket);
  }
  list(bucket: string, prefix: string) {
    return this.source.list(bucket, prefix);
  }
  stat(bucket: string, key: string) {
    return this.source.stat(bucket, key);
  }
  write(): Promise<ObjectInfo> {
    throw new Error('the import source is read-only');
  }
  delete(): Promise<void> {
    throw new Error('the import source is read-only');
  }
  createBucket(): Promise<void> {
    throw new Error('the import source is read-only');
  }

  async read(bucket: string, key: string, range?: { start: number; end: number }): Promise<Readable> {
    const src = await this.source.read(bucket, key, range);
    if (range || bucket !== this.sourceBucket || this.writes.has(key)) return src;
    const toInspector = new PassThrough({ highWaterMark: COPY_CHUNK });
    const toRegistry = new PassThrough({ highWaterMark: COPY_CHUNK });
    // The registry write may not have attached its listeners yet (it opens its file first):
    // its failure is reported through the write's promise, never as an unhandled 'error'.
    toRegistry.on('error', () => undefined);
    // pipe() pauses the source while either side is full: memory stays bounded.
    src.pipe(toInspector);
    src.pipe(toRegistry);
    src.on('error', (err) => {
      toInspector.destroy(err);
      toRegistry.destroy(err);
    });
    // The inspector stopped early (validation failed, aborted): stop reading and copying too, and
    // release the source (its file handle or connection) now rather than at garbage collection.
    toInspector.on('close', () => {
      if (toInspector.readableEnded) return;
      src.unpipe();
      src.destroy();
      if (!toRegistry.writableFinished) toRegistry.destroy(new Error('inspection stopped reading'));
    });
    const write = this.dest.store.write(this.dest.bucket, this.destKey(key), toRegistry);
    // A failed registry write (disk full, store gone) must fail the inspection's read as well.
    write.catch((err) => toInspector.destroy(err));
    this.writes.set(key, write);
    this.copied.set(this.relativeOf(key), key);
    return toInspector;
  }

  /** Copies every listed file that was not read whole, then waits for all registry writes. */
  async finish(files: readonly { path: string }[]): Promise<void> {
    for (const f of files) {
      const key = this.sourceKey(f.path);
      if (!this.writes.has(key)) {
        const src = await this.source.read(this.sourceBucket, key);
        this.writes.set(key, this.dest.store.write(this.dest.bucket, this.destKey(key), src));
      }
    }
    await Promise.all(this.writes.values());
  }

  /** Waits for in-flight writes to settle (after a failure) so cleanup sees every object. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.writes.values());
  }

  private sourceKey(relative: string): string {
    return this.copied.get(relative) ?? (this.sourcePrefix ? `${this.sourcePrefix}/${relative}` : relative);
  }

  /** The registry key of a source object: its path relative to objectPath under the version's prefix. */
  private destKey(sourceKey: string): string {
    return `${this.destPrefix}/${this.relativeOf(sourceKey)}`;
  }

  private relativeOf(sourceKey: string): string {
    if (!this.sourcePrefix) return sourceKey;
    if (sourceKey.startsWith(this.sourcePrefix + '/')) return sourceKey.slice(this.sourcePrefix.length + 1);
    // objectPath names one object (a single-file checkpoint): the inspection records its base name.
    return sourceKey.slice(sourceKey.lastIndexOf('/') + 1);
  }
}
