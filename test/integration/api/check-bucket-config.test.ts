// CheckBucketAccess + objectPath (issue 15, item 8): the import form's default transformerVersion
// comes from the model's config.json, read through this (write-policy) action, on both databases.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { call, signedFetch, startServer, type TestServer } from '../../helpers/harness.js';
import { assertError, expectFail } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath } from '../pipeline/pipeline-helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer({ importConcurrency: 0 });
  await writeTinyCausalLM(bucketPath(s, 'peek', 'models/a'), { transformersVersion: '4.38.2' });
  await writeTinyCausalLM(bucketPath(s, 'peek', 'models/newest'), { transformersVersion: '4.45.0.dev0' });
  await writeTinyCausalLM(bucketPath(s, 'peek', 'models/unversioned'), { transformersVersion: null });
  fs.mkdirSync(bucketPath(s, 'peek', 'models/not-json'), { recursive: true });
  fs.writeFileSync(bucketPath(s, 'peek', 'models/not-json/config.json'), '{"transformers_version": ');
});
after(() => s.close());

test('with objectPath it reads config.json: the version that saved it and the transformerVersion to choose', async () => {
  assert.deepEqual(await call(s, s.key, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/a/' }), {
    bucket: 'peek',
    granted: true,
    exists: true,
    objectPath: 'models/a',
    configFound: true,
    configTransformersVersion: '4.38.2',
    suggestedTransformerVersion: '4.39.3',
  });
  // Newer than every supported version: no suggestion (the import would fail; the form warns).
  const newest = await call(s, s.key, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/newest' });
  assert.equal(newest.configTransformersVersion, '4.45.0.dev0');
  assert.equal(newest.suggestedTransformerVersion, undefined);
  // No transformers_version, unreadable JSON, no config.json at all, no bucket.
  const none = await call(s, s.key, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/unversioned' });
  assert.equal(none.configFound, true);
  assert.equal(none.configTransformersVersion, undefined);
  assert.equal((await call(s, s.key, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/not-json' })).configFound, true);
  assert.equal((await call(s, s.key, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/nothing' })).configFound, false);
  assert.deepEqual(await call(s, s.key, 'CheckBucketAccess', { bucket: 'no-such-bucket', objectPath: 'x' }), { bucket: 'no-such-bucket', granted: true, exists: false, objectPath: 'x', configFound: false });
  // Without objectPath the answer is as before.
  assert.deepEqual(await call(s, s.key, 'CheckBucketAccess', { bucket: 'peek' }), { bucket: 'peek', granted: true, exists: true });
});

test('objectPath follows the import rules (no escaping the bucket), and a read-only key may not ask', async () => {
  const bad = await signedFetch(s.url, s.key, { query: 'Action=CheckBucketAccess', body: JSON.stringify({ bucket: 'peek', objectPath: '../etc' }) });
  assertError(bad, 400, 'InvalidParameter', /objectPath must not contain "\.\." path segments/);
  assert.equal(bad.headers.get('x-modelreg-error-field'), 'objectPath');
  const reader = await s.newKey(`reader-${Date.now()}`, ['QianfanReadAccessPolicy']);
  await expectFail(s, reader, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/a' }, 403, 'AccessDenied');
});

// What a hostile bucket cannot make the peek do: read a file outside the bucket through a symlinked
// config.json or a symlinked directory, or read past its size bound. (Local directory store.)
test('the peek never follows a symlink out of the bucket, and never reads a large config.json', async () => {
  const outside = bucketPath(s, 'outside-peek', 'secret');
  fs.mkdirSync(outside, { recursive: true });
  fs.writeFileSync(`${outside}/config.json`, JSON.stringify({ transformers_version: '4.38.2' }));
  fs.mkdirSync(bucketPath(s, 'peek', 'models/linked-file'), { recursive: true });
  fs.symlinkSync(`${outside}/config.json`, bucketPath(s, 'peek', 'models/linked-file/config.json'));
  fs.symlinkSync(outside, bucketPath(s, 'peek', 'models/linked-dir'));
  for (const objectPath of ['models/linked-file', 'models/linked-dir']) {
    const r = await call(s, s.key, 'CheckBucketAccess', { bucket: 'peek', objectPath });
    assert.equal(r.configTransformersVersion, undefined, `${objectPath}: ${JSON.stringify(r)}`);
  }
  // A config.json above the bound (256 KiB) is found but not read.
  fs.mkdirSync(bucketPath(s, 'peek', 'models/huge'), { recursive: true });
  fs.writeFileSync(bucketPath(s, 'peek', 'models/huge/config.json'), JSON.stringify({ transformers_version: '4.38.2', pad: 'x'.repeat(300 * 1024) }));
  const huge = await call(s, s.key, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/huge' });
  assert.equal(huge.configFound, true);
  assert.equal(huge.configTransformersVersion, undefined);
});

test('a bucket not granted to the account is refused before anything in it is looked at', async () => {
  const g = await startServer({ bucketGrants: { peek: ['someone-else'] } });
  try {
    await writeTinyCausalLM(bucketPath(g, 'peek', 'models/a'), { transformersVersion: '4.38.2' });
    await expectFail(g, g.key, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/a' }, 403, 'AccessDenied');
    await expectFail(g, g.key, 'CheckBucketAccess', { bucket: 'peek', objectPath: 'models/nothing' }, 403, 'AccessDenied');
  } finally {
    await g.close();
  }
});
