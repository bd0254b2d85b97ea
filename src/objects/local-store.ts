// Object store on a local directory: rootDir/<bucket>/<key>, one sub-directory per bucket.
//
// Safety: keys are validated (object-path.ts), then every resolved path is checked to lie
// inside the bucket's real path. Symlinks are followed only when their target is inside the
// same bucket: a bucket is the unit of access, so a link to /etc or to another bucket must not
// make those files readable or importable through this one. Links to directories are not
// followed by `list` (they could form cycles or list the same files twice).
//
// Atomicity: `write` streams into a hidden temp file in the bucket root, fsyncs it and renames
// it over the key, so readers see the old object or the new one, never a partial file.
import { randomBytes } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ApiError } from '../domain/errors.js';
import { checkRange, directoryPrefix, isValidObjectKey, validateBucketName, validateObjectKey } from './object-path.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';

/** Prefix of in-progress writes in a bucket root; never listed, never addressable. */
export const TEMP_PREFIX = '.modelreg-tmp-';

const errno = (e: unknown) => (e as NodeJS.ErrnoException | null)?.code;
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

async function ifExists<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (MISSING.has(errno(e) ?? '')) return null;
    throw e;
  }
}

const inside = (root: string, p: string) => p.startsWith(root + path.sep);

/** Lexical path of a validated key; the prefix check is a backstop should validation ever regress. */
function keyPath(root: string, key: string): string {
  const p = path.resolve(root, ...validateObjectKey(key).split('/'));
  if (!inside(root, p)) throw new ApiError('InvalidParameter', `object key "${key}" escapes its bucket`);
  return p;
}
const isTemp = (key: string) => key.split('/', 1)[0].startsWith(TEMP_PREFIX);
const info = (key: string, st: Stats): ObjectInfo => ({
  key,
  size: st.size,
  etag: `${st.size}-${st.mtimeMs}`,
  lastModified: st.mtime,
});
const notFound = (bucket: string, key: string) =>
  new ApiError('ResourceNotFound', `object "${key}" does not exist in bucket "${bucket}"`);

