// At start the registry janitor removes copies that belong to no live version: a deleted version
// whose cleanup was cut short, a Fail version's leftovers, a copy for an unknown id. Ready copies stay.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, eventually, FAST, filesUnder, importAndSettle, registryRoot, storedFiles } from './pipeline-helpers.js';

describe('the registry janitor at start', () => {
  const dataDir = tempDir('modelreg-janitor-');
  let server: TestServer | undefined;
  after(async () => {
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('removes copies of unknown and failed versions and keeps Ready ones', async () => {
    server = await startServer({ ...FAST, dataDir });
    const setId = (await createSet(server, server.key)).modelSetId;
    await writeTinyCausalLM(bucketPath(server, 'models', 'good'));
    await writeTinyCausalLM(bucketPath(server, 'models', 'bad'), { corrupt: { kind: 'truncate', bytes: 10 } });
    const ready = await importAndSettle(server, server.key, transformersImport(setId, { bucket: 'models', objectPath: 'good' }));
    assert.equal(ready.status, 'Ready', ready.failureReason);
    const failed = await importAndSettle(server, server.key, transformersImport(setId, { bucket: 'models', objectPath: 'bad' }));
    assert.equal(failed.status, 'Fail');
    const accountDir = ready.storage.scope;
    const blobsBefore = await filesUnder(path.join(registryRoot(dataDir), 'blobs'));
    await server.close();
    server = undefined;

    // What a crash between a version's end and its cleanup leaves behind.
    const root = registryRoot(dataDir);
    for (const id of ['amv-ghostghost01', failed.modelId]) {
      const dir = path.join(root, 'incoming', accountDir, id, 'attempt-1');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'config.json'), '{}');
    }

    server = await startServer({ ...FAST, dataDir });
    await eventually('the leftovers to be removed', async () => (await filesUnder(root)).every((f) => f.startsWith('blobs/')), 15_000);
    assert.deepEqual(await filesUnder(path.join(root, 'blobs')), blobsBefore, 'exactly the blobs are left');
    assert.deepEqual(await storedFiles(dataDir, ready), ready.files);
  });
});
