// Issue 10, class 6: per-account quotas with clear errors, deletable templates, and fair job
// scheduling across accounts. Through the real server and the real Node SDK.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, sdk, sdkFails, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { uploadCustomConf } from '../pipeline/pipeline-helpers.js';
import { importBody } from '../scale/scale-helpers.js';
import { JobsRepo } from '../../../src/store/repos/jobs-repo.js';
import { loadConfig } from '../../../src/config.js';

const TEMPLATE = '{% for m in messages %}{{ m.content }}{% endfor %}';

/** The SDK call must fail with QuotaExceeded whose message names the quota, the use and the setting. */
async function quotaError(p: Promise<unknown>, what: RegExp, setting: string): Promise<string> {
  const e = await sdkFails(p);
  assert.equal(e.status, 403, JSON.stringify(e.body));
  assert.equal(e.body.code, 'QuotaExceeded');
  assert.match(e.body.message!, what);
  assert.ok(e.body.message!.includes(setting), e.body.message);
  return e.body.message!;
}

describe('quotas', () => {
  let s: TestServer;
  before(async () => {
    // No worker: imports stay queued, so the concurrent-imports quota can be seen exactly.
    s = await startServer({ quotaModelSets: 3, quotaVersionsPerSet: 3, quotaVersionsPerAccount: 4, quotaConcurrentImports: 3, quotaTemplates: 2, quotaTemplateBytes: 1000, quotaFineTuningJobs: 2, quotaFineTuningTasks: 1, importConcurrency: 0 });
    await writeTinyCausalLM(path.join(s.app.config.bucketsDir, 'models', 'tiny'));
  });
  after(() => s.close());

  test('model sets: the fourth set is refused with the use and the setting; deleting one frees a place', async () => {
    const key = await s.newKey('sets-tenant');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call(s, key, 'CreateCustomModelSet', { modelSetName: `q${i}`, modelType: 'Text2Text' })).modelSetId);
    const msg = await quotaError(sdk(s.url, key, '/v2/model', 'CreateCustomModelSet', { modelSetName: 'q3', modelType: 'Text2Text' }), /model sets.*3 of 3/, 'MODELREG_QUOTA_MODEL_SETS');
    assert.match(msg, /^quota exceeded/);
    // Another account is not affected.
    const other = await s.newKey('sets-other');
    await call(s, other, 'CreateCustomModelSet', { modelSetName: 'q0', modelType: 'Text2Text' });
    await call(s, key, 'DeleteModelSet', { modelSetId: ids[0] });
    await call(s, key, 'CreateCustomModelSet', { modelSetName: 'q3', modelType: 'Text2Text' });
  });

  test('imports queued or running per account, versions per set and per account', async () => {
    const key = await s.newKey('versions-tenant');
    const a = (await call(s, key, 'CreateCustomModelSet', { modelSetName: 'va', modelType: 'Text2Text' })).modelSetId;
    const b = (await call(s, key, 'CreateCustomModelSet', { modelSetName: 'vb', modelType: 'Text2Text' })).modelSetId;
    const created: string[] = [];
    for (let i = 0; i < 3; i++) created.push((await call(s, key, 'CreateCustomModel', importBody(a, `v${i}`))).modelId);
    // Three imports are queued: a fourth (in another set) waits for one to end.
    await quotaError(sdk(s.url, key, '/v2/model', 'CreateCustomModel', importBody(b, 'x')), /imports queued or running.*3 of 3/, 'MODELREG_QUOTA_CONCURRENT_IMPORTS');
    // Deleting a version cancels its job and frees the slot.
    await call(s, key, 'DeleteModel', { modelId: created.pop() });
    created.push((await call(s, key, 'CreateCustomModel', importBody(a, 'v2b'))).modelId);
    // Set a is full (3 versions per set) even once imports are freed.
    await call(s, key, 'DeleteModel', { modelId: created[0] });
    await call(s, key, 'CreateCustomModel', importBody(a, 'v3'));
    await quotaError(sdk(s.url, key, '/v2/model', 'CreateCustomModel', importBody(a, 'v4')), /versions in this model set.*3 of 3/, 'MODELREG_QUOTA_VERSIONS_PER_SET');
    // Per account: 4 versions in all. The three imports end (marked done here: no worker runs),
    // which frees their import slots but not their versions.
    await s.app.store.db.updateTable('jobs').set({ status: 'done' }).where('status', '=', 'queued').where('account_id', '=', (await s.app.store.db.selectFrom('model_versions').select('account_id').where('id', '=', created[1]!).executeTakeFirstOrThrow()).account_id).execute();
    await call(s, key, 'CreateCustomModel', importBody(b, 'b1'));
    await quotaError(sdk(s.url, key, '/v2/model', 'CreateCustomModel', importBody(b, 'b2')), /model versions.*4 of 4/, 'MODELREG_QUOTA_VERSIONS_PER_ACCOUNT');
  });

  test('templates: count and bytes quotas; DeleteModelCustomConf through the SDK frees them', async () => {
    const key = await s.newKey('templates-tenant');
    const first = await uploadCustomConf(s.url, key, TEMPLATE);
    assert.equal(first.status, 200, first.text);
    // Bytes: 1000 in all; a 960-byte template would pass the total.
    const big = await uploadCustomConf(s.url, key, TEMPLATE + ' '.repeat(960));
    assert.equal(big.status, 403, big.text);
    assert.equal(big.body.code, 'QuotaExceeded');
    assert.match(big.body.message, /custom template bytes.*uses 50 bytes of 1000 bytes and this would add 1010 bytes.*MODELREG_QUOTA_TEMPLATE_BYTES/);
    const second = await uploadCustomConf(s.url, key, TEMPLATE);
    assert.equal(second.status, 200, second.text);
    const third = await uploadCustomConf(s.url, key, TEMPLATE);
    assert.equal(third.status, 403);
    assert.match(third.body.message, /custom templates.*2 of 2.*MODELREG_QUOTA_TEMPLATES/);

    // The real Node SDK deletes a template by the fileName CreateModelCustomConf returned.
    const deleted = await sdk(s.url, key, '/v2/model', 'DeleteModelCustomConf', { fileName: first.body.result });
    assert.equal(deleted.result, true);
    const again = await sdkFails(sdk(s.url, key, '/v2/model', 'DeleteModelCustomConf', { fileName: first.body.result }));
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'ResourceNotFound');
    // Another account cannot delete this account's template.
    const other = await s.newKey('templates-other');
    assert.equal((await sdkFails(sdk(s.url, other, '/v2/model', 'DeleteModelCustomConf', { fileName: second.body.result }))).status, 404);
    // A read-only key may not delete.
    const reader = await s.newKey('templates-tenant', ['QianfanReadAccessPolicy']);
    assert.equal((await sdkFails(sdk(s.url, reader, '/v2/model', 'DeleteModelCustomConf', { fileName: second.body.result }))).status, 403);
    assert.equal((await uploadCustomConf(s.url, key, TEMPLATE)).status, 200, 'the deleted template still counts');
  });

  test('fine-tuning jobs and tasks are counted too', async () => {
    const key = await s.newKey('training-tenant');
    const ft = (action: string, data: Record<string, unknown>) => sdk(s.url, key, '/v2/finetuning', action, data);
    const job = (await ft('CreateFineTuningJob', { name: 'j0', model: 'Qwen2-7B', trainMode: 'SFT' })).result.jobId;
    await ft('CreateFineTuningJob', { name: 'j1', model: 'Qwen2-7B', trainMode: 'SFT' });
    await quotaError(ft('CreateFineTuningJob', { name: 'j2', model: 'Qwen2-7B', trainMode: 'SFT' }), /fine-tuning jobs.*2 of 2/, 'MODELREG_QUOTA_FINE_TUNING_JOBS');
    await ft('CreateFineTuningTask', { jobId: job, hyperParameterConfig: {}, datasetConfig: {} });
    await quotaError(ft('CreateFineTuningTask', { jobId: job, hyperParameterConfig: {}, datasetConfig: {} }), /fine-tuning tasks.*1 of 1/, 'MODELREG_QUOTA_FINE_TUNING_TASKS');
  });

  test('the defaults are documented values and read from the environment', () => {
    const c = loadConfig({ dataDir: '/tmp/unused' });
    assert.deepEqual(
      [c.quotaModelSets, c.quotaVersionsPerSet, c.quotaVersionsPerAccount, c.quotaTemplates, c.quotaTemplateBytes, c.quotaTemplateMaxBytes, c.quotaConcurrentImports, c.quotaFineTuningJobs, c.quotaFineTuningTasks],
      [1000, 1000, 10_000, 1000, 64 * 1024 * 1024, 256 * 1024, 100, 1000, 10_000],
    );
    process.env.MODELREG_QUOTA_MODEL_SETS = '7';
    try {
      assert.equal(loadConfig({ dataDir: '/tmp/unused' }).quotaModelSets, 7);
    } finally {
      delete process.env.MODELREG_QUOTA_MODEL_SETS;
    }
  });
});

