// Imports of genuine (tiny) models from the local object store, end to end through the real SDK:
// CreateCustomModel returns at once with the version Creating, the worker imports it, and
// DescribeModel shows what the import recorded. The registry's own copy must hold exactly the
// recorded files, byte for byte.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, safetensorsImport, transformersImport, vllmImport } from '../../helpers/api.js';
import { TINY_PARAMETER_COUNT, writeDiffusersPipeline, writeSdCheckpoint, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, describeFiles, FAST, importAndSettle, registryRoot, settle, storedFiles } from './pipeline-helpers.js';

const BUCKET = 'team-models';

describe('import from the local object store', () => {
  let server: TestServer;
  let setId: string;
  const body = (make: typeof transformersImport, objectPath: string, meta: Record<string, unknown> = {}) =>
    make(setId, { bucket: BUCKET, objectPath, ...meta });

  /** The version's registry copy must be exactly the recorded files with the recorded bytes. */
  async function assertRegistryCopy(d: any): Promise<void> {
    assert.equal(d.storage.kind, 'local');
    assert.deepEqual(await storedFiles(server.dataDir, d), d.files, 'registry blobs = recorded files');
  }

  before(async () => {
    server = await startServer(FAST);
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => server.close());

  it('creates the version Creating at once, then makes it Ready with what the files say (single safetensors)', async () => {
    const built = await writeTinyCausalLM(bucketPath(server, BUCKET, 'llama/single'));
    const created = await call(server, server.key, 'CreateCustomModel', body(transformersImport, 'llama/single'));
    assert.equal(created.modelSetId, setId);
    const first = await call(server, server.key, 'DescribeModel', { modelId: created.modelId });
    assert.ok(['Creating', 'Ready'].includes(first.status), first.status);

    const d = await settle(server, server.key, created.modelId);
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.failureReason, undefined);
    assert.deepEqual(d.sourceInfo, { sourceType: 'Import', importModelVersionBosUrl: `bos://${BUCKET}/llama/single` });
    assert.equal(d.modelFormat, 'HuggingFace.Transformers');
    assert.equal(d.transformerVersion, '4.36.2');
    assert.equal(d.architecture, 'LlamaForCausalLM');
    assert.equal(d.modelType, 'llama');
    assert.equal(d.parameterCount, TINY_PARAMETER_COUNT);
    assert.equal(d.dtype, 'BF16');
    assert.equal(d.contextLength, 4096);
    const t = d.tokenLimitations.trivial;
    assert.equal(t.inputTokens + t.outputTokens, 4096);
    assert.ok(t.characterLimit > 0);
    assert.equal(d.isSupportDeploy, true);
    assert.equal(typeof d.isSupportModelComp, 'boolean');
    assert.equal(typeof d.isSupportEvaluation, 'boolean');
    assert.ok(Array.isArray(d.modelCompConfigs));
    // Every file, with its size and sha256 as sha256sum would print it.
    const onDisk = await describeFiles(built.dir);
    assert.deepEqual(d.files, onDisk);
    assert.deepEqual(d.files.map((f: any) => f.path), built.files);
    assert.equal(d.totalBytes, onDisk.reduce((n, f) => n + f.size, 0));
    assert.deepEqual(d.warnings, []);
    await assertRegistryCopy(d);
  });

  it('imports a sharded model (index + 3 shards), counting every tensor once', async () => {
    const built = await writeTinyCausalLM(bucketPath(server, BUCKET, 'llama/sharded'), { shards: 3, dtype: 'F16' });
    const d = await importAndSettle(server, server.key, body(transformersImport, 'llama/sharded'));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.parameterCount, TINY_PARAMETER_COUNT);
    assert.equal(d.dtype, 'F16');
    assert.deepEqual(d.files.map((f: any) => f.path), built.files);
    assert.ok(built.files.includes('model.safetensors.index.json') && built.weightFiles.length === 3);
    await assertRegistryCopy(d);
  });

  it('records and copies every file under the path: empty files, sub-directories, unknown extras', async () => {
    const built = await writeTinyCausalLM(bucketPath(server, BUCKET, 'llama/extras'), {
      extraFiles: { '.gitattributes': '', 'README.md': '# tiny', 'original/params.json': '{"dim": 16}', 'deep/er/notes.txt': 'x'.repeat(100_000) },
    });
    const d = await importAndSettle(server, server.key, body(transformersImport, 'llama/extras'));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.deepEqual(d.files.map((f: any) => f.path), built.files);
    assert.deepEqual(d.files.find((f: any) => f.path === '.gitattributes'), {
      path: '.gitattributes',
      size: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    await assertRegistryCopy(d);
  });

  it('imports for vLLM 0.6.3 (LlamaForCausalLM is supported there)', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'llama/vllm'), { shards: 2 });
    const d = await importAndSettle(server, server.key, body(vllmImport, 'llama/vllm', { vLLMVersion: '0.6.3' }));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.modelFormat, 'HuggingFace.vLLM');
    assert.equal(d.vLLMVersion, '0.6.3');
    assert.equal(d.architecture, 'LlamaForCausalLM');
    await assertRegistryCopy(d);
  });

  it('imports a completion model (no chat template needed, none recorded)', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'llama/completion'), { chatTemplate: null });
    const d = await importAndSettle(server, server.key, body(transformersImport, 'llama/completion', { modelApplicationType: 'completion' }));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.modelApplicationType, 'completion');
    assert.equal(d.chatTemplate, undefined);
    assert.deepEqual(d.warnings, []);
  });

  it('imports a diffusers text-to-image pipeline directory', async () => {
    const built = await writeDiffusersPipeline(bucketPath(server, BUCKET, 'sd/pipeline'));
    const d = await importAndSettle(server, server.key, body(safetensorsImport, 'sd/pipeline'));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.modelApplicationType, 'Text-to-Image');
    assert.equal(d.architecture, 'StableDiffusionPipeline');
    assert.equal(d.modelType, 'diffusers');
    assert.equal(d.family, 'v1');
    assert.equal(d.parameterCount, built.parameterCount);
    assert.deepEqual(d.files.map((f: any) => f.path), built.files);
    await assertRegistryCopy(d);
  });

  it('imports a single-file checkpoint, by its directory or by the object itself', async () => {
    const params = await writeSdCheckpoint(bucketPath(server, BUCKET, 'sd/xl/sd_xl_base.safetensors'), 'xl_base');
    const byDir = await importAndSettle(server, server.key, body(safetensorsImport, 'sd/xl'));
    assert.equal(byDir.status, 'Ready', byDir.failureReason);
    assert.equal(byDir.family, 'xl_base');
    assert.equal(byDir.architecture, 'StableDiffusionXLPipeline');
    assert.equal(byDir.parameterCount, params);
    await assertRegistryCopy(byDir);

    const byObject = await importAndSettle(server, server.key, body(safetensorsImport, 'sd/xl/sd_xl_base.safetensors'));
    assert.equal(byObject.status, 'Ready', byObject.failureReason);
    assert.equal(byObject.sourceInfo.importModelVersionBosUrl, `bos://${BUCKET}/sd/xl/sd_xl_base.safetensors`);
    assert.deepEqual(byObject.files, byDir.files);
    await assertRegistryCopy(byObject);
  });

  it('lists every version of the set Ready in DescribeModelSet (none left Creating)', async () => {
    const set = await call(server, server.key, 'DescribeModelSet', { modelSetId: setId });
    assert.ok(set.modelVersionList.length >= 8);
    for (const v of set.modelVersionList) assert.equal(v.status, 'Ready', `${v.modelName}: ${v.failureReason}`);
  });
});
