// Object store on a local directory: rootDir/<bucket>/<key>, one sub-directory per bucket.
//
// Safety: keys are validated (object-path.ts), then every resolved path is checked to lie
// inside the bucket's real path. Symlinks are followed only when their target is inside the
// same bucket: a bucket is the unit of access, so a link to /etc or to another bucket must not
// make those files readable or importable through this one. Links to directories are not
// followed by `list` (they could form cycles or list the same files twice).
//
// Hostile trees (SECURITY.md, classes 3, 5, 6): a bucket directory that is itself a symlink is refused
// (a tenant who can write the buckets root could otherwise point its bucket at another one); files are
// opened O_NOFOLLOW | O_NONBLOCK and the opened handle must be a regular file (a FIFO swapped in after
// listing fails at once instead of blocking a thread forever); with `untrusted`, files with more than
// one hard link and sparse files are refused; every read has a stall timeout. A directory on a path
// may be swapped for a link after the path was resolved: every operation acts on an opened handle
// checked to lie inside the bucket, and reaches entries through it (inside-bucket.ts).
//
// Atomicity: `write` streams into a hidden temp file in the bucket root, fsyncs it and renames
// it over the key, so readers see the old object or the new one, never a partial file.
import { randomBytes } from 'node:crypto';
import { constants as fsc, promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ObjectStoreError, STORE_ERRORS } from './object-store-error.js';
import { checkRange, directoryPrefix, isValidObjectKey, validateBucketName, validateObjectKey } from './object-path.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';
import { SPARSE_MIN_ALLOCATED_FRACTION, SPARSE_MIN_SIZE } from '../sandbox/limits.js';
import { withStallTimeout } from './stall-guard.js';
import { handleWithin, inDir, inside, InsideDir, within } from './inside-bucket.js';

export interface LocalStoreOptions {
  /** The users' buckets: refuse hard-linked and sparse files on read. */
  untrusted?: boolean;
  /** A read that delivers nothing for this long fails (0: never). */
  stallTimeoutMs?: number;
  /** Writes fail once the filesystem's free space would drop below this many bytes (0: no check). */
  minFreeBytes?: number;
}

const OPEN_READ = fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK;
/** Free space is checked again after every this many bytes written. */
const FREE_CHECK_STEP = 64 * 1024 * 1024;

/** The reserve never exceeds this fraction of the filesystem's size. */
const RESERVE_MAX_FRACTION = 0.05;

/** A write refused because the disk would fall below its reserve; code ENOSPC like a full disk. */
export class FreeSpaceError extends ObjectStoreError {
  readonly code = 'ENOSPC';
  constructor(message: string) {
    super('NoSpace', message);
    this.name = 'FreeSpaceError';
  }
}

/** True when a file is allocated far below its size (SECURITY.md: the sparse-file rule). */
export function isSparse(st: Stats): boolean {
  return st.size >= SPARSE_MIN_SIZE && st.blocks * 512 < st.size * SPARSE_MIN_ALLOCATED_FRACTION;
}

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

/** Lexical path of a validated key; the prefix check is a backstop should validation ever regress. */
function keyPath(root: string, key: string): string {
  const p = path.resolve(root, ...validateObjectKey(key).split('/'));
  if (!inside(root, p)) throw new ObjectStoreError('InvalidName', `object key "${key}" escapes its bucket`);
  return p;
}
const isTemp = (key: string) => key.split('/', 1)[0].startsWith(TEMP_PREFIX);
const info = (key: string, st: Stats): ObjectInfo => ({
  key,
  size: st.size,
  etag: `${st.size}-${st.mtimeMs}`,
  lastModified: st.mtime,
});
const notFound = STORE_ERRORS.objectNotFound;

/** How many files of a directory a listing stats ahead, in parallel. */
const STAT_AHEAD = 16;

/** How often a put retries a race with a concurrent prune of empty directories before giving up. */
const PUBLISH_ATTEMPTS = 20;

/** Is a non-directory (a stored object) at `dir` or at one of its parents below `root`? */
async function fileInTheWay(root: string, dir: string): Promise<boolean> {
  for (let d = dir; d === root || inside(root, d); d = path.dirname(d)) {
    const st = await fsp.lstat(d).catch(() => null);
    if (st && !st.isDirectory()) return true;
    if (d === root) break;
  }
  return false;
}

