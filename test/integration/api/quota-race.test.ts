// Quotas are exact under concurrency (src/domain/quotas.ts): many creates fired at once at the
// limit, and exactly the limit passes, the rest get 403 QuotaExceeded. On PostgreSQL a pooled
// server runs them on several connections, where a count read without the account's lock let
// them all through together.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, sdk, sdkFails, startServer, type TestServer } from '../../helpers/harness.js';
import { uploadCustomConf } from '../pipeline/pipeline-helpers.js';
import { importBody } from '../scale/scale-helpers.js';

const TEMPLATE = '{% for m in messages %}{{ m.content }}{% endfor %}';

/** Runs all `n` creates at once; resolves to the responses of those that passed, after checking every refusal is QuotaExceeded. */
async function race(n: number, create: (i: number) => Promise<any>): Promise<any[]> {
  const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => create(i)));
  const passed: any[] = [];
  for (const o of outcomes) {
    if (o.status === 'fulfilled') passed.push(o.value);
    else {
      const e = await sdkFails(Promise.reject(o.reason));
      assert.equal(e.status, 403, JSON.stringify(e.body));
      assert.equal(e.body.code, 'QuotaExceeded', JSON.stringify(e.body));
    }
  }
  return passed;
}

describe('quotas under concurrent creates', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ quotaModelSets: 5, quotaVersionsPerSet: 0, quotaVersionsPerAccount: 3, quotaConcurrentImports: 0, quotaTemplates: 2, quotaFineTuningJobs: 4, quotaFineTuningTasks: 3, importConcurrency: 0 });
    await writeTinyCausalLM(path.join(s.app.config.bucketsDir, 'models', 'tiny'));
  });
  after(() => s.close());

  test('20 model sets at once against a quota of 5: exactly 5 are created', async () => {
    const key = await s.newKey('race-sets');
    const passed = await race(20, (i) => sdk(s.url, key, '/v2/model', 'CreateCustomModelSet', { modelSetName: `r${i}`, modelType: 'Text2Text' }));
    assert.equal(passed.length, 5);
    assert.equal((await call(s, key, 'DescribeCustomModelSets', { maxKeys: 100 })).customModelSetList.length, 5);
  });

  test('20 versions at once, across sets, against 3 versions per account: exactly 3 are created', async () => {
    const key = await s.newKey('race-versions');
    const sets: string[] = [];
    for (let i = 0; i < 4; i++) sets.push((await call(s, key, 'CreateCustomModelSet', { modelSetName: `rv${i}`, modelType: 'Text2Text' })).modelSetId);
    const passed = await race(20, (i) => sdk(s.url, key, '/v2/model', 'CreateCustomModel', importBody(sets[i % sets.length]!, `v${i}`)));
    assert.equal(passed.length, 3);
  });

  test('fine-tuning jobs and tasks at once: exactly their quotas', async () => {
    const key = await s.newKey('race-training');
    const ft = (action: string, data: Record<string, unknown>) => sdk(s.url, key, '/v2/finetuning', action, data);
    const jobs = await race(20, (i) => ft('CreateFineTuningJob', { name: `j${i}`, model: 'Qwen2-7B', trainMode: 'SFT' }));
    assert.equal(jobs.length, 4);
    const tasks = await race(20, (i) => ft('CreateFineTuningTask', { jobId: jobs[i % jobs.length].result.jobId, hyperParameterConfig: {}, datasetConfig: {} }));
    assert.equal(tasks.length, 3);
  });

  test('templates at once: exactly the quota', async () => {
    const key = await s.newKey('race-templates');
    const statuses = await Promise.all(Array.from({ length: 8 }, () => uploadCustomConf(s.url, key, TEMPLATE).then((r) => r.status)));
    assert.equal(statuses.filter((st) => st === 200).length, 2, String(statuses));
    assert.deepEqual(new Set(statuses.filter((st) => st !== 200)), new Set([403]));
  });
});
