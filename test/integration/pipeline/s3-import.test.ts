// The import pipeline against a real S3-compatible server (s3rver, in-process on 127.0.0.1): the
// users' buckets and the registry's own bucket are S3 buckets. Happy path, corruption, and an S3
// store that goes away in the middle of an import (the version must end, never stay Creating).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3ObjectStore } from '../../../src/objects/s3-store.js';
import { call, sdk, sdkFails, startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { assertError, createSet, transformersImport } from '../../helpers/api.js';
import { TINY_PARAMETER_COUNT, writeLargeModel, writeTinyCausalLM, type TinyLmOptions } from '../../fixtures/model-builder.js';
import { startS3rver } from '../../helpers/s3rver.js';
import { eventually, FAST, importAndSettle, settle, startServerOnS3, uploadDir, type ServerOnS3 } from './pipeline-helpers.js';

const BUCKET = 'team-models';
const REGISTRY_BUCKET = 'modelreg-registry';
const MiB = 1024 * 1024;

/** Builds a tiny model on disk and uploads it to S3. */
async function putTinyModel(store: S3ObjectStore, prefix: string, opts: TinyLmOptions = {}): Promise<void> {
  const dir = tempDir('modelreg-s3-model-');
  try {
    await writeTinyCausalLM(dir, opts);
    await uploadDir(store, BUCKET, prefix, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** { path, size, sha256 } of a version's files as the S3 registry bucket holds them (its blobs). */
async function registryFiles(store: S3ObjectStore, d: { files: { path: string; sha256: string }[]; storage: { scope: string } }) {
  const out = [];
  for (const f of d.files) {
    const key = `blobs/${d.storage.scope}/${f.sha256.slice(0, 2)}/${f.sha256}`;
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of await store.read(REGISTRY_BUCKET, key)) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
    }
    out.push({ path: f.path, size, sha256: h.digest('hex') });
  }
  return out;
}

async function registryKeys(store: S3ObjectStore, prefix: string): Promise<string[]> {
  const keys = [];
  for await (const o of store.list(REGISTRY_BUCKET, prefix)) keys.push(o.key);
  return keys;
}

describe('import from S3 (s3rver)', () => {
  let onS3: ServerOnS3 | undefined;
  let store: S3ObjectStore;
  let server: TestServer;
  let setId: string;

  before(async () => {
    onS3 = await startServerOnS3(BUCKET);
    ({ store, server } = onS3);
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => onS3?.close());

  it('imports a sharded model from an S3 bucket into the S3 registry bucket', async () => {
    await putTinyModel(store, 'llama/sharded', { shards: 3 });
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'llama/sharded' }));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.sourceInfo.importModelVersionBosUrl, `bos://${BUCKET}/llama/sharded`);
    assert.equal(d.parameterCount, TINY_PARAMETER_COUNT);
    assert.equal(d.files.length, 9); // 3 shards, the index, config, generation config, 3 tokenizer files
    assert.deepEqual(d.storage, { kind: 's3', bucket: REGISTRY_BUCKET, layout: 'blobs', scope: d.storage.scope });
    assert.deepEqual(await registryFiles(store, d), d.files);

    // Immutability holds on S3 too: overwrite and delete the source objects.
    await store.write(BUCKET, 'llama/sharded/config.json', Buffer.from('{}'));
    await store.delete(BUCKET, 'llama/sharded/model-00001-of-00003.safetensors');
    assert.deepEqual(await call(server, server.key, 'DescribeModel', { modelId: d.modelId }), d);
    assert.deepEqual(await registryFiles(store, d), d.files);

    assert.equal(await call(server, server.key, 'DeleteModel', { modelId: d.modelId }), true);
    assert.ok((await registryKeys(store, 'blobs')).length > 0);
    await server.app.collector.collect();
    assert.deepEqual(await registryKeys(store, ''), [], 'the collector removed the blobs of the deleted version');
  });

  it('fails a missing shard with its reason, leaving nothing in the registry bucket', async () => {
    await putTinyModel(store, 'bad/missing-shard', { shards: 3, corrupt: { kind: 'drop-shard', shard: 3 } });
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'bad/missing-shard' }));
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, /model-00003-of-00003\.safetensors is missing/);
    const accountPrefixes = await registryKeys(store, '');
    assert.ok(!accountPrefixes.some((k) => k.includes(d.modelId)), 'no copy of the Fail version');
  });

  it('fails a truncated shard with its reason', async () => {
    await putTinyModel(store, 'bad/truncated', { shards: 2, corrupt: { kind: 'truncate', bytes: 64 } });
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'bad/truncated' }));
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, /model-00002-of-00002\.safetensors is truncated/);
  });

  it('refuses a bucket the S3 server does not have (404) and a traversal path (400) at create time', async () => {
    const missing = await sdkFails(sdk(server.url, server.key, '/v2/model', 'CreateCustomModel', transformersImport(setId, { bucket: 'no-such-bucket', objectPath: 'x' })));
    assertError(missing, 404, 'BucketNotFound', /no-such-bucket/);
    const traversal = await sdkFails(sdk(server.url, server.key, '/v2/model', 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: '../x' })));
    assertError(traversal, 400, 'InvalidParameter', /"\.\."/);
  });
});

