// Deleting a base while adapters bound to it are being imported: whatever the interleaving, no
// request fails with a 500, and no Ready adapter is left bound to a base that no longer exists.
// Also DeleteModel racing imports that are finishing (the lock order of the two transactions).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { call, sdk, sdkFails, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM, writeTinyLoraAdapter } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, settle } from '../pipeline/pipeline-helpers.js';

const BUCKET = 'races';

describe('adapter imports racing DeleteModel', () => {
  let s: TestServer;
  let setId: string;

  before(async () => {
    s = await startServer({ ...FAST, jobPollMs: 20, importConcurrency: 4 });
    setId = (await createSet(s, s.key)).modelSetId;
    await writeTinyCausalLM(bucketPath(s, BUCKET, 'base'));
    await writeTinyLoraAdapter(bucketPath(s, BUCKET, 'lora'));
  });
  after(() => s.close());

  it('a base deleted while its adapters import: each adapter ends Ready and listed by the live base, or Fail', async () => {
    for (let round = 0; round < 3; round++) {
      const { modelId: baseId } = await call(s, s.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'base' }));
      assert.equal((await settle(s, s.key, baseId)).status, 'Ready');
      const adapters: string[] = [];
      for (let i = 0; i < 6; i++) adapters.push((await call(s, s.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'lora', baseModelId: baseId }))).modelId);
      // Keep trying to delete the base while the adapters import.
      let deleted = false;
      for (let i = 0; i < 40 && !deleted; i++) {
        try {
          await sdk(s.url, s.key, '/v2/model', 'DeleteModel', { modelId: baseId });
          deleted = true;
        } catch (err) {
          const e = await sdkFails(Promise.reject(err));
          assert.equal(e.status, 409, JSON.stringify(e.body));
          assert.equal((e.body as any).code, 'ModelHasAdapters');
        }
        await sleep(round * 5);
      }
      const ends = await Promise.all(adapters.map((id) => settle(s, s.key, id)));
      if (deleted) {
        for (const a of ends) {
          assert.equal(a.status, 'Fail', 'no adapter can be Ready once its base is gone');
          assert.match(a.failureReason, /names no base|was deleted or left Ready/);
        }
        const kept = await s.app.store.db.selectFrom('version_files').select('version_id').where('version_id', 'in', adapters).execute();
        assert.deepEqual(kept, [], 'a failed adapter keeps no recorded files (they would count against the stored-bytes quota)');
      } else {
        const base = await call(s, s.key, 'DescribeModel', { modelId: baseId });
        const listed = new Set((base.adapters ?? []).map((a: any) => a.modelId));
        for (const a of ends) assert.equal(listed.has(a.modelId), a.status === 'Ready', `${a.modelId} ${a.status} ${a.failureReason ?? ''}`);
      }
      for (const a of ends) await call(s, s.key, 'DeleteModel', { modelId: a.modelId });
      if (!deleted) await call(s, s.key, 'DeleteModel', { modelId: baseId });
    }
  });

  it('DeleteModel of versions whose imports are finishing never answers 500', async () => {
    // Delays spread over an import's whole length, so some deletes meet its final transaction.
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (let i = 0; i < 12; i++) {
          const { modelId } = await call(s, s.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'base' }));
          await sleep(((i * 4 + lane) * 37) % 160);
          assert.equal(await call(s, s.key, 'DeleteModel', { modelId }), true);
        }
      }),
    );
  });
});
