// Reading an import's objects from the store: each object is opened once and streamed once, whether
// it is hashed only, parsed as a small JSON document, or validated as safetensors.
// Note on throughput: the chunk size is the store's choice (an fs Readable's highWaterMark; 64 KiB by
// default, 1–4 MiB is better for multi-GB files); this module cannot change it through the interface.
import type { ObjectInfo, ObjectStore } from '../../objects/object-store.js';
import { ObjectStoreError } from '../../objects/object-store-error.js';
import { ModelValidationError } from './model-validation-error.js';
import { reason } from './failure-codes.js';
import { inspectSafetensors, type SafetensorsHeader, type SafetensorsInfo } from './safetensors.js';
import { jsonObjectKinds, parseJsonDocument } from './json-file.js';
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
  /** The account the import runs for: its large documents take their turn in the sandbox (a SandboxCaller with signal). */
  account?: string;
  signal?: AbortSignal;
  progress: ByteProgress;
}

export function newReadContext(
  store: ObjectStore,
  bucket: string,
  location: string,
  files: ListedFile[],
  opts: { account?: string; signal?: AbortSignal; onProgress?: (bytesDone: number, bytesTotal: number) => void } = {},
): ReadContext {
  const total = files.reduce((s, f) => s + f.size, 0);
  const ctx: ReadContext = { store, bucket, location, progress: new ByteProgress(total, opts.onProgress) };
  if (opts.account !== undefined) ctx.account = opts.account;
  if (opts.signal) ctx.signal = opts.signal;
  return ctx;
}

/** Lists every object under `prefix` as ListedFiles (directory markers skipped). */
export async function listFiles(store: ObjectStore, bucket: string, prefix: string, signal?: AbortSignal): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  prefix = prefix.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
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
  try {
    return await ctx.store.read(ctx.bucket, file.key);
  } catch (err) {
    if (err instanceof ObjectStoreError && (err.kind === 'NotFound' || err.kind === 'BucketNotFound')) {
      throw new ModelValidationError(`${file.path} disappeared from ${ctx.location} during the import; retry once the upload is complete`, file.path, reason('FileChanged', { file: file.path, location: ctx.location }));
    }
    // The store refused the object itself (not a regular file, hard-linked, sparse): a verdict on the files.
    if (err instanceof ObjectStoreError && err.isRefusal) throw new ModelValidationError(`${file.path} cannot be imported: ${err.message}`, file.path);
    throw err;
  }
}

const digestOpts = (ctx: ReadContext) => ({
  ...(ctx.signal ? { signal: ctx.signal } : {}),
  onBytes: (n: number) => ctx.progress.add(n),
});

/** Hashes a file without keeping any of it; `onChunk` may inspect (and throw on) the bytes in passing. */
export async function hashFile(
  ctx: ReadContext,
  file: ListedFile,
  onChunk: ((chunk: Buffer, offset: number) => void) | null = null,
): Promise<InspectedFile> {
  const { sha256, bytesRead } = await digestStream(await open(ctx, file), file.size, file.path, onChunk, digestOpts(ctx));
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
      `${file.path} is ${file.size} bytes, more than the ${limit} bytes modelreg accepts for a ${file.path.split('/').pop()} (see SECURITY.md); it cannot be a valid one`,
      file.path,
      reason('FileTooLarge', { file: file.path, size: file.size, limit }),
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
  const opts = { ...digestOpts(ctx), ...(ctx.account !== undefined ? { account: ctx.account } : {}), ...(onHeader ? { onHeader } : {}) };
  const info = await inspectSafetensors(await open(ctx, file), file.size, file.path, opts);
  ctx.progress.flush();
  return { file: record(file, info.sha256), info };
}

/**
 * One import's reads: every listed file goes through exactly one of these methods, once (a second
 * read is a bug and throws), and its record is kept for the final file list.
 */
export class FileSession {
  private readonly records = new Map<string, InspectedFile>();
  private readonly pending = new Set<string>();
  private readonly byPath: ReadonlyMap<string, ListedFile>;

  constructor(
    readonly ctx: ReadContext,
    readonly listing: readonly ListedFile[],
  ) {
    this.byPath = new Map(listing.map((f) => [f.path, f]));
  }

  get location(): string {
    return this.ctx.location;
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  get(path: string): ListedFile | undefined {
    return this.byPath.get(path);
  }

  /** Paths of all listed files. */
  paths(): Set<string> {
    return new Set(this.byPath.keys());
  }

  isRead(path: string): boolean {
    return this.records.has(path);
  }

  async hash(file: ListedFile, onChunk: ((chunk: Buffer, offset: number) => void) | null = null): Promise<InspectedFile> {
    this.claim(file);
    return this.keep(await hashFile(this.ctx, file, onChunk));
  }

  async readSmall(file: ListedFile, limit: number): Promise<Buffer> {
    this.claim(file);
    const { file: rec, bytes } = await readSmallFile(this.ctx, file, limit);
    this.keep(rec);
    return bytes;
  }

  /** Reads a JSON object document of at most `limit` bytes (large ones are parsed in the sandbox). */
  async readJson(file: ListedFile, limit: number, name = file.path): Promise<Record<string, unknown>> {
    return parseJsonDocument(await this.readSmall(file, limit), name, this.ctx);
  }

  /** Reads a JSON object document and returns only the kind of each top-level member (see jsonObjectKinds). */
  async readJsonKinds(file: ListedFile, limit: number): Promise<Record<string, string>> {
    return jsonObjectKinds(await this.readSmall(file, limit), file.path, this.ctx);
  }

  async readSafetensors(file: ListedFile, onHeader?: (header: SafetensorsHeader) => void): Promise<SafetensorsInfo> {
    this.claim(file);
    const { file: rec, info } = await readSafetensorsFile(this.ctx, file, onHeader);
    this.keep(rec);
    return info;
  }

  /** Reads every file not read yet (except `later`): .safetensors are validated, everything else hashed. */
  async readRest(later: Iterable<string> = []): Promise<void> {
    const skip = new Set(later);
    for (const f of this.listing) {
      if (this.records.has(f.path) || skip.has(f.path)) continue;
      if (f.path.endsWith('.safetensors')) await this.readSafetensors(f);
      else await this.hash(f);
    }
  }

  /** Records in listing order; every file must have been read. */
  files(): InspectedFile[] {
    return this.listing.map((f) => {
      const r = this.records.get(f.path);
      if (!r) throw new Error(`internal: ${f.path} was never read`);
      return r;
    });
  }

  private claim(file: ListedFile): void {
    if (this.records.has(file.path) || this.pending.has(file.path)) throw new Error(`internal: ${file.path} read twice`);
    this.pending.add(file.path);
  }

  private keep(rec: InspectedFile): InspectedFile {
    this.pending.delete(rec.path);
    this.records.set(rec.path, rec);
    return rec;
  }
}
