// Content-addressed registry storage (issue 11): identical files are stored once, deleting a version
// removes only its manifest, the collector removes blobs no manifest references, and neither an
// import of the same content running at the same moment nor a second replica's collector can make it
// remove a blob a version relies on. Local store and S3 (s3rver); SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { S3ObjectStore } from '../../../src/objects/s3-store.js';
import { BlobCollector } from '../../../src/jobs/blob-collector.js';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, expectFail, transformersImport } from '../../helpers/api.js';
import { writeLargeModel, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { blobBytes, bucketPath, describeFiles, FAST, importAndSettle, settle, startServerOnS3, storedFiles, uploadDir, type ServerOnS3 } from './pipeline-helpers.js';

const BUCKET = 'team-models';
const sum = (files: { size: number }[]) => files.reduce((n, f) => n + f.size, 0);
const distinctBytes = (files: { size: number; sha256: string }[]) => sum([...new Map(files.map((f) => [f.sha256, f])).values()]);

/** Runs the server's blob collector pass after pass while `during` runs. */
async function collectingDuring<T>(server: TestServer, during: () => Promise<T>): Promise<T> {
  let stop = false;
  const collecting = (async () => {
    // Yielding between passes: SQLite's driver is synchronous, a bare loop would starve the server.
    while (!stop) {
      await server.app.collector.collect();
      await sleep(2);
    }
  })();
  try {
    return await during();
  } finally {
    stop = true;
    await collecting;
  }
}

describe('content-addressed storage on the local store', () => {
  let server: TestServer;
  let setId: string;
  before(async () => {
    server = await startServer(FAST);
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => server.close());

  it('imports the same model twice: the store grows once; deleting one removes nothing; deleting both lets the collector remove the blobs', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'twice'), { shards: 2 });
    const source = await describeFiles(bucketPath(server, BUCKET, 'twice'));
    const v1 = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'twice' }));
    assert.equal(v1.status, 'Ready', v1.failureReason);
    assert.equal(v1.totalBytes, sum(source), 'DescribeModel shows the total size');
    const once = await blobBytes(server.dataDir);
    assert.equal(once, distinctBytes(source));
    const v2 = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'twice' }));
    assert.equal(v2.status, 'Ready', v2.failureReason);
    assert.equal(await blobBytes(server.dataDir), once, 'the second import added no bytes');
    assert.deepEqual(await server.app.services.registryFiles.manifest(v2.modelId), source);

    assert.equal(await call(server, server.key, 'DeleteModel', { modelId: v1.modelId }), true);
    assert.deepEqual(await server.app.services.registryFiles.manifest(v1.modelId), [], 'the manifest went with the version');
    const first = await server.app.collector.collect();
    assert.equal(first.removed, 0);
    assert.equal(await blobBytes(server.dataDir), once);
    assert.deepEqual(await storedFiles(server.dataDir, v2), v2.files);

    assert.equal(await call(server, server.key, 'DeleteModel', { modelId: v2.modelId }), true);
    const second = await server.app.collector.collect();
    assert.equal(second.removedBytes, once);
    assert.equal(await blobBytes(server.dataDir), 0);
  });

  it('streams a blob through RegistryFiles, whole and by range', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'ranged'));
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'ranged' }));
    const f = d.files.find((x: any) => x.path === 'config.json');
    const account = d.storage.scope;
    const read = async (range?: { start: number; end: number }) => {
      const chunks: Buffer[] = [];
      for await (const c of await server.app.services.registryFiles.openBlob(account, f.sha256, range)) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    const whole = await fsp.readFile(path.join(bucketPath(server, BUCKET, 'ranged'), 'config.json'));
    assert.deepEqual(await read(), whole);
    assert.deepEqual(await read({ start: 2, end: 9 }), whole.subarray(2, 10));
    assert.equal(await server.app.services.registryFiles.presignBlob(account, f.sha256, { expiresSeconds: 60, fileName: 'config.json' }), null);
    await assert.rejects(server.app.services.registryFiles.openBlob('acct-someoneelse', f.sha256), /no stored file/);
  });

  it('never removes a blob an import of the same content relies on (delete/import race)', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'race'), { shards: 3 });
    const body = transformersImport(setId, { bucket: BUCKET, objectPath: 'race' });
    const bytesBefore = await blobBytes(server.dataDir); // earlier tests' Ready versions
    for (let round = 0; round < 4; round++) {
      const old = await importAndSettle(server, server.key, body);
      assert.equal(old.status, 'Ready', old.failureReason);
      // The old version goes and its blobs become collectable while the new import claims them.
      const { modelId } = await call(server, server.key, 'CreateCustomModel', body);
      const d = await collectingDuring(server, async () => {
        await call(server, server.key, 'DeleteModel', { modelId: old.modelId });
        return settle(server, server.key, modelId);
      });
      assert.equal(d.status, 'Ready', d.failureReason);
      await server.app.collector.collect();
      assert.deepEqual(await storedFiles(server.dataDir, d), d.files, `round ${round}: every blob of the Ready version is there`);
      await call(server, server.key, 'DeleteModel', { modelId });
    }
    await server.app.collector.collect();
    assert.equal(await blobBytes(server.dataDir), bytesBefore);
  });

  it('lets one collector run at a time when replicas share the database', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'replicas'), { shards: 2, dtype: 'F32' });
    const bytesBefore = await blobBytes(server.dataDir);
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'replicas' }));
    const withIt = await blobBytes(server.dataDir);
    await call(server, server.key, 'DeleteModel', { modelId: d.modelId });
    // A second replica's collector: its own lease owner over the same database and store.
    const other = new BlobCollector(server.app.blobs, server.app.logger, { graceMs: 0, intervalMs: 0, leaseMs: 60_000 });
    const repo = server.app.blobs.repo;
    const now = new Date().toISOString();
    assert.equal(await repo.acquireLease('blob-collector', other.owner, now, new Date(Date.now() + 60_000).toISOString()), true);
    const blocked = await server.app.collector.collect();
    assert.deepEqual(blocked, { ran: false, removed: 0, removedBytes: 0 }, 'the lease holder excludes the other replica');
    assert.equal(await blobBytes(server.dataDir), withIt);
    await repo.releaseLease('blob-collector', other.owner);
    // Both at once: together they remove each blob exactly once, without errors.
    const both = await Promise.all([server.app.collector.collect(), other.collect(), server.app.collector.collect(), other.collect()]);
    assert.equal(both.reduce((n, r) => n + r.removedBytes, 0), withIt - bytesBefore);
    assert.equal(await blobBytes(server.dataDir), bytesBefore);
  });
});

