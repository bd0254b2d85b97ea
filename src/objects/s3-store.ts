// Object store on an S3-compatible service (AWS S3, Baidu BOS, MinIO, …).
// S3 itself makes PutObject and CompleteMultipartUpload atomic, so writes need no temp keys.
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type BucketLocationConstraint,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectStoreError, STORE_ERRORS } from './object-store-error.js';
import {
  checkRange,
  directoryPrefix,
  isValidObjectKey,
  rangeBeyondEnd,
  validateBucketName,
  validateObjectKey,
} from './object-path.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';
import { withStallTimeout } from './stall-guard.js';

export interface S3StoreOptions {
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  /** Give up opening a connection after this long. Default 10 s. */
  connectTimeoutMs?: number;
  /** Fail a request whose socket has been idle this long (a hung server). Default 120 s. */
  idleTimeoutMs?: number;
  /** Keys per ListObjectsV2 page; default 1000 (the S3 maximum). */
  listPageSize?: number;
  /** A read whose body delivers nothing for this long (while wanted) fails; 0 or unset: only idleTimeoutMs applies. */
  stallTimeoutMs?: number;
}

const MiB = 1024 * 1024;
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE',
  'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}
const sdkError = (e: unknown): SdkError => (typeof e === 'object' && e !== null ? (e as SdkError) : {});
const statusOf = (e: unknown) => sdkError(e).$metadata?.httpStatusCode;
const isNotFound = (e: unknown) => ['NotFound', 'NoSuchKey', 'NoSuchBucket'].includes(sdkError(e).name ?? '') || statusOf(e) === 404;
const unquote = (etag?: string) => etag?.replace(/^"|"$/g, '');

