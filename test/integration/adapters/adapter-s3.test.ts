// Adapters on the S3 stores (s3rver): a base and its adapter imported from an S3 bucket into the
// S3 registry bucket; a base whose shapes were not recorded is checked through ranged GETs of its
// registry copy's safetensors headers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { S3ObjectStore } from '../../../src/objects/s3-store.js';
import { tempDir, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM, writeTinyLoraAdapter } from '../../fixtures/model-builder.js';
import { importAndSettle, startServerOnS3, uploadDir, type ServerOnS3 } from '../pipeline/pipeline-helpers.js';

const BUCKET = 'team-models';

describe('adapters on S3', () => {
  let onS3: ServerOnS3 | undefined;
  let store: S3ObjectStore;
  let server: TestServer;
  let setId: string;

  async function upload(prefix: string, write: (dir: string) => Promise<unknown>): Promise<void> {
    const dir = tempDir('modelreg-s3-lora-');
    try {
      await write(dir);
      await uploadDir(store, BUCKET, prefix, dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  before(async () => {
    onS3 = await startServerOnS3(BUCKET);
    ({ store, server } = onS3);
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => onS3?.close());

  it('binds an adapter to a base, both imported from S3; the fit is checked from the registry copy when shapes were not recorded', async () => {
    await upload('base', (dir) => writeTinyCausalLM(dir, { shards: 2 }));
    await upload('lora/good', (dir) => writeTinyLoraAdapter(dir));
    await upload('lora/wide', (dir) => writeTinyLoraAdapter(dir, { hidden: 24 }));
    const base = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'base' }));
    assert.equal(base.status, 'Ready', base.failureReason);
    assert.equal(base.storage.kind, 's3');
    await server.app.store.db.deleteFrom('version_tensor_shapes').where('version_id', '=', base.modelId).execute();

    const wide = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'lora/wide', baseModelId: base.modelId }));
    assert.equal(wide.status, 'Fail');
    assert.match(wide.failureReason, /q_proj\.lora_A\.weight has shape \[4, 24\], but the base layer model\.layers\.0\.self_attn\.q_proj\.weight is \[16, 16\]/);
    const good = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'lora/good', baseModelId: base.modelId }));
    assert.equal(good.status, 'Ready', good.failureReason);
    assert.equal(good.adapter.base.modelId, base.modelId);
    assert.equal(good.storage.kind, 's3');
  });
});
