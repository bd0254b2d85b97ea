// Imports that must not become Ready. Bad requests are refused synchronously by CreateCustomModel
// (400/403/404, no version created); bad files end the version in Fail with a reason a person can
// act on, shown in DescribeModel's failureReason; a Fail version leaves nothing in registry storage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { createSet, expectFail, safetensorsImport, transformersImport, vllmImport } from '../../helpers/api.js';
import { writeDiffusersPipeline, writeTinyCausalLM, type Corruption } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, importAndSettle, registryDirsOf } from './pipeline-helpers.js';

const BUCKET = 'team-models';

/** Runs the import and asserts it ended Fail with a reason matching `reason`, leaving no copy behind. */
async function expectImportFail(server: TestServer, key: Key, body: Record<string, unknown>, reason: RegExp): Promise<any> {
  const d = await importAndSettle(server, key, body);
  assert.equal(d.status, 'Fail', `expected Fail, got ${d.status}`);
  assert.match(d.failureReason ?? '', reason);
  // Nothing half-done is shown as if it were the model.
  for (const k of ['files', 'parameterCount', 'storage', 'chatTemplate']) assert.equal(d[k], undefined, k);
  assert.deepEqual(await registryDirsOf(server.dataDir, d.modelId), [], 'no registry copy of a Fail version');
  return d;
}

describe('imports whose files are wrong end in Fail with the reason', () => {
  let server: TestServer;
  let setId: string;
  const body = (make: typeof transformersImport, objectPath: string, meta: Record<string, unknown> = {}) =>
    make(setId, { bucket: BUCKET, objectPath, ...meta });

  before(async () => {
    server = await startServer(FAST);
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => server.close());

  const corruptions: Array<[string, Corruption, number, RegExp]> = [
    ['a missing shard', { kind: 'drop-shard', shard: 2 }, 3, /model-00002-of-00003\.safetensors is missing.*model\.safetensors\.index\.json/],
    ['a truncated shard', { kind: 'truncate', bytes: 100 }, 2, /model-00002-of-00002\.safetensors is truncated/],
    ['a truncated single file', { kind: 'truncate', bytes: 1 }, 1, /model\.safetensors is truncated/],
    ['a header that is not JSON', { kind: 'header-invalid-json' }, 1, /model\.safetensors has an invalid header.*not valid JSON/],
    ['a header length past the end of the file', { kind: 'header-length-beyond-file' }, 1, /model\.safetensors has an invalid header.*InvalidHeaderLength/],
    ['a header length over 100 MB', { kind: 'header-too-large' }, 1, /model\.safetensors.*HeaderTooLarge/],
    ['overlapping tensor offsets', { kind: 'overlapping-offsets' }, 1, /model\.safetensors has an invalid header.*overlap/],
    ['a gap between tensors', { kind: 'gap-offsets' }, 1, /model\.safetensors.*InvalidOffset/],
    ['an unknown dtype', { kind: 'unknown-dtype' }, 1, /model\.safetensors.*F12/],
    ['a dtype that does not fit the byte range', { kind: 'wrong-dtype-size' }, 1, /model\.safetensors.*TensorInvalidInfo/],
    ['trailing bytes after the tensors', { kind: 'trailing-bytes' }, 1, /model\.safetensors.*MetadataIncompleteBuffer/],
    ['an index whose total_size is wrong', { kind: 'index-wrong-total-size' }, 2, /total_size/],
    ['a shard holding a tensor the index does not map', { kind: 'shard-extra-tensor', shard: 1 }, 2, /model\.extra\.weight/],
  ];
  for (const [what, corrupt, shards, reason] of corruptions) {
    it(`fails ${what}`, async () => {
      const dir = `bad/${corrupt.kind}-${shards}`;
      await writeTinyCausalLM(bucketPath(server, BUCKET, dir), { shards, corrupt });
      await expectImportFail(server, server.key, body(transformersImport, dir), reason);
    });
  }

  it('fails an architecture the chosen vLLM version cannot load, and accepts it on a version that can', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'gemma2'), { architecture: 'Gemma2ForCausalLM', modelType: 'gemma2' });
    await expectImportFail(server, server.key, body(vllmImport, 'gemma2', { vLLMVersion: '0.4.0' }), /Model architectures \['Gemma2ForCausalLM'\] are not supported by vLLM 0\.4\.0/);
    const ok = await importAndSettle(server, server.key, body(vllmImport, 'gemma2', { vLLMVersion: '0.6.3' }));
    assert.equal(ok.status, 'Ready', ok.failureReason);
    assert.equal(ok.architecture, 'Gemma2ForCausalLM');
  });

  it('fails an architecture no engine knows', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'unknown-arch'), { architecture: 'MyOwnForCausalLM', modelType: 'my_own' });
    await expectImportFail(server, server.key, body(vllmImport, 'unknown-arch'), /MyOwnForCausalLM.*not supported by vLLM 0\.6\.3/);
  });

  it('fails a model saved by a transformers newer than the chosen transformerVersion', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'too-new'), { transformersVersion: '4.45.0' });
    await expectImportFail(server, server.key, body(transformersImport, 'too-new', { transformerVersion: '4.36.2' }), /saved by transformers 4\.45\.0, newer than the chosen transformerVersion 4\.36\.2/);
  });

  describe('wrong application type', () => {
    it('fails a sequence classifier imported as chat', async () => {
      await writeTinyCausalLM(bucketPath(server, BUCKET, 'bert'), { architecture: 'BertForSequenceClassification', modelType: 'bert' });
      await expectImportFail(server, server.key, body(transformersImport, 'bert'), /chat needs a text-generation model.*BertForSequenceClassification/);
    });
    it('fails a causal LM imported as Text-to-Image', async () => {
      await writeTinyCausalLM(bucketPath(server, BUCKET, 'llm-as-image'));
      await expectImportFail(server, server.key, body(safetensorsImport, 'llm-as-image'), /causal language model.*cannot be imported as Text-to-Image/);
    });
    it('fails a diffusers pipeline imported as chat', async () => {
      await writeDiffusersPipeline(bucketPath(server, BUCKET, 'image-as-chat'));
      await expectImportFail(server, server.key, body(transformersImport, 'image-as-chat'), /diffusers text-to-image pipeline.*cannot serve modelApplicationType chat/);
    });
  });

  it('fails a chat model without any tokenizer', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'no-tokenizer'), { tokenizer: 'none' });
    await expectImportFail(server, server.key, body(transformersImport, 'no-tokenizer'), /no tokenizer under/);
  });

  it('fails enablePromptAutoConcat on a model whose tokenizer has no chat_template', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'no-template'), { chatTemplate: null });
    await expectImportFail(server, server.key, body(transformersImport, 'no-template', { enablePromptAutoConcat: true }), /enablePromptAutoConcat is on but tokenizer_config\.json has no chat_template/);
  });

  it('fails a directory without config.json', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'no-config'));
    const { promises: fsp } = await import('node:fs');
    await fsp.rm(bucketPath(server, BUCKET, 'no-config/config.json'));
    await expectImportFail(server, server.key, body(transformersImport, 'no-config'), /config\.json/);
  });
});