describe('two replicas on one database and one registry', () => {
  it('runs their collectors together without removing a blob twice or one still in use', async () => {
    const a = await startServer(FAST);
    // The second replica: same database, same data dir (registry, master key), its own process state.
    const b = await startServer({ ...FAST, dataDir: a.dataDir, database: a.database });
    try {
      const setId = (await createSet(a, a.key)).modelSetId;
      await writeTinyCausalLM(bucketPath(a, BUCKET, 'shared'), { shards: 2 });
      await writeTinyCausalLM(bucketPath(a, BUCKET, 'gone'), { shards: 3, dtype: 'F32' });
      const keep = await importAndSettle(a, a.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'shared' }));
      const drop = await importAndSettle(b, a.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'gone' }));
      assert.equal(keep.status, 'Ready', keep.failureReason);
      assert.equal(drop.status, 'Ready', drop.failureReason);
      const before = await blobBytes(a.dataDir);
      await call(b, a.key, 'DeleteModel', { modelId: drop.modelId });
      const runs = await Promise.all([a.app.collector.collect(), b.app.collector.collect(), a.app.collector.collect(), b.app.collector.collect()]);
      const removed = runs.reduce((n, r) => n + r.removedBytes, 0);
      assert.equal(await blobBytes(a.dataDir), before - removed);
      assert.ok(removed > 0, 'the deleted version\'s own blobs went');
      assert.deepEqual(await storedFiles(a.dataDir, keep), keep.files, 'the kept version is whole');
      // Files both versions shared (tokenizer, …) stay.
      const shared = drop.files.filter((f: any) => keep.files.some((k: any) => k.sha256 === f.sha256));
      assert.ok(shared.length > 0);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('dedup scope and the stored-bytes quota', () => {
  it('per account by default: two accounts store the same file twice; global scope stores it once', async () => {
    for (const blobScope of ['account', 'global'] as const) {
      const server = await startServer({ ...FAST, blobScope });
      try {
        await writeTinyCausalLM(bucketPath(server, BUCKET, 'shared'));
        const bob = await server.newKey(`bob-${Math.random().toString(36).slice(2, 8)}`);
        const a = await importAndSettle(server, server.key, transformersImport((await createSet(server, server.key)).modelSetId, { bucket: BUCKET, objectPath: 'shared' }));
        const b = await importAndSettle(server, bob, transformersImport((await createSet(server, bob)).modelSetId, { bucket: BUCKET, objectPath: 'shared' }));
        assert.equal(a.status, 'Ready', a.failureReason);
        assert.equal(b.status, 'Ready', b.failureReason);
        const one = distinctBytes(a.files);
        assert.equal(await blobBytes(server.dataDir), blobScope === 'global' ? one : 2 * one, blobScope);
        assert.equal(a.storage.scope === b.storage.scope, blobScope === 'global');
      } finally {
        await server.close();
      }
    }
  });

  it('fails an import that would exceed the quota with a clear reason; re-importing stored content is free', async () => {
    const probe = await startServer(FAST);
    await writeTinyCausalLM(bucketPath(probe, BUCKET, 'm'));
    const size = distinctBytes(await describeFiles(bucketPath(probe, BUCKET, 'm')));
    await probe.close();

    const server = await startServer({ ...FAST, storedBytesQuota: size + 100 });
    try {
      await writeTinyCausalLM(bucketPath(server, BUCKET, 'm'));
      await writeTinyCausalLM(bucketPath(server, BUCKET, 'other'), { dtype: 'F32' });
      const setId = (await createSet(server, server.key)).modelSetId;
      const first = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'm' }));
      assert.equal(first.status, 'Ready', first.failureReason);
      const again = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'm' }));
      assert.equal(again.status, 'Ready', again.failureReason);
      const over = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'other' }));
      assert.equal(over.status, 'Fail');
      assert.match(over.failureReason, /stored-bytes quota would be exceeded: \d+ bytes stored \+ \d+ new bytes > quota \d+ bytes/);
      await expectFail(server, server.key, 'DescribeModel', { modelId: 'amv-doesnotexist' }, 404, 'ModelNotFound');
    } finally {
      await server.close();
    }
  });
});