export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local';
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const st = await ifExists(fsp.stat(this.bucketDir(bucket)));
    return st?.isDirectory() ?? false;
  }

  async createBucket(bucket: string): Promise<void> {
    try {
      await fsp.mkdir(this.bucketDir(bucket), { recursive: true });
    } catch (e) {
      if (errno(e) === 'EEXIST' || errno(e) === 'ENOTDIR') {
        throw new ApiError('Conflict', `cannot create bucket "${bucket}": a file with that name is in the way`);
      }
      throw e;
    }
  }

  async *list(bucket: string, prefix: string): AsyncIterable<ObjectInfo> {
    const dirPrefix = directoryPrefix(prefix);
    const root = await this.bucketRoot(bucket);
    const start = dirPrefix === '' ? root : await ifExists(fsp.realpath(path.join(root, ...dirPrefix.split('/'))));
    if (start === null || (start !== root && !inside(root, start))) return;
    yield* this.walk(root, start, dirPrefix);
  }

  async stat(bucket: string, key: string): Promise<ObjectInfo | null> {
    const file = await this.locate(bucket, key);
    const st = file === null ? null : await ifExists(fsp.stat(file));
    return st?.isFile() ? info(key, st) : null;
  }

  async read(bucket: string, key: string, range?: { start: number; end: number }): Promise<Readable> {
    const file = await this.locate(bucket, key);
    if (file === null) throw notFound(bucket, key);
    const fh = await ifExists(fsp.open(file, 'r'));
    if (fh === null) throw notFound(bucket, key);
    try {
      // Size comes from the open handle, so a concurrent replace cannot skew the range.
      const st = await fh.stat();
      if (!st.isFile()) throw notFound(bucket, key);
      const r = range && checkRange(range, key, st.size);
      // 4 MiB reads: model files are large and the consumers hash them; 64 KiB chunks cost throughput.
      return fh.createReadStream({ highWaterMark: 4 * 1024 * 1024, ...(r ? { start: r.start, end: r.end } : {}) });
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** On failure the body stream is destroyed, so an upload feeding it never hangs. */
  async write(bucket: string, key: string, body: Readable | Buffer, size?: number): Promise<ObjectInfo> {
    // The body may fail before the read loop starts (while the bucket is resolved); the loop
    // still sees the stored error, but without a listener it would crash the process first.
    if (!Buffer.isBuffer(body)) body.on('error', () => undefined);
    let tmp: string | undefined;
    try {
      validateObjectKey(key);
      if (isTemp(key)) throw new ApiError('InvalidParameter', `object key must not start with "${TEMP_PREFIX}" (reserved)`);
      const root = await this.bucketRoot(bucket);
      const target = keyPath(root, key);
      tmp = path.join(root, TEMP_PREFIX + randomBytes(8).toString('hex'));
      await writeDurably(tmp, body, key, size);
      const final = await this.publish(root, tmp, target, key);
      return info(key, await fsp.stat(final));
    } catch (e) {
      if (tmp !== undefined) await fsp.rm(tmp, { force: true });
      if (!Buffer.isBuffer(body)) body.destroy();
      throw e;
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    validateObjectKey(key);
    const root = await this.bucketRoot(bucket);
    if (isTemp(key)) return;
    const target = keyPath(root, key);
    const dir = await ifExists(fsp.realpath(path.dirname(target)));
    if (dir === null || (dir !== root && !inside(root, dir))) return;
    const file = path.join(dir, path.basename(target));
    const st = await ifExists(fsp.lstat(file));
    if (st === null || st.isDirectory()) return;
    await ifExists(fsp.unlink(file));
    // Object stores have no empty directories: prune them up to (not including) the bucket.
    for (let d = path.dirname(target); inside(root, d); d = path.dirname(d)) {
      try {
        await fsp.rmdir(d);
      } catch {
        break; // not empty, or a symlink: stop
      }
    }
  }

  async close(): Promise<void> {}

  /**
   * Removes empty directories under `prefix` (and the prefix itself when empty): a process killed
   * between creating a key's directory and renaming its file into it leaves one, and object stores
   * have no empty directories.
   */
  async pruneEmptyDirs(bucket: string, prefix: string): Promise<void> {
    const root = await this.bucketRoot(bucket);
    const start = path.join(root, ...directoryPrefix(prefix).split('/').filter(Boolean));
    if (start === root || !inside(root, start)) return;
    const prune = async (dir: string): Promise<void> => {
      const entries = await ifExists(fsp.readdir(dir, { withFileTypes: true }));
      if (entries === null) return;
      for (const e of entries) if (e.isDirectory()) await prune(path.join(dir, e.name));
      await fsp.rmdir(dir).catch(() => undefined); // not empty: kept
    };
    const st = await ifExists(fsp.lstat(start));
    if (st?.isDirectory()) await prune(start);
    for (let d = path.dirname(start); inside(root, d); d = path.dirname(d)) {
      try {
        await fsp.rmdir(d);
      } catch {
        break;
      }
    }
  }

  /** A rename: the bytes never move, so promoting a multi-GB blob costs nothing. */
  async move(bucket: string, from: string, to: string): Promise<void> {
    const src = await this.locate(bucket, from);
    if (src === null) throw notFound(bucket, from);
    validateObjectKey(to);
    if (isTemp(to)) throw new ApiError('InvalidParameter', `object key must not start with "${TEMP_PREFIX}" (reserved)`);
    const root = await this.bucketRoot(bucket);
    await this.publish(root, src, keyPath(root, to), to);
    for (let d = path.dirname(src); inside(root, d); d = path.dirname(d)) {
      try {
        await fsp.rmdir(d);
      } catch {
        break;
      }
    }
  }

  /**
   * Removes in-progress write files of `bucket` untouched for `olderThanMs`: what a process killed
   * mid-write leaves behind (a live write keeps its file's mtime fresh). Returns how many went.
   */
  async removeStaleTemp(bucket: string, olderThanMs: number): Promise<number> {
    const root = await this.bucketRoot(bucket);
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of (await ifExists(fsp.readdir(root))) ?? []) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const st = await ifExists(fsp.lstat(path.join(root, name)));
      if (!st?.isFile() || st.mtimeMs > cutoff) continue;
      if ((await ifExists(fsp.unlink(path.join(root, name)))) !== null) removed++;
    }
    return removed;
  }

  private bucketDir(bucket: string): string {
    return path.join(this.root, validateBucketName(bucket, 'bucket name'));
  }

  /** The bucket's real path (symlinks resolved), or BucketNotFound. */
  private async bucketRoot(bucket: string): Promise<string> {
    const dir = this.bucketDir(bucket);
    const real = await ifExists(fsp.realpath(dir));
    const st = real === null ? null : await ifExists(fsp.stat(real));
    if (real === null || !st?.isDirectory()) {
      throw new ApiError('BucketNotFound', `bucket "${bucket}" does not exist in the local object store`);
    }
    return real;
  }

  /** Real path of an object's file, or null when missing or resolving outside the bucket. */
  private async locate(bucket: string, key: string): Promise<string | null> {
    validateObjectKey(key);
    const root = await this.bucketRoot(bucket);
    if (isTemp(key)) return null;
    const real = await ifExists(fsp.realpath(keyPath(root, key)));
    return real !== null && inside(root, real) ? real : null;
  }

  /** Moves a finished temp file onto its key; returns the final path. */
  private async publish(root: string, tmp: string, target: string, key: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        const dir = await fsp.mkdir(path.dirname(target), { recursive: true }).then(() => fsp.realpath(path.dirname(target)));
        // A symlinked directory inside the bucket could point anywhere: never write through it.
        if (dir !== root && !inside(root, dir)) {
          throw new ApiError('InvalidParameter', `object key "${key}" leads outside the bucket through a symbolic link`);
        }
        const final = path.join(dir, path.basename(target));
        await fsp.rename(tmp, final);
        await syncDir(dir);
        return final;
      } catch (e) {
        // A concurrent delete may prune the directory between mkdir and rename: try again.
        if (errno(e) === 'ENOENT' && attempt < 3) continue;
        if (errno(e) === 'ENAMETOOLONG') {
          throw new ApiError('InvalidParameter', `object key "${key}" has a path segment too long for the local filesystem (usually 255 bytes)`);
        }
        if (['EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY'].includes(errno(e) ?? '')) {
          throw new ApiError(
            'Conflict',
            `cannot store "${key}": the local object store cannot hold an object and a directory of objects at the same path`,
          );
        }
        throw e;
      }
    }
  }

  /** Depth-first walk yielding keys in UTF-8 byte order, the order S3 lists in. */
  private async *walk(root: string, dir: string, keyPrefix: string): AsyncGenerator<ObjectInfo> {
    const entries = await ifExists(fsp.readdir(dir, { withFileTypes: true }));
    if (entries === null) return; // removed while listing
    const items: { name: string; full: string; isDir: boolean; order: Buffer }[] = [];
    for (const e of entries) {
      if (keyPrefix === '' && e.name.startsWith(TEMP_PREFIX)) continue; // in-progress writes
      if (!isValidObjectKey(keyPrefix + e.name)) continue; // not addressable through the API
      const full = path.join(dir, e.name);
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        const real = await ifExists(fsp.realpath(full));
        const st = real === null || !inside(root, real) ? null : await ifExists(fsp.stat(real));
        if (!st?.isFile()) continue; // outside the bucket, dangling, or a directory link
        isDir = false;
      } else if (!isDir && !e.isFile()) {
        continue; // sockets, fifos, devices
      }
      // Sorting a directory as "name/" makes the depth-first walk match global key order:
      // 'a/b-c' < 'a/b.txt' < 'a/b/x' because '-' < '.' < '/'.
      items.push({ name: e.name, full, isDir, order: Buffer.from(isDir ? `${e.name}/` : e.name) });
    }
    items.sort((a, b) => Buffer.compare(a.order, b.order));
    for (const item of items) {
      const key = keyPrefix + item.name;
      if (item.isDir) {
        yield* this.walk(root, item.full, `${key}/`);
        continue;
      }
      const st = await ifExists(fsp.stat(item.full));
      if (st?.isFile()) yield info(key, st);
    }
  }
}

/** Streams `body` into a new file at `file`, checks its size and fsyncs it. */
async function writeDurably(file: string, body: Readable | Buffer, key: string, size?: number): Promise<void> {
  const fh = await fsp.open(file, 'wx', 0o644);
  try {
    let written = 0;
    const chunks: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer> = Buffer.isBuffer(body) ? [body] : body;
    for await (const chunk of chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      written += buf.byteLength;
      if (size !== undefined && written > size) throw sizeMismatch(key, size, `more than ${size}`);
      for (let off = 0; off < buf.byteLength; ) {
        off += (await fh.write(buf, off, buf.byteLength - off)).bytesWritten;
      }
    }
    if (size !== undefined && written !== size) throw sizeMismatch(key, size, String(written));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

const sizeMismatch = (key: string, expected: number, got: string) =>
  new ApiError('InvalidParameter', `body of "${key}" was ${got} bytes, but its declared size is ${expected}`);

/** Makes the rename itself durable. Not supported everywhere (e.g. Windows), so best effort. */
async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r').catch(() => null);
  await fh?.sync().catch(() => undefined);
  await fh?.close();
}
