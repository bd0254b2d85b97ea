// Job payloads are checked against their kind's schema once, when a worker claims the job
// (src/jobs/job-payloads.ts, worker.ts): a row whose payload does not fit fails that job, and the
// version it was importing, with the reason; the worker goes on with the next job.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { startSlowReplica } from '../../helpers/slow-replica.js';
import { bucketPath, FAST, settle } from './pipeline-helpers.js';
import { parseJobPayload } from '../../../src/jobs/job-payloads.js';

describe('parseJobPayload', () => {
  test('a payload of the right shape is read back as it was queued', () => {
    const payload = { sourceType: 'Import', bucket: 'b', objectPath: 'm', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.40.2' };
    assert.deepEqual(parseJobPayload('import', JSON.stringify(payload)), { ok: true, payload });
    assert.deepEqual(parseJobPayload('export', '{}'), { ok: true, payload: {} });
  });

  test('anything else is refused with a reason', () => {
    assert.deepEqual(parseJobPayload('import', 'not json'), { ok: false, reason: "the import job's stored payload is not JSON" });
    const missing = parseJobPayload('import', JSON.stringify({ sourceType: 'Import', bucket: 'b' }));
    assert.equal(missing.ok, false);
    assert.match(!missing.ok ? missing.reason : '', /^the import job's stored payload does not fit its schema: \/ must have required property 'objectPath'$/);
    const wrongType = parseJobPayload('import', JSON.stringify({ sourceType: 'Import', bucket: 7, objectPath: 'm', modelFormat: 'f', modelApplicationType: 'chat' }));
    assert.match(!wrongType.ok ? wrongType.reason : '', /\/bucket must be string/);
    const extra = parseJobPayload('export', JSON.stringify({ exportId: 'x' }));
    assert.match(!extra.ok ? extra.reason : '', /must NOT have additional properties/);
  });
});

describe('a stored job whose payload does not fit', () => {
  let s: TestServer;
  before(async () => {
    // No worker of its own: the job stays queued until the test has spoiled its payload.
    s = await startServer({ ...FAST, importConcurrency: 0 });
  });
  after(() => s.close());

  test('fails its version with the reason, and the worker goes on with the next job', async () => {
    await writeTinyCausalLM(bucketPath(s, 'payloads', 'tiny'));
    const set = await createSet(s, s.key);
    const create = async () => (await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'payloads', objectPath: 'tiny' }))).modelId as string;
    const spoiled = await create();
    await s.app.store.db.updateTable('jobs').set({ payload: JSON.stringify({ sourceType: 'Import', bucket: 7 }) }).where('subject_id', '=', spoiled).execute();
    const good = await create();
    const worker = startSlowReplica(s, 1024 * 1024 * 1024);
    try {
      const failed = await settle(s, s.key, spoiled);
      assert.equal(failed.status, 'Fail');
      assert.match(failed.failureReason, /^the import job's stored payload does not fit its schema: /);
      const job = await s.app.store.db.selectFrom('jobs').select(['status', 'last_error', 'lease_owner']).where('subject_id', '=', spoiled).executeTakeFirstOrThrow();
      assert.deepEqual(job, { status: 'failed', last_error: failed.failureReason, lease_owner: null });
      const ready = await settle(s, s.key, good);
      assert.equal(ready.status, 'Ready', ready.failureReason);
    } finally {
      await worker.stop();
    }
  });
});
