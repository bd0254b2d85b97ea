// Reading an import's objects from the store: each object is opened once and streamed once, whether
// it is hashed only, parsed as a small JSON document, or validated as safetensors.
// Note on throughput: the chunk size is the store's choice (an fs Readable's highWaterMark; 64 KiB by
// default, 1–4 MiB is better for multi-GB files); this module cannot change it through the interface.
import type { ObjectInfo, ObjectStore } from '../../objects/object-store.js';
import { ModelValidationError } from './model-validation-error.js';
import { inspectSafetensors, type SafetensorsHeader, type SafetensorsInfo } from './safetensors.js';
import { digestStream, truncatedError } from './stream-digest.js';
import type { InspectedFile } from './types.js';

/** An object under the import's objectPath. */
export interface ListedFile {
  /** Full key in the bucket. */
  key: string;
  /** Key relative to objectPath ('config.json', 'unet/config.json'). */
  path: string;
  size: number;
  etag?: string;
}

/** Reports progress at most every this many bytes (plus once per finished file). */
const PROGRESS_STEP = 8 * 1024 * 1024;

export class ByteProgress {
  private done = 0;
  private reported = 0;

  constructor(
    readonly total: number,
    private readonly cb?: (bytesDone: number, bytesTotal: number) => void,
  ) {}

  add(n: number): void {
    this.done += n;
    if (this.cb && this.done - this.reported >= PROGRESS_STEP) this.report();
  }

  flush(): void {
    if (this.cb && this.done !== this.reported) this.report();
  }

  private report(): void {
    this.reported = this.done;
    this.cb?.(this.done, this.total);
  }
}

export interface ReadContext {
  store: ObjectStore;
  bucket: string;
  /** 'bucket/objectPath', for messages. */
  location: string;
  signal?: AbortSignal;
  progress: ByteProgress;
}

export function newReadContext(
  store: ObjectStore,
  bucket: string,
  location: string,
  files: ListedFile[],
  opts: { signal?: AbortSignal; onProgress?: (bytesDone: number, bytesTotal: number) => void } = {},
): ReadContext {
  const total = files.reduce((s, f) => s + f.size, 0);
  const ctx: ReadContext = { store, bucket, location, progress: new ByteProgress(total, opts.onProgress) };
  if (opts.signal) ctx.signal = opts.signal;
  return ctx;
}

/** Lists every object under `prefix` as ListedFiles (directory markers skipped). */
export async function listFiles(store: ObjectStore, bucket: string, prefix: string, signal?: AbortSignal): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const strip = prefix === '' ? 0 : prefix.length + 1;
  for await (const info of store.list(bucket, prefix)) {
    signal?.throwIfAborted();
    if (info.key.endsWith('/')) continue; // "folder" placeholder objects some S3 tools create
    out.push(toListed(info, info.key.slice(strip)));
  }
  return out;
}

export function toListed(info: ObjectInfo, path: string): ListedFile {
  const f: ListedFile = { key: info.key, path, size: info.size };
  if (info.etag !== undefined) f.etag = info.etag;
  return f;
}

function record(file: ListedFile, sha256: string): InspectedFile {
  const r: InspectedFile = { path: file.path, size: file.size, sha256 };
  if (file.etag !== undefined) r.etag = file.etag;
  return r;
}

async function open(ctx: ReadContext, file: ListedFile) {
  ctx.signal?.throwIfAborted();
  return ctx.store.read(ctx.bucket, file.key);
}

const digestOpts = (ctx: ReadContext) => ({
  ...(ctx.signal ? { signal: ctx.signal } : {}),
  onBytes: (n: number) => ctx.progress.add(n),
});

/** Hashes a file without keeping any of it. */
export async function hashFile(ctx: ReadContext, file: ListedFile): Promise<InspectedFile> {
  const { sha256, bytesRead } = await digestStream(await open(ctx, file), file.size, file.path, null, digestOpts(ctx));
  if (bytesRead < file.size) throw truncatedError(file.path, file.size, bytesRead);
  ctx.progress.flush();
  return record(file, sha256);
}

/**
 * Hashes a file and keeps its bytes (for the small JSON documents that must be parsed). Files above
 * `limit` are refused before reading, so a mislabelled multi-GB object cannot exhaust memory.
 */
export async function readSmallFile(ctx: ReadContext, file: ListedFile, limit: number): Promise<{ file: InspectedFile; bytes: Buffer }> {
  if (file.size > limit) {
    throw new ModelValidationError(
      `${file.path} is ${file.size} bytes, more than the ${limit} bytes allowed for this kind of file; it cannot be a valid ${file.path.split('/').pop()}`,
      file.path,
    );
  }
  const bytes = Buffer.allocUnsafe(file.size);
  const { sha256, bytesRead } = await digestStream(
    await open(ctx, file),
    file.size,
    file.path,
    (chunk, offset) => {
      chunk.copy(bytes, offset);
    },
    digestOpts(ctx),
  );
  if (bytesRead < file.size) throw truncatedError(file.path, file.size, bytesRead);
  ctx.progress.flush();
  return { file: record(file, sha256), bytes };
}

/** Streams a .safetensors file once: validated header + sha256. */
export async function readSafetensorsFile(
  ctx: ReadContext,
  file: ListedFile,
  onHeader?: (header: SafetensorsHeader) => void,
): Promise<{ file: InspectedFile; info: SafetensorsInfo }> {
  const opts = { ...digestOpts(ctx), ...(onHeader ? { onHeader } : {}) };
  const info = await inspectSafetensors(await open(ctx, file), file.size, file.path, opts);
  ctx.progress.flush();
  return { file: record(file, info.sha256), info };
}