describe('bad import requests are refused at create time, creating no version', () => {
  let server: TestServer;
  let setId: string;

  before(async () => {
    server = await startServer(FAST);
    setId = (await createSet(server, server.key)).modelSetId;
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'good'));
  });
  after(() => server.close());

  const versionCount = async () => (await call(server, server.key, 'DescribeModelSet', { modelSetId: setId })).modelVersionList.length;

  for (const [objectPath, message] of [
    ['../team-models/good', /must not contain "\.\." path segments/],
    ['good/../../other-bucket/x', /must not contain "\.\." path segments/],
    ['./good', /must not contain "\." path segments/],
    ['/good', /must be relative to the bucket root/],
    ['/etc/passwd', /must be relative to the bucket root/],
    ['C:/good', /not a drive path/],
    ['good\\..\\x', /use "\/" to separate directories/],
    ['', /must not be empty/],
    ['   ', /must not be empty/],
  ] as Array<[string, RegExp]>) {
    it(`refuses objectPath ${JSON.stringify(objectPath)} with 400`, async () => {
      await expectFail(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath }), 400, 'InvalidParameter', message);
      assert.equal(await versionCount(), 0);
    });
  }

  it('refuses a path with nothing under it (400)', async () => {
    await expectFail(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'nothing/here' }), 400, 'InvalidParameter', /no files under bos:\/\/team-models\/nothing\/here/);
    assert.equal(await versionCount(), 0);
  });

  it('refuses a bucket that does not exist (404)', async () => {
    await expectFail(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: 'no-such-bucket', objectPath: 'good' }), 404, 'BucketNotFound', /bucket "no-such-bucket" does not exist/);
    await expectFail(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: '../etc', objectPath: 'good' }), 400, 'InvalidParameter', /bucket/);
    assert.equal(await versionCount(), 0);
  });

  it('still accepts the good path (the refusals above did not break the set)', async () => {
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'good' }));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.modelName, 'V1', 'refused requests took no version number');
  });
});

describe('bucket grants', () => {
  let server: TestServer;
  let granted: Key;
  let other: Key;

  before(async () => {
    server = await startServer({ ...FAST, bucketGrants: { 'team-a': ['team-a-acct'], shared: ['*'] } });
    granted = await server.newKey('team-a-acct');
    other = await server.newKey('team-b-acct');
    await writeTinyCausalLM(bucketPath(server, 'team-a', 'llama'));
    await writeTinyCausalLM(bucketPath(server, 'shared', 'llama'));
    await writeTinyCausalLM(bucketPath(server, 'ungranted', 'llama'));
  });
  after(() => server.close());

  it('lets the granted account import from its bucket', async () => {
    const setId = (await createSet(server, granted)).modelSetId;
    const d = await importAndSettle(server, granted, transformersImport(setId, { bucket: 'team-a', objectPath: 'llama' }));
    assert.equal(d.status, 'Ready', d.failureReason);
  });

  it('refuses another account with 403 AccessDenied, before looking at the bucket', async () => {
    const setId = (await createSet(server, other)).modelSetId;
    await expectFail(server, other, 'CreateCustomModel', transformersImport(setId, { bucket: 'team-a', objectPath: 'llama' }), 403, 'AccessDenied', /bucket "team-a" is not granted to this account/);
    // Same answer whether or not the path exists: no probing another team's bucket.
    await expectFail(server, other, 'CreateCustomModel', transformersImport(setId, { bucket: 'team-a', objectPath: 'nope' }), 403, 'AccessDenied');
    assert.equal((await call(server, other, 'DescribeModelSet', { modelSetId: setId })).modelVersionList.length, 0);
  });

  it('opens a bucket granted to * to every account', async () => {
    const setId = (await createSet(server, other)).modelSetId;
    const d = await importAndSettle(server, other, transformersImport(setId, { bucket: 'shared', objectPath: 'llama' }));
    assert.equal(d.status, 'Ready', d.failureReason);
  });

  it('refuses a bucket missing from the grants to everyone once grants are configured', async () => {
    const setId = (await createSet(server, granted)).modelSetId;
    await expectFail(server, granted, 'CreateCustomModel', transformersImport(setId, { bucket: 'ungranted', objectPath: 'llama' }), 403, 'AccessDenied');
  });
});
