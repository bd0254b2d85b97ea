// Downloads a version's files (DescribeModelFiles: path, size, sha256 and a short-lived signed URL
// each) into a directory: several files at once, each into "<file>.part" that a rerun resumes with
// a Range request, every file checked against its sha256 before it takes its real name. A file
// that does not match is removed and named in the error. Never holds a file in memory.
import { createHash, type Hash } from 'node:crypto';
import fs, { promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
  /** `reused`: bytes found on disk from an earlier run (not downloaded now). */
  onBytes: (n: number, reused?: boolean) => void;
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
    (refreshing ??= opts
      .refresh()
      .then((fresh) => {
        urls = new Map(fresh.map((f) => [f.path, f.downloadUrl]));
      })
      .finally(() => {
        // A failed refresh is not kept: the next stale URL asks again.
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
      opts.onBytes(f.size, true);
      return;
    }
    // Why fresh URLs could not be had, when that is what stopped the file (reported over the stale URL's refusal).
    let refreshError: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        await fetchInto(f, urls.get(f.path) ?? f.downloadUrl, part, stats, opts.onBytes, throttle);
        break;
      } catch (err) {
        if (err instanceof CliError) throw err;
        if (attempt >= 4) throw refreshError ?? err;
        if ((err as { stale?: boolean }).stale) {
          refreshError = undefined;
          // A refresh that fails (the API unreachable a moment) costs one attempt, like a failed GET.
          await refresh().catch((e: unknown) => {
            if (e instanceof CliError) throw e;
            refreshError = e;
            return sleep(250 * attempt);
          });
        } else await sleep(250 * attempt);
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
async function fetchInto(f: RemoteFile, url: string, part: string, stats: PullStats, onBytes: (n: number, reused?: boolean) => void, throttle: Throttle): Promise<void> {
  let have = (await fsp.stat(part).catch(() => null))?.size ?? 0;
  if (have > f.size) {
    await fsp.rm(part, { force: true });
    have = 0;
  }
  // The bytes already there count toward the hash: read them once.
  const hash = have > 0 ? await hashFile(part) : createHash('sha256');
  if (have > 0) {
    stats.resumedBytes += have;
    onBytes(have, true);
  }
  if (have < f.size) {
    const res = await get(url, have > 0 ? { range: `bytes=${have}-` } : {});
    const status = res.statusCode ?? 0;
    // A stale URL: refused (401/403, as S3 answers an expired presigned URL) or, from modelreg's
    // own /v1/download, expired (400 RequestExpired). Fresh URLs are asked for.
    if (status === 400 || status === 401 || status === 403) {
      res.resume();
      throw Object.assign(new Error(`the download URL of ${f.path} was refused (${status})`), { status, stale: true });
    }
    if (status === 404) {
      res.resume();
      throw new CliError(`${f.path} is no longer in the registry (its version was deleted?)`, 1);
    }
    if (!(status === 200 || (status === 206 && have > 0))) {
      res.resume();
      throw new Error(`GET ${f.path} answered ${status}`);
    }
    let resumed = hash;
    if (status === 200 && have > 0) {
      // The server ignored the Range: start the file over.
      onBytes(-have, true);
      stats.resumedBytes -= have;
      have = 0;
      resumed = createHash('sha256');
    }
    // Node streams end to end (no web-stream adapters): the body is hashed, counted and written
    // with backpressure, in the chunks the socket delivers.
    const counting = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        if (have + chunk.byteLength > f.size) return cb(new Error(`the server sent more than the ${f.size} bytes of ${f.path}`));
        resumed.update(chunk);
        have += chunk.byteLength;
        stats.downloadedBytes += chunk.byteLength;
        onBytes(chunk.byteLength);
        const wait = throttle.delay(chunk.byteLength);
        if (wait > 0) setTimeout(() => cb(null, chunk), wait);
        else cb(null, chunk);
      },
    });
    await pipeline(res, counting, fs.createWriteStream(part, { flags: have > 0 ? 'a' : 'w', highWaterMark: 4 * 1024 * 1024 }));
    if (have !== f.size) throw new Error(`${f.path}: the download stopped at ${have} of ${f.size} bytes`);
    return verify(f, part, resumed);
  }
  // Nothing to fetch (an empty file, or complete from an earlier run): the part file must exist to be renamed.
  if (f.size === 0) await fsp.writeFile(part, '');
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
  /** Milliseconds to wait before passing on `n` more bytes. */
  delay(n: number): number {
    if (this.bytesPerSecond <= 0) return 0;
    this.taken += n;
    return Math.max(0, this.started + (this.taken / this.bytesPerSecond) * 1000 - Date.now());
  }
}

function get(url: string, headers: Record<string, string>): Promise<http.IncomingMessage> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(u, { headers }, resolve);
    req.on('error', reject);
  });
}