describe('an S3 store that goes away mid-import', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  /** s3rver + a bucket holding a model big enough that its import takes a while + a server on it. */
  async function setup(retryDelayMs: number) {
    const s3 = await startS3rver();
    cleanups.push(() => s3.destroy());
    const store = new S3ObjectStore(s3.config);
    cleanups.push(() => store.close());
    await store.createBucket(BUCKET);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-s3-big-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    await writeLargeModel(dir, 160 * MiB, { shardBytes: 32 * MiB });
    await uploadDir(store, BUCKET, 'big', dir);
    const dataDir = tempDir();
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ ...FAST, dataDir, importRetryDelayMs: retryDelayMs, s3: s3.config });
    let open = true;
    const close = async () => {
      if (open) await server.close();
      open = false;
    };
    cleanups.push(close);
    const setId = (await createSet(server, server.key)).modelSetId;
    return { s3, store, server, setId, dataDir, close };
  }

  /** Waits until the import's worker has started reading. */
  async function waitRunning(server: TestServer, modelId: string): Promise<void> {
    await eventually('the import job to be running', async () => {
      const job = await server.app.store.db.selectFrom('jobs').selectAll().where('subject_id', '=', modelId).executeTakeFirst();
      return job?.status === 'running';
    });
  }

  it('ends Fail with an actionable reason after the retries when S3 stays down, and cleans up once it is back', async () => {
    const { s3, store, server, setId, dataDir, close } = await setup(100);
    const { modelId } = await call(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'big' }));
    await waitRunning(server, modelId);
    await new Promise((r) => setTimeout(r, 100));
    await s3.stop();

    const d = await settle(server, server.key, modelId, 60_000);
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, new RegExp(`could not import bos://${BUCKET}/big`));
    assert.match(d.failureReason, /gave up after 3 attempts; create the version again when the store is reachable/);
    const job = await server.app.store.db.selectFrom('jobs').selectAll().where('subject_id', '=', modelId).executeTakeFirstOrThrow();
    assert.equal(job.status, 'failed');
    assert.equal(job.attempts, 3);

    // While S3 is down a create is refused with 503, not a 500 or a hang.
    const refused = await sdkFails(sdk(server.url, server.key, '/v2/model', 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'big' })));
    assertError(refused, 503, 'ServiceUnavailable', /object storage at http:\/\/127\.0\.0\.1:\d+ is unavailable/);

    // Copies finished before the outage could not be removed while S3 was down; the next start does it.
    await s3.restart();
    await close();
    const again = await startServer({ ...FAST, dataDir, s3: s3.config });
    cleanups.push(() => again.close());
    await eventually('the Fail version to have no registry copy', async () => (await registryKeys(store, '')).every((k) => !k.includes(modelId)));
    assert.equal((await call(again, server.key, 'DescribeModel', { modelId })).status, 'Fail');
  });

  it('ends Ready when S3 comes back before the retries run out', async () => {
    const { s3, store, server, setId } = await setup(1_000);
    const { modelId } = await call(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'big' }));
    await waitRunning(server, modelId);
    // At once: on a quiet machine the whole import can finish within a few hundred milliseconds.
    await s3.stop();
    await new Promise((r) => setTimeout(r, 300));
    await s3.restart();

    const d = await settle(server, server.key, modelId, 60_000);
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.deepEqual(await registryFiles(store, d), d.files);
    const job = await server.app.store.db.selectFrom('jobs').selectAll().where('subject_id', '=', modelId).executeTakeFirstOrThrow();
    assert.equal(job.status, 'done');
    assert.ok(job.attempts >= 2, 'the outage interrupted the first attempt');
  });
});
