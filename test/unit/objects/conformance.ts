// Behaviour every ObjectStore backend must share; registered once per backend.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ObjectInfo, ObjectStore } from '../../../src/objects/object-store.js';
import { ObjectStoreError } from '../../../src/objects/object-store-error.js';
import { asApiError } from '../../../src/domain/errors/from-object-store.js';

export interface StoreFixture {
  store: ObjectStore;
  /** Stops servers, closes the store, removes temp dirs. */
  teardown(): Promise<void>;
}

export interface ConformanceOptions {
  /**
   * Whether the backend lists in true UTF-8 byte order even when a key is a prefix of a
   * sibling followed by a byte below '/' ('a/b-c' < 'a/b/x'). S3 does; s3rver walks its
   * data directory instead and gets such keys wrong.
   */
  strictKeyOrder: boolean;
}

// ---- helpers shared with the backend-specific tests ----

export async function collect(it: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of it) out.push(o);
  return out;
}

export const keysOf = async (store: ObjectStore, bucket: string, prefix = '') =>
  (await collect(store.list(bucket, prefix))).map((o) => o.key);

export async function readText(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

/** Asserts that a promise rejects with the store's own error, answered over the API with the given wire code. */
export async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ObjectStoreError, `expected an ObjectStoreError, got ${String(e)}`);
    const err = asApiError(e);
    assert.equal(err?.code, code, `expected ${code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** A body that sends `first`, then waits until `finish()` sends `rest` (or `fail()` errors). */
export function heldBody(first: string) {
  const body = new PassThrough();
  body.write(first);
  return {
    body,
    finish: (rest: string) => body.end(rest),
    fail: () => body.destroy(new Error('client went away')),
  };
}

/** `size` bytes of random data generated on the fly, with digests computed as it flows. */
export function generatedBody(size: number, tailFrom: number) {
  const whole = createHash('sha256');
  const tail = createHash('sha256');
  let sent = 0;
  async function* gen() {
    while (sent < size) {
      const chunk = randomBytes(Math.min(256 * 1024, size - sent));
      whole.update(chunk);
      if (sent + chunk.length > tailFrom) tail.update(chunk.subarray(Math.max(0, tailFrom - sent)));
      sent += chunk.length;
      yield chunk;
    }
  }
  return {
    body: Readable.from(gen(), { objectMode: false }),
    digests: () => ({ whole: whole.digest('hex'), tail: tail.digest('hex') }),
    generated: () => sent,
  };
}

export async function sha256Of(body: Readable): Promise<{ hex: string; bytes: number; maxChunk: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  let maxChunk = 0;
  for await (const c of body) {
    const b = c as Buffer;
    h.update(b);
    bytes += b.length;
    maxChunk = Math.max(maxChunk, b.length);
  }
  return { hex: h.digest('hex'), bytes, maxChunk };
}

const utf8Order = (keys: string[]) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

// ---- the suite ----

export function registerConformanceTests(label: string, setup: () => Promise<StoreFixture>, opts: ConformanceOptions): void {
  // A generous cap so a hang fails the suite instead of stalling the runner.
  describe(`ObjectStore conformance: ${label}`, { timeout: 180_000 }, () => {
    let fixture: StoreFixture | undefined;
    let store: ObjectStore;
    let n = 0;
    const run = randomBytes(3).toString('hex');
    const newBucket = async () => {
      const bucket = `conf-${run}-${++n}`;
      await store.createBucket(bucket);
      return bucket;
    };
    const put = (bucket: string, key: string, text: string) => store.write(bucket, key, Buffer.from(text));

    before(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    after(async () => {
      await fixture?.teardown();
    });

    it('creates buckets idempotently and reports whether they exist', async () => {
      const bucket = `conf-${run}-fresh`;
      assert.equal(await store.bucketExists(bucket), false);
      await store.createBucket(bucket);
      assert.equal(await store.bucketExists(bucket), true);
      await store.createBucket(bucket); // second create is a no-op
      assert.equal(await store.bucketExists(bucket), true);
    });

    it('rejects invalid bucket names before touching storage', async () => {
      for (const name of ['..', '../etc', 'UPPER', 'a', 'has_underscore', 'a..b', '192.168.0.1', '-dash']) {
        await rejectsWith(store.bucketExists(name), 'InvalidParameter', /bucket name/);
      }
      await rejectsWith(store.createBucket('../escape'), 'InvalidParameter');
    });

    it('writes, stats and reads an object', async () => {
      const bucket = await newBucket();
      const written = await put(bucket, 'dir/hello.txt', 'hello world');
      assert.equal(written.key, 'dir/hello.txt');
      assert.equal(written.size, 11);
      const info = await store.stat(bucket, 'dir/hello.txt');
      assert.ok(info);
      assert.equal(info.key, 'dir/hello.txt');
      assert.equal(info.size, 11);
      assert.equal(typeof info.etag, 'string');
      assert.equal(info.etag, written.etag);
      assert.ok(info.lastModified instanceof Date);
      assert.equal(await readText(await store.read(bucket, 'dir/hello.txt')), 'hello world');
      // empty objects are objects too
      await put(bucket, 'empty', '');
      assert.equal((await store.stat(bucket, 'empty'))?.size, 0);
      assert.equal(await readText(await store.read(bucket, 'empty')), '');
    });

    it('returns null for a missing key and rejects reading it', async () => {
      const bucket = await newBucket();
      assert.equal(await store.stat(bucket, 'nope.bin'), null);
      assert.equal(await store.stat(bucket, 'no/such/dir/file'), null);
      await rejectsWith(store.read(bucket, 'nope.bin'), 'ResourceNotFound', /nope\.bin/);
    });

    it('reports BucketNotFound for every operation on a missing bucket', async () => {
      const missing = `conf-${run}-missing`;
      await rejectsWith(store.stat(missing, 'k'), 'BucketNotFound', new RegExp(missing));
      await rejectsWith(store.read(missing, 'k'), 'BucketNotFound');
      await rejectsWith(store.write(missing, 'k', Buffer.from('x')), 'BucketNotFound');
      // A big streamed body: the store must fail without reading it all, and release it.
      // (S3 multipart buffers up to queueSize × partSize = 32 MiB before its first request.)
      const big = generatedBody(256 * 1024 * 1024, 0);
      await rejectsWith(store.write(missing, 'k', big.body, 256 * 1024 * 1024), 'BucketNotFound');
      assert.equal(big.body.destroyed, true, 'a failed write must release the body stream');
      assert.ok(big.generated() < 64 * 1024 * 1024, `read ${big.generated()} bytes of a body it could not store`);
      await rejectsWith(store.delete(missing, 'k'), 'BucketNotFound');
      await rejectsWith(keysOf(store, missing), 'BucketNotFound');
    });

    it('lists recursively, sorted by key in UTF-8 byte order', async () => {
      const bucket = await newBucket();
      const keys = ['z.txt', 'b', 'a/bc/x', 'a/b/x', 'a/b/c/d.txt', 'a/1.bin', 'A/upper.bin', '模型/权重.safetensors', 'é/ü.bin'];
      for (const k of keys) await put(bucket, k, `content of ${k}`);
      const listed = await collect(store.list(bucket, ''));
      const expected = ['A/upper.bin', 'a/1.bin', 'a/b/c/d.txt', 'a/b/x', 'a/bc/x', 'b', 'z.txt', 'é/ü.bin', '模型/权重.safetensors'];
      assert.deepEqual(expected, utf8Order(keys)); // the literal above is the byte order
      assert.deepEqual(listed.map((o) => o.key), expected);
      for (const o of listed) assert.equal(o.size, Buffer.byteLength(`content of ${o.key}`));
      assert.equal(await readText(await store.read(bucket, '模型/权重.safetensors')), 'content of 模型/权重.safetensors');
    });

    it('treats a prefix as a directory', async () => {
      const bucket = await newBucket();
      for (const k of ['a/b/x', 'a/b/c/d.txt', 'a/bc/x', 'a/b.txt', 'ab/x']) await put(bucket, k, k);
      assert.deepEqual(await keysOf(store, bucket, 'a/b'), ['a/b/c/d.txt', 'a/b/x']); // not a/bc/x, not a/b.txt
      assert.deepEqual(await keysOf(store, bucket, 'a/b/'), ['a/b/c/d.txt', 'a/b/x']);
      assert.deepEqual(await keysOf(store, bucket, 'a//b'), ['a/b/c/d.txt', 'a/b/x']);
      assert.deepEqual(await keysOf(store, bucket, 'a/b/c'), ['a/b/c/d.txt']);
      assert.equal((await keysOf(store, bucket, 'a')).length, 4); // not ab/x
      assert.deepEqual(await keysOf(store, bucket, 'a/b.txt'), []); // an object is not a directory
      assert.deepEqual(await keysOf(store, bucket, 'nothing/here'), []);
      await rejectsWith(keysOf(store, bucket, 'a/../..'), 'InvalidParameter');
      await rejectsWith(keysOf(store, bucket, '/a'), 'InvalidParameter');
    });

    it('orders keys across "/" boundaries exactly like S3', async (t) => {
      if (!opts.strictKeyOrder) return t.skip('backend lists in directory-walk order (s3rver)');
      const bucket = await newBucket();
      const keys = ['a/b/x', 'a/b.txt', 'a/b-c', 'w-1', 'w', 'w0'];
      for (const k of keys) await put(bucket, k, k);
      assert.deepEqual(await keysOf(store, bucket), ['a/b-c', 'a/b.txt', 'a/b/x', 'w', 'w-1', 'w0']);
    });

    it('reads inclusive byte ranges', async () => {
      const bucket = await newBucket();
      await put(bucket, 'digits', '0123456789');
      const range = async (start: number, end: number) => readText(await store.read(bucket, 'digits', { start, end }));
      assert.equal(await range(0, 0), '0');
      assert.equal(await range(2, 5), '2345');
      assert.equal(await range(9, 9), '9');
      assert.equal(await range(7, 100), '789'); // end past the object is clamped, as in HTTP
      assert.equal(await range(0, 9), '0123456789');
      await rejectsWith(range(10, 12), 'InvalidParameter', /beyond the end/);
      await rejectsWith(range(5, 4), 'InvalidParameter');
      await rejectsWith(range(-1, 4), 'InvalidParameter');
      await rejectsWith(range(0.5, 4), 'InvalidParameter');
    });

    it('streams a 50 MB object through write and read intact', async () => {
      const bucket = await newBucket();
      const size = 50 * 1024 * 1024;
      const tailFrom = size - 3 * 1024 * 1024 - 7;
      const src = generatedBody(size, tailFrom);
      const written = await store.write(bucket, 'big/model.safetensors', src.body, size);
      const { whole, tail } = src.digests();
      assert.equal(written.size, size);
      assert.equal((await store.stat(bucket, 'big/model.safetensors'))?.size, size);
      const full = await sha256Of(await store.read(bucket, 'big/model.safetensors'));
      assert.equal(full.bytes, size);
      assert.equal(full.hex, whole);
      assert.ok(full.maxChunk <= 8 * 1024 * 1024, `read delivered a ${full.maxChunk}-byte chunk`);
      const ranged = await sha256Of(await store.read(bucket, 'big/model.safetensors', { start: tailFrom, end: size - 1 }));
      assert.equal(ranged.bytes, size - tailFrom);
      assert.equal(ranged.hex, tail);
    });

    it('never exposes an object while it is being written', async () => {
      const bucket = await newBucket();
      await put(bucket, 'm/weights.bin', 'old version');
      const held = heldBody('new version, part 1; ');
      const writing = store.write(bucket, 'm/weights.bin', held.body);
      const fresh = heldBody('brand new');
      const writingFresh = store.write(bucket, 'm/fresh.bin', fresh.body);
      await sleep(150); // let the stores consume the first chunks
      assert.equal(await readText(await store.read(bucket, 'm/weights.bin')), 'old version');
      assert.equal((await store.stat(bucket, 'm/weights.bin'))?.size, 11);
      assert.equal(await store.stat(bucket, 'm/fresh.bin'), null);
      assert.deepEqual(await keysOf(store, bucket), ['m/weights.bin']); // no temp or partial objects
      held.finish('part 2');
      fresh.finish('');
      await Promise.all([writing, writingFresh]);
      assert.equal(await readText(await store.read(bucket, 'm/weights.bin')), 'new version, part 1; part 2');
      assert.deepEqual(await keysOf(store, bucket), ['m/fresh.bin', 'm/weights.bin']);
    });

    it('leaves nothing behind when the body fails mid-write', async () => {
      const bucket = await newBucket();
      await put(bucket, 'kept', 'previous');
      for (const key of ['kept', 'new/file']) {
        const held = heldBody('x'.repeat(64 * 1024));
        const writing = store.write(bucket, key, held.body);
        await sleep(50);
        held.fail();
        await assert.rejects(writing, /client went away/);
      }
      // The body may also fail before the store has started reading it.
      const early = heldBody('x');
      const writing = store.write(bucket, 'early', early.body);
      early.fail();
      await assert.rejects(writing, /client went away/);
      assert.equal(await readText(await store.read(bucket, 'kept')), 'previous');
      assert.equal(await store.stat(bucket, 'new/file'), null);
      assert.deepEqual(await keysOf(store, bucket), ['kept']);
    });

    it('rejects a body whose length differs from the declared size', async () => {
      const bucket = await newBucket();
      await rejectsWith(store.write(bucket, 'buf', Buffer.from('abc'), 5), 'InvalidParameter', /declared size is 5/);
      await rejectsWith(store.write(bucket, 'short', Readable.from([Buffer.from('abc')]), 5), 'InvalidParameter', /3 bytes/);
      await rejectsWith(store.write(bucket, 'long', Readable.from([Buffer.from('abcdefg')]), 5), 'InvalidParameter', /more than 5/);
      assert.deepEqual(await keysOf(store, bucket), []);
      assert.equal((await store.write(bucket, 'exact', Readable.from([Buffer.from('abcde')]), 5)).size, 5);
    });

    it('deletes objects idempotently', async () => {
      const bucket = await newBucket();
      for (const k of ['a/b/x', 'a/y', 'z']) await put(bucket, k, k);
      await store.delete(bucket, 'a/b/x');
      assert.equal(await store.stat(bucket, 'a/b/x'), null);
      assert.deepEqual(await keysOf(store, bucket), ['a/y', 'z']);
      assert.deepEqual(await keysOf(store, bucket, 'a/b'), []);
      await store.delete(bucket, 'a/b/x'); // already gone
      await store.delete(bucket, 'never/existed');
      await store.delete(bucket, 'a'); // a "directory", not an object: no-op
      assert.deepEqual(await keysOf(store, bucket), ['a/y', 'z']);
      await put(bucket, 'a/b/x', 'again');
      assert.equal(await readText(await store.read(bucket, 'a/b/x')), 'again');
    });

    it('rejects keys that are not canonical relative paths', async () => {
      const bucket = await newBucket();
      const bad = ['../x', 'a/../../x', '/etc/passwd', 'a\\b', '', ' ', 'a//b', 'a/', './a', 'a/./b', 'nul\0byte', 'C:\\x'];
      for (const key of bad) {
        await rejectsWith(store.stat(bucket, key), 'InvalidParameter', /object key/);
        await rejectsWith(store.read(bucket, key), 'InvalidParameter');
        await rejectsWith(store.write(bucket, key, Buffer.from('x')), 'InvalidParameter');
        await rejectsWith(store.delete(bucket, key), 'InvalidParameter');
      }
      assert.deepEqual(await keysOf(store, bucket), []);
    });
  });
}