export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly where: string;
  private readonly region: string;
  private readonly pageSize: number;
  private readonly stallTimeoutMs: number;
  private readonly options: S3StoreOptions;

  constructor(options: S3StoreOptions) {
    const { endpoint, region, accessKeyId, secretAccessKey, forcePathStyle } = options;
    if (!accessKeyId !== !secretAccessKey) {
      throw new Error('S3 object store: set both accessKeyId and secretAccessKey, or neither (to use the AWS default credential chain)');
    }
    const config: S3ClientConfig = {
      region,
      endpoint,
      forcePathStyle,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
      // Options for the SDK's own NodeHttpHandler (no direct dependency on @smithy packages).
      // No total request timeout: a multi-GB download may legitimately take hours.
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? 10_000,
        socketTimeout: options.idleTimeoutMs ?? 120_000,
      },
      // The SDK's default CRC trailers (aws-chunked uploads) are not understood by many
      // S3-compatible services; checksums are only sent where an API requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    this.client = new S3Client(config);
    this.where = endpoint ?? `AWS S3 (${region})`;
    this.region = region;
    this.pageSize = options.listPageSize ?? 1000;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 0;
    this.options = options;
  }

  /** CopyObject then delete (server-side: the bytes do not pass through this process up to 5 GiB). */
  async move(bucket: string, from: string, to: string): Promise<void> {
    validateBucketName(bucket, 'bucket name');
    validateObjectKey(from);
    validateObjectKey(to);
    const st = await this.stat(bucket, from);
    if (!st) throw STORE_ERRORS.objectNotFound(bucket, from);
    if (st.size <= 5 * 1024 * MiB) {
      const source = `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
      await this.client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: source })).catch((e: unknown) => this.fail(e, 'CopyObject', bucket, to));
    } else {
      // CopyObject stops at 5 GiB: stream it through (bounded memory, like any upload).
      await this.write(bucket, to, await this.read(bucket, from), st.size);
    }
    await this.delete(bucket, from);
  }

  /** A SigV4 query-presigned GET (AWS's own presigner); null without static credentials. */
  async presignGet(bucket: string, key: string, opts: { expiresSeconds: number; fileName?: string }): Promise<string | null> {
    if (!this.options.accessKeyId || !this.options.secretAccessKey) return null;
    validateBucketName(bucket, 'bucket name');
    validateObjectKey(key);
    const get = new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(opts.fileName ? { ResponseContentDisposition: `attachment; filename="${opts.fileName.replace(/["\\]/g, '_')}"` } : {}),
    });
    // S3 accepts at most 7 days.
    return getSignedUrl(this.client, get, { expiresIn: Math.min(604800, Math.max(1, Math.floor(opts.expiresSeconds))) });
  }

  async bucketExists(bucket: string): Promise<boolean> {
    validateBucketName(bucket, 'bucket name');
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      return this.fail(e, 'HeadBucket', bucket);
    }
  }

  async createBucket(bucket: string): Promise<void> {
    validateBucketName(bucket, 'bucket name');
    const location = this.region === 'us-east-1' ? undefined : { LocationConstraint: this.region as BucketLocationConstraint };
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location }));
    } catch (e) {
      const name = sdkError(e).name;
      if (name === 'BucketAlreadyOwnedByYou') return;
      if (name === 'BucketAlreadyExists') {
        if (await this.bucketExists(bucket).catch(() => false)) return;
        throw new ObjectStoreError('Conflict', `bucket name "${bucket}" is already taken on ${this.where}`);
      }
      this.fail(e, 'CreateBucket', bucket);
    }
  }

  async *list(bucket: string, prefix: string): AsyncIterable<ObjectInfo> {
    const dirPrefix = directoryPrefix(prefix);
    validateBucketName(bucket, 'bucket name');
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: dirPrefix || undefined, ContinuationToken: token, MaxKeys: this.pageSize }))
        .catch((e: unknown) => this.fail(e, 'ListObjectsV2', bucket));
      for (const o of page.Contents ?? []) {
        // Skips "folder" marker keys ('a/') and keys other tools wrote that this API cannot address.
        if (o.Key === undefined || !isValidObjectKey(o.Key)) continue;
        yield { key: o.Key, size: o.Size ?? 0, etag: unquote(o.ETag), lastModified: o.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async stat(bucket: string, key: string): Promise<ObjectInfo | null> {
    validateBucketName(bucket, 'bucket name');
    validateObjectKey(key);
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { key, size: h.ContentLength ?? 0, etag: unquote(h.ETag), lastModified: h.LastModified };
    } catch (e) {
      if (!isNotFound(e)) return this.fail(e, 'HeadObject', bucket, key);
      // A HEAD 404 has no body to say whether the key or the bucket is missing.
      if (!(await this.bucketExists(bucket))) throw this.bucketNotFound(bucket);
      return null;
    }
  }

  async read(bucket: string, key: string, range?: { start: number; end: number }): Promise<Readable> {
    validateBucketName(bucket, 'bucket name');
    validateObjectKey(key);
    const r = range && checkRange(range, key);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: r && `bytes=${r.start}-${r.end}` }),
      );
      if (!(out.Body instanceof Readable)) throw new Error(`S3 GetObject returned no readable body for "${key}"`);
      const body = withStallTimeout(out.Body, this.stallTimeoutMs, `"${key}" in bucket "${bucket}" at ${this.where}`);
      return r ? this.checkRangeReply(body, out.ContentRange, r, key) : body;
    } catch (e) {
      if (sdkError(e).name === 'InvalidRange' || statusOf(e) === 416) throw rangeBeyondEnd(key, r?.start ?? 0);
      return this.fail(e, 'GetObject', bucket, key);
    }
  }

  /** On failure the body stream is destroyed, so an upload feeding it never hangs. */
  async write(bucket: string, key: string, body: Readable | Buffer, size?: number): Promise<ObjectInfo> {
    try {
      return await this.upload(bucket, key, body, size);
    } catch (e) {
      if (!Buffer.isBuffer(body)) body.destroy();
      throw e;
    }
  }

  private async upload(bucket: string, key: string, body: Readable | Buffer, size?: number): Promise<ObjectInfo> {
    validateBucketName(bucket, 'bucket name');
    validateObjectKey(key);
    const metered = meter(body, key, size);
    // S3 allows 10,000 parts: grow parts for big known sizes. Unknown sizes get 8 MiB parts
    // (objects up to ~80 GB). Memory use is about partSize × queueSize per upload.
    const partSize = Math.max(8 * MiB, Math.ceil((size ?? 0) / 9_000));
    const upload = new Upload({ client: this.client, params: { Bucket: bucket, Key: key, Body: metered.body }, partSize, queueSize: 4 });
    let etag: string | undefined;
    try {
      etag = unquote((await upload.done()).ETag);
    } catch (e) {
      // Report why the body failed (size mismatch, client gone) rather than the abort that followed.
      const cause = metered.error() ?? e;
      await metered.stop();
      if (cause !== e) throw cause;
      return this.fail(e, 'Upload', bucket, key);
    }
    await metered.stop();
    return (await this.stat(bucket, key).catch(() => null)) ?? { key, size: metered.bytes(), etag };
  }

  async delete(bucket: string, key: string): Promise<void> {
    validateBucketName(bucket, 'bucket name');
    validateObjectKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch((e: unknown) => this.fail(e, 'DeleteObject', bucket, key));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /**
   * Never hand out bytes from the wrong offset: some S3-compatible servers ignore a Range or
   * return more than asked (s3rver answers "bytes=0-0" with the whole object).
   */
  private checkRangeReply(body: Readable, contentRange: string | undefined, r: { start: number; end: number }, key: string): Readable {
    const m = /^bytes (\d+)-(\d+)\//.exec(contentRange ?? '');
    if (!m || Number(m[1]) !== r.start) {
      body.destroy();
      throw new Error(`${this.where} did not honour Range bytes=${r.start}-${r.end} for "${key}" (Content-Range: ${contentRange ?? 'none'})`);
    }
    const wanted = r.end - r.start + 1;
    return Number(m[2]) - r.start + 1 > wanted ? take(body, wanted) : body;
  }

  private bucketNotFound(bucket: string): ObjectStoreError {
    return new ObjectStoreError('BucketNotFound', `bucket "${bucket}" does not exist on ${this.where}`);
  }

  /** Turns an SDK failure into an ObjectStoreError a user can act on, or a plain Error (a 500) otherwise. */
  private fail(e: unknown, op: string, bucket: string, key?: string): never {
    if (e instanceof ObjectStoreError) throw e;
    const { name = 'Error', code, message = String(e) } = sdkError(e);
    const status = statusOf(e);
    const what = key === undefined ? `bucket "${bucket}"` : `"${key}" in bucket "${bucket}"`;
    if (name === 'NoSuchBucket') throw this.bucketNotFound(bucket);
    if (name === 'NoSuchKey' || (status === 404 && key !== undefined)) {
      throw STORE_ERRORS.objectNotFound(bucket, key!);
    }
    if (status === 403 || ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(name)) {
      throw new ObjectStoreError('AccessDenied', `${this.where} refused ${op} on ${what} (${name}); check the registry's storage credentials and the bucket's permissions`);
    }
    if (name === 'TimeoutError' || NETWORK_CODES.has(code ?? '') || (status !== undefined && status >= 500)) {
      throw new ObjectStoreError('Unavailable', `object storage at ${this.where} is unavailable (${op} on ${what}): ${message}`, { cause: e });
    }
    throw new Error(`S3 ${op} on ${what} at ${this.where} failed: ${name}: ${message}`, { cause: e });
  }
}