export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local';
  private readonly root: string;

  constructor(
    rootDir: string,
    private readonly opts: LocalStoreOptions = {},
  ) {
    this.root = path.resolve(rootDir);
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const dir = await this.realBucketDir(bucket);
    const st = await ifExists(fsp.lstat(dir));
    if (st?.isSymbolicLink()) throw linkedBucket(bucket);
    return st?.isDirectory() ?? false;
  }

  async createBucket(bucket: string): Promise<void> {
    try {
      await fsp.mkdir(this.bucketDir(bucket), { recursive: true, mode: 0o700 });
    } catch (e) {
      if (errno(e) === 'EEXIST' || errno(e) === 'ENOTDIR') {
        throw new ObjectStoreError('Conflict', `cannot create bucket "${bucket}": a file with that name is in the way`);
      }
      throw e;
    }
  }

  async *list(bucket: string, prefix: string): AsyncIterable<ObjectInfo> {
    const dirPrefix = directoryPrefix(prefix);
    const root = await this.bucketRoot(bucket);
    const start = dirPrefix === '' ? root : await ifExists(fsp.realpath(path.join(root, ...dirPrefix.split('/'))));
    if (start === null || !within(root, start)) return;
    const dir = await ifExists(InsideDir.open(root, start));
    if (dir !== null) yield* this.walk(root, dir, dirPrefix);
  }

  async stat(bucket: string, key: string): Promise<ObjectInfo | null> {
    const found = await this.locate(bucket, key);
    const st = found === null ? null : await statInside(found.root, found.file);
    return st?.isFile() ? info(key, st) : null;
  }

  async read(bucket: string, key: string, range?: { start: number; end: number }): Promise<Readable> {
    const found = await this.locate(bucket, key);
    if (found === null) throw notFound(bucket, key);
    const { root, file } = found;
    let fh: fsp.FileHandle | null;
    try {
      fh = await ifExists(fsp.open(file, OPEN_READ));
    } catch (e) {
      if (errno(e) === 'ENXIO') throw notRegular(key); // a socket
      throw e;
    }
    if (fh === null) throw notFound(bucket, key);
    try {
      // Size and type come from the open handle, so a concurrent replace cannot skew them.
      const st = await fh.stat();
      if (!st.isFile()) throw notRegular(key);
      if (!(await handleWithin(root, fh, st, () => this.resolveInside(root, key)))) throw notFound(bucket, key);
      if (this.opts.untrusted) refuseUntrusted(key, st);
      const r = range && checkRange(range, key, st.size);
      // 4 MiB reads: model files are large and the consumers hash them; 64 KiB chunks cost throughput.
      const stream = fh.createReadStream({ highWaterMark: 4 * 1024 * 1024, ...(r ? { start: r.start, end: r.end } : {}) });
      return withStallTimeout(stream, this.opts.stallTimeoutMs ?? 0, `"${key}" in bucket "${bucket}"`);
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
      if (isTemp(key)) throw reservedKey();
      const root = await this.bucketRoot(bucket);
      const target = keyPath(root, key);
      tmp = path.join(root, TEMP_PREFIX + randomBytes(8).toString('hex'));
      const reserve = this.opts.minFreeBytes ?? 0;
      if (reserve > 0) await checkFreeSpace(root, size ?? 0, reserve, key);
      await writeDurably(tmp, body, key, size, reserve > 0 ? (written) => checkFreeSpace(root, 0, reserve, key, written) : undefined);
      return info(key, await this.publish(root, tmp, target, key));
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
    if (dir === null || !within(root, dir)) return;
    const name = path.basename(target);
    const removed = await ifExists(
      inDir(root, dir, async (d) => {
        const st = await ifExists(fsp.lstat(d.at(name)));
        return st !== null && !st.isDirectory() && (await ifExists(d.unlink(name))) !== null;
      }),
    );
    if (removed) await removeEmptyDirsUp(root, path.dirname(target));
  }

  async ensureFreeSpace(bucket: string, bytes: number): Promise<void> {
    const reserve = this.opts.minFreeBytes ?? 0;
    if (reserve > 0) await checkFreeSpace(await this.bucketRoot(bucket), bytes, reserve, 'the import');
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
    // Depth first through opened directories: a sub-directory swapped for a link is not entered.
    const prune = async (parent: InsideDir, name: string): Promise<void> => {
      const dir = await ifExists(parent.child(name));
      if (dir === null) return;
      try {
        for (const e of (await ifExists(dir.entries())) ?? []) if (e.isDirectory()) await prune(dir, e.name);
      } finally {
        await dir.close();
      }
      await parent.rmdir(name).catch(() => undefined); // not empty: kept
    };
    const parent = await ifExists(fsp.realpath(path.dirname(start)));
    if (parent !== null && within(root, parent)) await ifExists(inDir(root, parent, (p) => prune(p, path.basename(start))));
    await removeEmptyDirsUp(root, path.dirname(start));
  }

  /** A rename: the bytes never move, so promoting a multi-GB blob costs nothing. */
  async move(bucket: string, from: string, to: string): Promise<void> {
    const found = await this.locate(bucket, from);
    if (found === null) throw notFound(bucket, from);
    validateObjectKey(to);
    if (isTemp(to)) throw reservedKey();
    const { root, file } = found;
    // Renamed from its opened directory: a swapped link on the path cannot bring an outside file in.
    const moved = await ifExists(inDir(root, path.dirname(file), (d) => this.publish(root, { dir: d, name: path.basename(file) }, keyPath(root, to), to)));
    if (moved === null) throw notFound(bucket, from);
    await removeEmptyDirsUp(root, path.dirname(file));
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

  /** The bucket's directory under the real path of the root (the root itself may be a link). */
  private async realBucketDir(bucket: string): Promise<string> {
    const name = validateBucketName(bucket, 'bucket name');
    const root = (await ifExists(fsp.realpath(this.root))) ?? this.root;
    return path.join(root, name);
  }

  /** The bucket's real path, or BucketNotFound; a bucket that is a symlink is refused. */
  private async bucketRoot(bucket: string): Promise<string> {
    const dir = await this.realBucketDir(bucket);
    const st = await ifExists(fsp.lstat(dir));
    if (st?.isSymbolicLink()) throw linkedBucket(bucket);
    if (!st?.isDirectory()) {
      throw new ObjectStoreError('BucketNotFound', `bucket "${bucket}" does not exist in the local object store`);
    }
    return dir;
  }

  /** The bucket's real path and the real path of an object's file; null when missing or resolving outside the bucket. */
  private async locate(bucket: string, key: string): Promise<{ root: string; file: string } | null> {
    validateObjectKey(key);
    const root = await this.bucketRoot(bucket);
    if (isTemp(key)) return null;
    const file = await this.resolveInside(root, key);
    return file === null ? null : { root, file };
  }

  private async resolveInside(root: string, key: string): Promise<string | null> {
    const real = await ifExists(fsp.realpath(keyPath(root, key)));
    return real !== null && inside(root, real) ? real : null;
  }

  /** Moves a finished temp file (or an object's file, in its opened directory) onto its key; returns the stored object's stat. */
  private async publish(root: string, tmp: string | { dir: InsideDir; name: string }, target: string, key: string): Promise<Stats> {
    for (let attempt = 1; ; attempt++) {
      try {
        const dir = await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o700 }).then(() => fsp.realpath(path.dirname(target)));
        // A symlinked directory inside the bucket could point anywhere: never write through it.
        const name = path.basename(target);
        const st = !within(root, dir)
          ? null
          : await inDir(root, dir, async (d) => {
              await d.rename(tmp, name);
              await d.sync();
              return fsp.lstat(d.at(name));
            });
        if (st === null) throw new ObjectStoreError('InvalidName', `object key "${key}" leads outside the bucket through a symbolic link`);
        return st;
      } catch (e) {
        // Deleting or moving an object prunes its emptied parent directories. A put into a sibling
        // can lose its directory between mkdir and rename (ENOENT), or in the middle of the recursive
        // mkdir, which Node then reports as ENOENT, EEXIST or ENOTDIR: unless a file really is in the
        // way, that is a race, not a conflict, and the put tries again.
        const code = errno(e);
        if ((code === 'ENOENT' || code === 'EEXIST' || code === 'ENOTDIR') && attempt < PUBLISH_ATTEMPTS && !(await fileInTheWay(root, path.dirname(target)))) continue;
        if (errno(e) === 'ENAMETOOLONG') {
          throw new ObjectStoreError('InvalidName', `object key "${key}" has a path segment too long for the local filesystem (usually 255 bytes)`);
        }
        if (['EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY'].includes(errno(e) ?? '')) {
          throw new ObjectStoreError(
            'Conflict',
            `cannot store "${key}": the local object store cannot hold an object and a directory of objects at the same path`,
          );
        }
        throw e;
      }
    }
  }

  /**
   * Depth-first walk yielding keys in UTF-8 byte order, the order S3 lists in. Entries are read and
   * stat'ed through the opened directory, checked once (InsideDir), not per file.
   */
  private async *walk(root: string, dir: InsideDir, keyPrefix: string): AsyncGenerator<ObjectInfo> {
    try {
      const entries = await ifExists(dir.entries());
      if (entries === null) return; // removed while listing
      const items: { name: string; isDir: boolean; real: string | null; order: Buffer }[] = [];
      for (const e of entries) {
        if (keyPrefix === '' && e.name.startsWith(TEMP_PREFIX)) continue; // in-progress writes
        if (!isValidObjectKey(keyPrefix + e.name)) continue; // not addressable through the API
        let isDir = e.isDirectory();
        let real: string | null = null;
        if (e.isSymbolicLink()) {
          real = await ifExists(fsp.realpath(dir.at(e.name)));
          const st = real === null ? null : await statInside(root, real);
          if (!st?.isFile()) continue; // outside the bucket, dangling, or a directory link
          isDir = false;
        } else if (!isDir && !e.isFile()) {
          continue; // sockets, fifos, devices
        }
        // Sorting a directory as "name/" makes the depth-first walk match global key order:
        // 'a/b-c' < 'a/b.txt' < 'a/b/x' because '-' < '.' < '/'.
        items.push({ name: e.name, isDir, real, order: Buffer.from(isDir ? `${e.name}/` : e.name) });
      }
      items.sort((a, b) => Buffer.compare(a.order, b.order));
      // Files are stat'ed a few ahead, in parallel: a big directory is one stat per file, and the thread pool has several threads.
      const ahead = new Map<number, Promise<{ st: Stats | null } | { err: unknown }>>();
      const statOf = async (item: (typeof items)[number]): Promise<Stats | null> => {
        if (item.real !== null) return statInside(root, item.real);
        const st = await ifExists(fsp.lstat(dir.at(item.name)));
        return st !== null && dir.holds(item.name, st) ? st : null;
      };
      try {
        for (let i = 0; i < items.length; i++) {
          const item = items[i];
          const key = keyPrefix + item.name;
          if (item.isDir) {
            const sub = await ifExists(dir.child(item.name)); // a link by now: not entered
            if (sub !== null) yield* this.walk(root, sub, `${key}/`);
            continue;
          }
          for (let j = i; j < Math.min(items.length, i + STAT_AHEAD); j++) {
            if (!items[j].isDir && !ahead.has(j)) ahead.set(j, statOf(items[j]).then((st) => ({ st }), (err: unknown) => ({ err })));
          }
          const got = await ahead.get(i)!;
          ahead.delete(i);
          if ('err' in got) throw got.err;
          if (got.st?.isFile()) yield info(key, got.st);
        }
      } finally {
        await Promise.all(ahead.values()); // before the handle they go through is closed
      }
    } finally {
      await dir.close();
    }
  }
}

