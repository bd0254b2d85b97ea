// A Ready version is a copy owned by the registry: overwriting or deleting the files in the user's
// bucket afterwards changes nothing it shows or holds. DeleteModel removes that copy, including the
// copy an import was still writing when its version was deleted.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, expectFail, transformersImport } from '../../helpers/api.js';
import { writeLargeModel, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, describeFiles, eventually, FAST, filesUnder, importAndSettle, registryDirsOf, registryRoot, registryTempFiles, storedFiles } from './pipeline-helpers.js';

const BUCKET = 'team-models';

describe('a Ready version does not change when its bucket does', () => {
  let server: TestServer;
  let setId: string;

  before(async () => {
    server = await startServer(FAST);
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => server.close());

  it('keeps DescribeModel and the registry bytes after the source files are overwritten and deleted', async () => {
    const built = await writeTinyCausalLM(bucketPath(server, BUCKET, 'llama'), { shards: 2 });
    const before = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'llama' }));
    assert.equal(before.status, 'Ready', before.failureReason);
    assert.deepEqual(await storedFiles(server.dataDir, before), before.files);

    // Someone re-uses the path for another model: new weights, a removed file, an added one.
    const shard = path.join(built.dir, built.weightFiles[0] as string);
    const bytes = await fsp.readFile(shard);
    bytes[bytes.length - 1] ^= 0xff;
    await fsp.writeFile(shard, bytes);
    await fsp.rm(path.join(built.dir, 'tokenizer.json'));
    await fsp.writeFile(path.join(built.dir, 'config.json'), '{"architectures": ["Other"], "model_type": "other"}');
    await fsp.writeFile(path.join(built.dir, 'README.md'), 'replaced');

    const afterChange = await call(server, server.key, 'DescribeModel', { modelId: before.modelId });
    assert.deepEqual(afterChange, before);
    assert.deepEqual(await storedFiles(server.dataDir, before), before.files, 'the registry blobs still hash to the recorded sha256');

    // Even the whole source directory going away changes nothing.
    await fsp.rm(built.dir, { recursive: true });
    assert.deepEqual(await call(server, server.key, 'DescribeModel', { modelId: before.modelId }), before);
    assert.deepEqual(await storedFiles(server.dataDir, before), before.files);
  });

  it('imports the new content as a new version, with its own copy', async () => {
    const built = await writeTinyCausalLM(bucketPath(server, BUCKET, 'reused'), { dtype: 'F32' });
    const v1 = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'reused' }));
    await fsp.rm(built.dir, { recursive: true });
    await writeTinyCausalLM(built.dir, { dtype: 'F16' });
    const v2 = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'reused' }));
    assert.equal(v1.dtype, 'F32');
    assert.equal(v2.dtype, 'F16');
    const weights = (d: any) => d.files.filter((f: any) => f.path.endsWith('.safetensors')).map((f: any) => f.sha256);
    assert.notDeepEqual(weights(v1), weights(v2));
    assert.deepEqual(await storedFiles(server.dataDir, v1), v1.files, 'V1 keeps its own blobs');
    assert.deepEqual(await storedFiles(server.dataDir, v2), v2.files);
    assert.equal((await call(server, server.key, 'DescribeModel', { modelId: v1.modelId })).dtype, 'F32');
  });
});

describe('DeleteModel releases the registry copy', () => {
  let server: TestServer;
  let setId: string;

  before(async () => {
    server = await startServer(FAST);
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => server.close());

  it('deleting one of two versions with the same files removes nothing the other uses', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'llama'));
    const keep = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'llama' }));
    const drop = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'llama' }));
    assert.deepEqual(await registryDirsOf(server.dataDir, drop.modelId), [], 'nothing staged once Ready');

    assert.equal(await call(server, server.key, 'DeleteModel', { modelId: drop.modelId }), true);
    await expectFail(server, server.key, 'DescribeModel', { modelId: drop.modelId }, 404, 'ModelNotFound');
    await server.app.collector.collect();
    assert.deepEqual(await storedFiles(server.dataDir, keep), keep.files);
    // The user's bucket is the user's: deleting a version never touches it.
    assert.ok((await filesUnder(bucketPath(server, BUCKET, 'llama'))).includes('config.json'));
  });

  it('deletes a version while it is still importing, leaving no copy and no temp files behind', async () => {
    await writeLargeModel(bucketPath(server, BUCKET, 'big'), 192 * 1024 * 1024, { shardBytes: 64 * 1024 * 1024 });
    const { modelId } = await call(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'big' }));
    // Wait until the copy has started, so the delete races a running import.
    await eventually('the import to start copying', async () => (await registryDirsOf(server.dataDir, modelId)).length > 0 || (await registryTempFiles(server.dataDir)).length > 0, 20_000);
    assert.equal(await call(server, server.key, 'DeleteModel', { modelId }), true);
    await eventually('the copy of the deleted version to be gone', async () => (await registryDirsOf(server.dataDir, modelId)).length === 0 && (await registryTempFiles(server.dataDir)).length === 0, 30_000);
    // And it stays gone once the worker has noticed.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await registryDirsOf(server.dataDir, modelId), []);
    const jobs = await server.app.store.db.selectFrom('jobs').selectAll().where('subject_id', '=', modelId).execute();
    assert.deepEqual(jobs, []);
  });
});
