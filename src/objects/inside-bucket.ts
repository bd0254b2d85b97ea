// Acting on what really is inside a bucket of the local store, not on what a path named a moment ago.
//
// A path is resolved (realpath) and checked to lie in the bucket, then used: a tenant who can write its
// bucket can swap a directory on that path for a link to elsewhere in between, and O_NOFOLLOW guards the
// last component only. So the store opens what it resolved and checks where the open handle really is:
// Linux names a handle's own file in /proc/self/fd. Directory entries are then reached through the
// handle (/proc/self/fd/N/name is resolved from the opened directory itself, like the *at calls Node
// lacks): an entry of a directory checked once is inside, so a listing checks per directory, not per file.
//
// Without /proc (macOS, BSD, a container without it) the check is the strongest portable one: after
// opening (or after an entry's stat), the resolved path is walked again with lstat, synchronously, every
// component must be a real directory (no link) and the last the handle's (or the entry's) device and
// inode. Residual risk there: entries are reached by path, so a swap and swap-back within that walk's
// few microseconds can still pass a read, stat or listing; and a delete, rename or rmdir is checked
// before it acts, by path, and cannot be undone by a check after it. SECURITY.md (class 5) says so.
import { constants as fsc, existsSync, lstatSync, promises as fsp, renameSync, rmdirSync, unlinkSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';

const PROC_FD = '/proc/self/fd';
const OPEN_DIR = fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW;

let procFd: boolean | undefined;
/** Whether handles are located and directories entered through /proc/self/fd (Linux). */
function viaProc(): boolean {
  procFd ??= existsSync(PROC_FD);
  return procFd;
}
/** Forces the portable check (tests measure what it leaves open); `undefined` detects again. */
export function useProcFd(on: boolean | undefined): void {
  procFd = on;
}

/** `p` lies strictly below `root`. */
export const inside = (root: string, p: string) => p.startsWith(root + path.sep);
/** `p` is `root` or lies below it. */
export const within = (root: string, p: string) => p === root || inside(root, p);

/**
 * Portable check: `real` (a resolved path) lies within `root`, every component below the root is a real
 * directory or file, not a link, and the last is the file `st` is (same device and inode). Synchronous on
 * purpose: a few lstat calls back to back leave a swap microseconds, not an event-loop turn per step.
 */
function namesWithoutLinks(root: string, real: string, st: Stats): boolean {
  if (!within(root, real)) return false;
  const parts = real === root ? [] : path.relative(root, real).split(path.sep);
  let p = root;
  let now = lstatOrNull(p);
  for (const part of parts) {
    if (!now?.isDirectory()) return false;
    p = path.join(p, part);
    now = lstatOrNull(p);
  }
  return now !== undefined && !now.isSymbolicLink() && now.dev === st.dev && now.ino === st.ino;
}
function lstatOrNull(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined; // missing, or a component is no directory now
  }
}

/**
 * Is the file or directory behind an open handle within `root`? `st` is the handle's fstat (taken when
 * not given); `resolved` gives the path it should be at now (both used only without /proc).
 */
export async function handleWithin(root: string, fh: fsp.FileHandle, st: Stats | null, resolved: () => Promise<string | null>): Promise<boolean> {
  if (viaProc()) {
    const where = await fsp.readlink(`${PROC_FD}/${fh.fd}`).catch(() => null);
    if (where !== null) return within(root, where);
  }
  const real = await resolved();
  return real !== null && namesWithoutLinks(root, real, st ?? (await fh.stat()));
}

/** An open directory of a bucket, checked to lie within it; its entries are reached through the handle. */
export class InsideDir {
  private constructor(
    private readonly root: string,
    private readonly fh: fsp.FileHandle,
    /** Where it was opened (entries are reached by this path only without /proc). */
    private readonly dir: string,
    private readonly st: Stats | null,
  ) {}

