// Speak the user's language (issue 15, item 6): a failed version's reason carries a stable code and
// its parameters (failureCode, failureParams) beside the unchanged English failureReason, in
// DescribeModel and in the set's version list, through the real SDK, on both databases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, signedFetch, startServer, type TestServer } from '../../helpers/harness.js';
import { assertError, createSet, transformersImport, vllmImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, importAndSettle } from '../pipeline/pipeline-helpers.js';
import { FAILURE_CODES } from '../../../src/domain/import/failure-codes.js';

let s: TestServer;
before(async () => {
  s = await startServer({ ...FAST });
  await writeTinyCausalLM(bucketPath(s, 'codes', 'odd-arch'), { architecture: 'NoSuchForCausalLM' });
  await writeTinyCausalLM(bucketPath(s, 'codes', 'new-tf'), { transformersVersion: '4.44.0' });
  await writeTinyCausalLM(bucketPath(s, 'codes', 'no-tok'), { tokenizer: 'none' });
  await writeTinyCausalLM(bucketPath(s, 'codes', 'good'));
});
after(() => s.close());

test('failed imports carry a stable code and parameters beside the English reason', async () => {
  const set = await createSet(s, s.key);
  const arch = await importAndSettle(s, s.key, vllmImport(set.modelSetId, { bucket: 'codes', objectPath: 'odd-arch', vLLMVersion: '0.6.3' }));
  assert.equal(arch.status, 'Fail');
  assert.match(arch.failureReason, /NoSuchForCausalLM.*not supported by vLLM 0\.6\.3/);
  assert.equal(arch.failureCode, 'UnsupportedArchitecture');
  assert.deepEqual(arch.failureParams, { architecture: 'NoSuchForCausalLM', engine: 'vLLM', version: '0.6.3' });

  const tf = await importAndSettle(s, s.key, transformersImport(set.modelSetId, { bucket: 'codes', objectPath: 'new-tf', transformerVersion: '4.36.2' }));
  assert.equal(tf.failureCode, 'TransformersVersionTooOld', tf.failureReason);
  assert.deepEqual(tf.failureParams, { configVersion: '4.44.0', version: '4.36.2' });

  const tok = await importAndSettle(s, s.key, transformersImport(set.modelSetId, { bucket: 'codes', objectPath: 'no-tok' }));
  assert.equal(tok.failureCode, 'MissingTokenizer', tok.failureReason);
  assert.deepEqual(tok.failureParams, { location: 'codes/no-tok' });

  const ready = await importAndSettle(s, s.key, transformersImport(set.modelSetId, { bucket: 'codes', objectPath: 'good' }));
  assert.equal(ready.status, 'Ready', ready.failureReason);
  assert.equal(ready.failureCode, undefined);
  assert.equal(ready.failureParams, undefined);

  // The set's version list says the same.
  const d = await call(s, s.key, 'DescribeModelSet', { modelSetId: set.modelSetId });
  const byId = new Map(d.modelVersionList.map((v: any) => [v.modelId, v]));
  for (const v of [arch, tf, tok]) {
    const listed = byId.get(v.modelId) as any;
    assert.equal(listed.failureReason, v.failureReason);
    assert.equal(listed.failureCode, v.failureCode);
    assert.deepEqual(listed.failureParams, v.failureParams);
  }
  assert.equal((byId.get(ready.modelId) as any).failureCode, undefined);
  // Every code returned is one of the documented ones.
  for (const v of [arch, tf, tok]) assert.ok(Object.hasOwn(FAILURE_CODES, v.failureCode));
});

test('a parameter error names its request field in X-Modelreg-Error-Field; the body stays BCE\'s three keys', async () => {
  const post = (action: string, body: unknown) => signedFetch(s.url, s.key, { query: `Action=${action}`, body: JSON.stringify(body) });
  // A domain rule (the message starts with the field).
  const name = await post('CreateCustomModelSet', { modelSetName: '9bad', modelType: 'Text2Text' });
  assertError(name, 400, 'InvalidParameter', /^modelSetName must be/);
  assert.equal(name.headers.get('x-modelreg-error-field'), 'modelSetName');
  // A schema error, nested.
  const set = await createSet(s, s.key);
  const bucket = await post('CreateCustomModel', transformersImport(set.modelSetId, { bucket: undefined }));
  assertError(bucket, 400, 'MissingParameter', /importMeta\.bucket is required/);
  assert.equal(bucket.headers.get('x-modelreg-error-field'), 'importMeta.bucket');
  const steps = await post('CreateCustomModel', transformersImport(set.modelSetId, { advancedSettings: { samplingStrategy: 'beamSearch' } }));
  assertError(steps, 400, 'MissingParameter');
  assert.equal(steps.headers.get('x-modelreg-error-field'), 'importMeta.advancedSettings.numBeams');
  // A sentence that starts with a word, not a field: no header.
  const empty = await post('CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'codes', objectPath: 'nothing-here' }));
  assertError(empty, 400, 'InvalidParameter', /^no files under/);
  assert.equal(empty.headers.get('x-modelreg-error-field'), null);
  // Not a parameter error: no header.
  const gone = await post('DescribeModel', { modelId: 'amv-nosuchversion' });
  assert.equal(gone.headers.get('x-modelreg-error-field'), null);
});
