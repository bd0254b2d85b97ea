// On S3 the users' buckets and the registry's own bucket (MODELREG_REGISTRY_BUCKET) live in one
// object store. The registry bucket holds every account's registered files (blobs/<scope>/…), staged
// copies and export archives: it is never a source, whatever the bucket grants say (open by
// default). Before, any account could list and import another account's registered files from it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { call, sdk, sdkFails, tempDir, type Key } from '../../helpers/harness.js';
import { assertError, createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { importAndSettle, startServerOnS3, uploadDir, type ServerOnS3 } from '../pipeline/pipeline-helpers.js';

const BUCKET = 'team-models';
const REGISTRY_BUCKET = 'modelreg-registry';

describe('the S3 registry bucket is not a source', () => {
  let onS3: ServerOnS3;
  let bob: Key;
  let aliceScope: string;

  before(async () => {
    onS3 = await startServerOnS3(BUCKET);
    const { server, store } = onS3;
    const dir = tempDir('modelreg-s3-model-');
    try {
      await writeTinyCausalLM(dir);
      await uploadDir(store, BUCKET, 'alice/chat', dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const set = await createSet(server, server.key);
    const d = await importAndSettle(server, server.key, transformersImport(set.modelSetId, { bucket: BUCKET, objectPath: 'alice/chat' }));
    assert.equal(d.status, 'Ready', d.failureReason);
    aliceScope = d.storage.scope;
    bob = await server.newKey(`bob-${Math.random().toString(36).slice(2, 8)}`);
  });
  after(() => onS3?.close());

  test('CheckBucketAccess and CreateCustomModel refuse it, for another account and for the owner alike', async () => {
    const { server } = onS3;
    const bobSet = await createSet(server, bob);
    for (const [who, key, setId] of [['bob', bob, bobSet.modelSetId], ['alice', server.key, (await createSet(server, server.key)).modelSetId]] as const) {
      for (const objectPath of ['blobs', `blobs/${aliceScope}`]) {
        const check = await sdkFails(sdk(server.url, key, '/v2/model', 'CheckBucketAccess', { bucket: REGISTRY_BUCKET, objectPath }));
        assertError(check, 403, 'AccessDenied', /registry's own/);
        const create = await sdkFails(sdk(server.url, key, '/v2/model', 'CreateCustomModel', transformersImport(setId, { bucket: REGISTRY_BUCKET, objectPath })));
        assertError(create, 403, 'AccessDenied', /registry's own/);
      }
      // Nothing was created.
      const versions = await call(server, key, 'DescribeCustomModels', { modelSetId: setId });
      assert.equal(versions.customModelList.length, 0, `${who}: ${JSON.stringify(versions)}`);
    }
    // A bucket of the users' still works.
    assert.equal((await call(server, bob, 'CheckBucketAccess', { bucket: BUCKET })).granted, true);
  });
});