  /**
   * Opens the resolved directory `dir` (no link at its last component) and checks it lies within `root`;
   * null when it does not. Errors of the open itself (ENOENT, ENOTDIR: a link now) are the caller's.
   */
  static async open(root: string, dir: string): Promise<InsideDir | null> {
    const fh = await fsp.open(dir, OPEN_DIR);
    try {
      const st = viaProc() ? null : await fh.stat();
      if (await handleWithin(root, fh, st, async () => dir)) return new InsideDir(root, fh, dir, st);
    } catch (e) {
      await fh.close();
      throw e;
    }
    await fh.close();
    return null;
  }

  /** A path naming the entry `name` of this very directory (through the handle on Linux). */
  at(name: string): string {
    return this.st === null ? `${PROC_FD}/${this.fh.fd}/${name}` : path.join(this.dir, name);
  }

  entries(): Promise<Dirent[]> {
    return fsp.readdir(this.st === null ? `${PROC_FD}/${this.fh.fd}` : this.dir, { withFileTypes: true });
  }

  /** The sub-directory `name` (not a link); on Linux inside by construction, else checked again. */
  async child(name: string): Promise<InsideDir | null> {
    if (this.st !== null) return InsideDir.open(this.root, path.join(this.dir, name));
    return new InsideDir(this.root, await fsp.open(this.at(name), OPEN_DIR), path.join(this.dir, name), null);
  }

  /**
   * Is `st`, found as entry `name`, really this directory's entry? Always on Linux (it was reached through
   * the handle); without /proc the path is walked again, synchronously, down to the entry's inode, so a
   * directory swapped for a link and back around an asynchronous call is caught.
   */
  holds(name: string, st: Stats): boolean {
    return this.st === null || namesWithoutLinks(this.root, path.join(this.dir, name), st);
  }

  unlink(name: string): Promise<void> {
    return this.change([], () => fsp.unlink(this.at(name)), () => unlinkSync(this.at(name)));
  }

  rmdir(name: string): Promise<void> {
    return this.change([], () => fsp.rmdir(this.at(name)), () => rmdirSync(this.at(name)));
  }

  /** Renames `from` (a path directly in the bucket's root, or an entry of another InsideDir) to the entry `name`. */
  rename(from: string | { dir: InsideDir; name: string }, name: string): Promise<void> {
    const src = typeof from === 'string' ? from : from.dir.at(from.name);
    return this.change(typeof from === 'string' ? [] : [from.dir], () => fsp.rename(src, this.at(name)), () => renameSync(src, this.at(name)));
  }

  /**
   * A change of an entry: through the handle on Linux. Without /proc it goes by path, synchronously right
   * after checking (also synchronously) that the directories are still where they were checked, so a swap
   * has microseconds, not an event-loop turn; a directory that moved fails like a missing one (ENOENT).
   */
  private async change(others: InsideDir[], viaHandle: () => Promise<void>, byPath: () => void): Promise<void> {
    if (this.st === null) return viaHandle();
    for (const d of [this, ...others]) {
      if (d.st !== null && !namesWithoutLinks(d.root, d.dir, d.st)) {
        throw Object.assign(new Error(`${d.dir} is no longer the directory that was checked`), { code: 'ENOENT' });
      }
    }
    byPath();
  }

  /** Makes renames into the directory durable; not supported everywhere (e.g. Windows), so best effort. */
  sync(): Promise<void> {
    return this.fh.sync().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * Runs `act` on the resolved directory `dir` of a bucket opened as an InsideDir; null when it is not within
 * `root`. A read that must not report what it found elsewhere asks `holds()` too.
 */
export async function inDir<T>(root: string, dir: string, act: (d: InsideDir) => Promise<T>): Promise<T | null> {
  const d = await InsideDir.open(root, dir);
  if (d === null) return null;
  try {
    return await act(d);
  } finally {
    void d.close().catch(() => undefined); // not waited for: nothing goes through the handle any more
  }
}