describe('fair job scheduling', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ importConcurrency: 0 });
    await writeTinyCausalLM(path.join(s.app.config.bucketsDir, 'models', 'tiny'));
  });
  after(() => s.close());

  async function queue(key: Key, n: number, name: string): Promise<string[]> {
    const set = (await call(s, key, 'CreateCustomModelSet', { modelSetName: name, modelType: 'Text2Text' })).modelSetId;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await call(s, key, 'CreateCustomModel', importBody(set, `${name}${i}`))).modelId);
    return ids;
  }

  test("one tenant's queue does not starve another's: each claim goes to the account with the fewest running jobs", async () => {
    const busy = await s.newKey('busy-tenant');
    const quiet = await s.newKey('quiet-tenant');
    const third = await s.newKey('third-tenant');
    const busyIds = await queue(busy, 20, 'busy');
    const quietIds = await queue(quiet, 2, 'quiet');
    const thirdIds = await queue(third, 1, 'third');
    const repo = new JobsRepo(s.app.store.db, s.app.store.dialect);
    const now = new Date().toISOString();
    const lease = new Date(Date.now() + 60_000).toISOString();
    const claimed: string[] = [];
    for (let i = 0; i < 6; i++) {
      const job = await repo.claim('import', `w${i}`, now, lease);
      assert.ok(job, `claim ${i} found nothing`);
      claimed.push(job.subjectId);
    }
    const owner = (id: string) => (busyIds.includes(id) ? 'busy' : quietIds.includes(id) ? 'quiet' : thirdIds.includes(id) ? 'third' : '?');
    // First-come-first-served would give busy all six; fair: busy, quiet, third, then busy, quiet, busy.
    assert.deepEqual(claimed.map(owner), ['busy', 'quiet', 'third', 'busy', 'quiet', 'busy']);
    // Within an account the order is still first in, first out.
    assert.deepEqual(claimed.filter((id) => owner(id) === 'busy'), busyIds.slice(0, 3));
  });
});
