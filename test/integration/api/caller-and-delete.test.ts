// A console that knows its key (issue 15, item 4) through the real SDK: DescribeCallerIdentity
// tells the account, key and what its policies allow; DeleteModelSet with deleteVersions deletes a
// set with all its versions (policy-checked), and without it a non-empty set says what to do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, expectFail, makeBucket, transformersImport } from '../../helpers/api.js';

let s: TestServer;
before(async () => {
  s = await startServer({ importConcurrency: 0 });
  makeBucket(s, 'test', 'model');
});
after(() => s.close());

describe('DescribeCallerIdentity', () => {
  test('a full-control key: its account, key, policies and what they allow', async () => {
    const account = `who-${Date.now()}`;
    const key = await s.newKey(account);
    const r = await call(s, key, 'DescribeCallerIdentity', {});
    assert.equal(r.accountName, account);
    assert.equal(r.accessKey, key.accessKey);
    assert.ok(typeof r.accountId === 'string' && r.accountId.length > 0);
    assert.deepEqual(r.policies, [{ name: 'QianfanFullControlAccessPolicy', description: 'Full control of every registry action' }]);
    assert.deepEqual(r.permissions, [
      { route: '/v2/model', read: true, write: true },
      { route: '/v2/finetuning', read: true, write: true },
    ]);
    assert.ok(!JSON.stringify(r).includes(key.secretKey), 'never the secret');
  });

  test('a read-only key is told it may only read; with no body at all too', async () => {
    const key = await s.newKey(`ro-${Date.now()}`, ['QianfanReadAccessPolicy']);
    const r = await call(s, key, 'DescribeCallerIdentity');
    assert.deepEqual(r.permissions.map((p: any) => [p.route, p.read, p.write]), [['/v2/model', true, false], ['/v2/finetuning', true, false]]);
    assert.deepEqual(r.policies.map((p: any) => p.name), ['QianfanReadAccessPolicy']);
  });
});

describe('DeleteModelSet with deleteVersions', () => {
  test('without the flag a non-empty set is refused, saying how to delete it anyway', async () => {
    const set = await createSet(s, s.key);
    await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    await expectFail(s, s.key, 'DeleteModelSet', { modelSetId: set.modelSetId }, 409, 'ModelSetNotEmpty', /delete them first with DeleteModel, or delete the set with all its versions with DeleteModelSet and deleteVersions: true/);
  });

  test('with deleteVersions: every version (queued imports included) and the set are gone', async () => {
    const set = await createSet(s, s.key);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId))).modelId);
    await call(s, s.key, 'UpdateModel', { modelId: ids[0], tags: [{ key: 'k', value: 'v' }] });
    assert.equal(await call(s, s.key, 'DeleteModelSet', { modelSetId: set.modelSetId, deleteVersions: true }), true);
    await expectFail(s, s.key, 'DescribeModelSet', { modelSetId: set.modelSetId }, 404, 'ModelSetNotFound');
    for (const modelId of ids) await expectFail(s, s.key, 'DescribeModel', { modelId }, 404, 'ModelNotFound');
    const jobs = await s.app.store.db.selectFrom('jobs').select('id').where('subject_id', 'in', ids).execute();
    assert.deepEqual(jobs, [], 'their queued jobs are gone');
    assert.equal((await call(s, s.key, 'DescribeCustomModelSets', { versionTag: 'k' })).pageInfo.totalCount, 0);
  });

  test('a read-only key may not, and nothing is deleted; another account gets not found', async () => {
    const set = await createSet(s, s.key);
    const { modelId } = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    const reader = await s.newKey(`ro2-${Date.now()}`, ['QianfanReadAccessPolicy']);
    await expectFail(s, reader, 'DeleteModelSet', { modelSetId: set.modelSetId, deleteVersions: true }, 403, 'AccessDenied');
    const other = await s.newKey(`x-${Date.now()}`);
    await expectFail(s, other, 'DeleteModelSet', { modelSetId: set.modelSetId, deleteVersions: true }, 404, 'ModelSetNotFound');
    assert.equal((await call(s, s.key, 'DescribeModel', { modelId })).modelId, modelId, 'still there');
    await expectFail(s, s.key, 'DeleteModelSet', { modelSetId: set.modelSetId, deleteVersions: 'yes' }, 400, 'InvalidParameter', /deleteVersions/);
  });
});
