// Downloads a version's files (DescribeModelFiles: path, size, sha256 and a short-lived signed URL
// each) into a directory: several files at once, each into "<file>.part" that a rerun resumes with
// a Range request, every file checked against its sha256 before it takes its real name. A file
// that does not match is removed and named in the error. Never holds a file in memory.
import { createHash, type Hash } from 'node:crypto';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, EXIT } from './output.js';

export interface RemoteFile {
  path: string;
  size: number;
  sha256: string;
  downloadUrl: string;
}

export interface PullOptions {
  parallel: number;
  /** Bytes per second over all files; 0 = unlimited. */
  maxRate: number;
  /** Fresh URLs (they expire): called when the server refuses a stale one. */
  refresh: () => Promise<RemoteFile[]>;
  onBytes: (n: number) => void;
}

export interface PullStats {
  downloadedBytes: number;
  resumedBytes: number;
  skippedFiles: number;
}

export const EXIT_VERIFY_FAILED = EXIT.verifyFailed;

/** The local path of a manifest path; refuses anything that would land outside `dir`. */
export function localPath(dir: string, rel: string): string {
  const parts = rel.split('/');
  if (rel === '' || rel.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) {
    throw new CliError(`the registry listed an unsafe file path "${rel}"; refusing to write it`, 1);
  }
  return path.join(dir, ...parts);
}

export async function pullFiles(dir: string, files: RemoteFile[], opts: PullOptions): Promise<PullStats> {
  const stats: PullStats = { downloadedBytes: 0, resumedBytes: 0, skippedFiles: 0 };
  const throttle = new Throttle(opts.maxRate);
  let urls = new Map(files.map((f) => [f.path, f.downloadUrl]));
  let refreshing: Promise<void> | undefined;
  const refresh = () =>
    (refreshing ??= opts.refresh().then((fresh) => {
      urls = new Map(fresh.map((f) => [f.path, f.downloadUrl]));
      refreshing = undefined;
    }));

  const one = async (f: RemoteFile) => {
    const target = localPath(dir, f.path);
    const part = `${target}.part`;
    await fsp.mkdir(path.dirname(target), { recursive: true });
    // Already there from an earlier run: checked, not fetched again.
    const existing = await fsp.stat(target).catch(() => null);
    if (existing?.isFile() && existing.size === f.size && (await hashFile(target)).digest('hex') === f.sha256) {
      stats.skippedFiles++;
      opts.onBytes(f.size);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await fetchInto(f, urls.get(f.path) ?? f.downloadUrl, part, stats, opts.onBytes, throttle);
        break;
      } catch (err) {
        if (err instanceof CliError || attempt >= 4) throw err;
        if ((err as { status?: number }).status === 401 || (err as { status?: number }).status === 403) await refresh();
        else await sleep(250 * attempt);
      }
    }
    await fsp.rename(part, target);
  };

  let next = 0;
  let failure: unknown;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.parallel, files.length)) }, async () => {
      while (failure === undefined && next < files.length) {
        try {
          await one(files[next++]!);
        } catch (err) {
          failure ??= err;
        }
      }
    }),
  );
  if (failure !== undefined) throw failure;
  return stats;
}

/** Appends the rest of `f` to `part` (resuming from its current size), then checks the whole file. */
async function fetchInto(f: RemoteFile, url: string, part: string, stats: PullStats, onBytes: (n: number) => void, throttle: Throttle): Promise<void> {
  let have = (await fsp.stat(part).catch(() => null))?.size ?? 0;
  if (have > f.size) {
    await fsp.rm(part, { force: true });
    have = 0;
  }
  // The bytes already there count toward the hash: read them once.
  const hash = have > 0 ? await hashFile(part) : createHash('sha256');
  if (have > 0) {
    stats.resumedBytes += have;
    onBytes(have);
  }
  if (have < f.size) {
    const res = await fetch(url, { headers: have > 0 ? { range: `bytes=${have}-` } : {} });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw Object.assign(new Error(`the download URL of ${f.path} was refused (${res.status})`), { status: res.status });
    }
    if (res.status === 404) throw new CliError(`${f.path} is no longer in the registry (its version was deleted?)`, 1);
    if (!(res.status === 200 || (res.status === 206 && have > 0)) || !res.body) {
      await res.body?.cancel();
      throw new Error(`GET ${f.path} answered ${res.status}`);
    }
    let resumed = hash;
    if (res.status === 200 && have > 0) {
      // The server ignored the Range: start the file over.
      onBytes(-have);
      stats.resumedBytes -= have;
      have = 0;
      resumed = createHash('sha256');
    }
    const out = await fsp.open(part, have > 0 ? 'a' : 'w');
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        if (have + chunk.byteLength > f.size) throw new Error(`the server sent more than the ${f.size} bytes of ${f.path}`);
        await out.write(chunk);
        resumed.update(chunk);
        have += chunk.byteLength;
        stats.downloadedBytes += chunk.byteLength;
        onBytes(chunk.byteLength);
        await throttle.take(chunk.byteLength);
      }
    } finally {
      await out.close();
    }
    if (have !== f.size) throw new Error(`${f.path}: the download stopped at ${have} of ${f.size} bytes`);
    return verify(f, part, resumed);
  }
  return verify(f, part, hash);
}

async function verify(f: RemoteFile, part: string, hash: Hash): Promise<void> {
  const got = hash.digest('hex');
  if (got === f.sha256) return;
  await fsp.rm(part, { force: true });
  throw new CliError(`${f.path} does not match the registry's checksum (sha256 ${got}, expected ${f.sha256}); the bad file was removed. Run the pull again; if it fails the same way, the stored copy is damaged: tell the registry's operator`, EXIT_VERIFY_FAILED);
}

async function hashFile(file: string): Promise<Hash> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) h.update(chunk as Buffer);
  return h;
}

/** Keeps the total rate under `bytesPerSecond` (0: no limit). */
class Throttle {
  private readonly started = Date.now();
  private taken = 0;
  constructor(private readonly bytesPerSecond: number) {}
  async take(n: number): Promise<void> {
    if (this.bytesPerSecond <= 0) return;
    this.taken += n;
    const due = this.started + (this.taken / this.bytesPerSecond) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
  }
}