/** The stat of the resolved path `file` (not following a link), taken within its opened directory; null when missing or not within `root`. */
async function statInside(root: string, file: string): Promise<Stats | null> {
  const name = path.basename(file);
  const st = await ifExists(
    inDir(root, path.dirname(file), async (d) => {
      const found = await ifExists(fsp.lstat(d.at(name)));
      return found !== null && d.holds(name, found) ? found : null;
    }),
  );
  return st ?? null;
}

/** Streams `body` into a new file at `file`, checks its size and fsyncs it. */
async function writeDurably(
  file: string,
  body: Readable | Buffer,
  key: string,
  size?: number,
  checkSpace?: (written: number) => Promise<void>,
): Promise<void> {
  const fh = await fsp.open(file, 'wx', 0o600);
  try {
    let written = 0;
    let checkedAt = 0;
    const chunks: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer> = Buffer.isBuffer(body) ? [body] : body;
    for await (const chunk of chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      written += buf.byteLength;
      if (size !== undefined && written > size) throw sizeMismatch(key, size, `more than ${size}`);
      for (let off = 0; off < buf.byteLength; ) {
        off += (await fh.write(buf, off, buf.byteLength - off)).bytesWritten;
      }
      if (checkSpace && written - checkedAt >= FREE_CHECK_STEP) {
        checkedAt = written;
        await checkSpace(written);
      }
    }
    if (size !== undefined && written !== size) throw sizeMismatch(key, size, String(written));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Fails when writing `more` bytes would leave less than `reserve` bytes free on the filesystem of `dir`. */
async function checkFreeSpace(dir: string, more: number, reserve: number, key: string, written?: number): Promise<void> {
  const fs = await fsp.statfs(dir);
  const free = fs.bavail * fs.bsize;
  // On a small filesystem the reserve shrinks to 5% of its size, so a dedicated small volume stays usable.
  reserve = Math.min(reserve, Math.floor(fs.blocks * fs.bsize * RESERVE_MAX_FRACTION));
  if (free - more >= reserve) return;
  const doing = written === undefined ? `storing ${more} bytes` : `after ${written} bytes written`;
  throw new FreeSpaceError(
    `not enough free disk space for "${key}": ${doing}, ${Math.max(0, free - more)} bytes would remain free, below the reserve of ${reserve} bytes kept for the database and other tenants (MODELREG_MIN_FREE_BYTES, at most 5% of the disk)`,
  );
}

function refuseUntrusted(key: string, st: Stats): void {
  if (st.nlink > 1) {
    throw new ObjectStoreError(
      'Refused',
      `object "${key}" has ${st.nlink} hard links; modelreg does not read hard-linked files from buckets, since a link can expose a file from outside the bucket (copy the file instead)`,
    );
  }
  if (isSparse(st)) {
    throw new ObjectStoreError(
      'Refused',
      `object "${key}" is a sparse file: ${st.size} bytes long but only ${st.blocks * 512} bytes allocated on disk (less than 1/${Math.round(1 / SPARSE_MIN_ALLOCATED_FRACTION)} of its size); modelreg refuses sparse files of ${SPARSE_MIN_SIZE} bytes or more`,
    );
  }
}

const notRegular = (key: string) =>
  new ObjectStoreError('Refused', `object "${key}" is not a regular file (a FIFO, socket or device); only regular files can be read`);
const linkedBucket = (bucket: string) =>
  new ObjectStoreError('Refused', `bucket "${bucket}" is a symbolic link in the local object store; modelreg does not follow linked buckets (make it a real directory)`);

const sizeMismatch = STORE_ERRORS.sizeMismatch;
const reservedKey = () => new ObjectStoreError('InvalidName', `object key must not start with "${TEMP_PREFIX}" (reserved)`);

/**
 * Object stores have no empty directories: removes `dir` and then its parents while empty, up to (not
 * including) the bucket's root; each from within its opened parent, so a swapped link is not followed.
 */
async function removeEmptyDirsUp(root: string, dir: string): Promise<void> {
  for (let d = dir; inside(root, d); d = path.dirname(d)) {
    const parent = await ifExists(fsp.realpath(path.dirname(d)));
    if (parent === null || !within(root, parent)) break;
    const name = path.basename(d);
    const removed = await inDir(root, parent, (p) => p.rmdir(name).then(() => true, () => false)).catch(() => null);
    if (!removed) break; // not empty, or a symlink: stop
  }
}