describe('content-addressed storage on S3 (s3rver)', () => {
  let onS3: ServerOnS3 | undefined;
  let store: S3ObjectStore;
  let server: TestServer;
  const registryBytes = async () => {
    let n = 0;
    for await (const o of store.list('modelreg-registry', 'blobs')) n += o.size;
    return n;
  };
  before(async () => {
    onS3 = await startServerOnS3(BUCKET);
    ({ store, server } = onS3);
  });
  after(() => onS3?.close());

  it('stores a twice-imported model once, keeps it while one version uses it, then collects it', async () => {
    const setId = (await createSet(server, server.key)).modelSetId;
    const dir = bucketPath(server, 'scratch', 's3model');
    await writeTinyCausalLM(dir, { shards: 2 });
    const files = await describeFiles(dir);
    await uploadDir(store, BUCKET, 's3model', dir);
    const body = transformersImport(setId, { bucket: BUCKET, objectPath: 's3model' });
    const v1 = await importAndSettle(server, server.key, body);
    assert.equal(v1.status, 'Ready', v1.failureReason);
    assert.equal(await registryBytes(), distinctBytes(files));
    const v2 = await importAndSettle(server, server.key, body);
    assert.equal(v2.status, 'Ready', v2.failureReason);
    assert.equal(await registryBytes(), distinctBytes(files), 'the second import added no bytes');
    const keys: string[] = [];
    for await (const o of store.list('modelreg-registry', '')) keys.push(o.key);
    assert.ok(keys.every((k) => k.startsWith('blobs/')), `nothing but blobs: ${keys.join(', ')}`);

    // A presigned GET fetches the exact bytes with plain HTTP.
    const f = v1.files.find((x: any) => x.path === 'config.json');
    const url = await server.app.services.registryFiles.presignBlob(v1.storage.scope, f.sha256, { expiresSeconds: 60, fileName: 'config.json' });
    assert.ok(url);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), await fsp.readFile(path.join(dir, 'config.json')));

    // What `modelreg pull` is handed on S3: a presigned GET per file, each giving the exact bytes.
    const listing = await call(server, server.key, 'DescribeModelFiles', { modelId: v1.modelId });
    assert.equal(listing.totalSize, sum(files));
    for (const lf of listing.files) {
      assert.match(lf.downloadUrl, /X-Amz-Signature=/);
      const got = Buffer.from(await (await fetch(lf.downloadUrl)).arrayBuffer());
      assert.deepEqual(got, await fsp.readFile(path.join(dir, lf.path)), lf.path);
    }

    await call(server, server.key, 'DeleteModel', { modelId: v1.modelId });
    await server.app.collector.collect();
    assert.equal(await registryBytes(), distinctBytes(files));
    await call(server, server.key, 'DeleteModel', { modelId: v2.modelId });
    assert.equal((await server.app.collector.collect()).removedBytes, distinctBytes(files));
    assert.equal(await registryBytes(), 0);
  });

  it('survives the delete/import race on S3 too', async () => {
    const setId = (await createSet(server, server.key)).modelSetId;
    const dir = bucketPath(server, 'scratch', 's3race');
    await writeLargeModel(dir, 8 * 1024 * 1024, { shardBytes: 2 * 1024 * 1024 });
    await uploadDir(store, BUCKET, 's3race', dir);
    const body = transformersImport(setId, { bucket: BUCKET, objectPath: 's3race' });
    const old = await importAndSettle(server, server.key, body, 60_000);
    assert.equal(old.status, 'Ready', old.failureReason);
    const { modelId } = await call(server, server.key, 'CreateCustomModel', body);
    const d = await collectingDuring(server, async () => {
      await call(server, server.key, 'DeleteModel', { modelId: old.modelId });
      return settle(server, server.key, modelId, 60_000);
    });
    assert.equal(d.status, 'Ready', d.failureReason);
    await server.app.collector.collect();
    for (const f of d.files) {
      const st = await store.stat('modelreg-registry', `blobs/${d.storage.scope}/${f.sha256.slice(0, 2)}/${f.sha256}`);
      assert.equal(st?.size, f.size, f.path);
    }
  });
});