/**
 * Passes `body` through a byte counter that errors when the total differs from `size`, so a
 * short or long body fails the upload before S3 completes it. Remembers the first body error.
 */
function meter(body: Readable | Buffer, key: string, size?: number) {
  let bytes = 0;
  let failure: unknown;
  const mismatch = (got: string) => STORE_ERRORS.sizeMismatch(key, size, got);
  if (Buffer.isBuffer(body)) {
    if (size !== undefined && body.byteLength !== size) throw mismatch(String(body.byteLength));
    bytes = body.byteLength;
    return { body, bytes: () => bytes, error: () => undefined, stop: async () => {} };
  }
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.byteLength;
      if (size !== undefined && bytes > size) done((failure ??= mismatch(`more than ${size}`)) as Error);
      else done(null, chunk);
    },
    flush(done) {
      if (size !== undefined && bytes !== size) done((failure ??= mismatch(String(bytes))) as Error);
      else done();
    },
  });
  body.once('error', (e) => (failure ??= e));
  const piping = pipeline(body, counter).catch(() => undefined); // errors are taken from `failure`
  return {
    body: counter,
    bytes: () => bytes,
    error: () => failure,
    /** Tears down the pipe (the body is destroyed if unfinished) and waits for it. */
    stop: async () => {
      counter.destroy();
      await piping;
    },
  };
}


/** The first `n` bytes of `body`; stopping early destroys `body` (and its connection). */
function take(body: Readable, n: number): Readable {
  async function* first() {
    let left = n;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      yield buf.subarray(0, left);
      left -= Math.min(left, buf.byteLength);
      if (left === 0) return;
    }
  }
  return Readable.from(first(), { objectMode: false });
}
