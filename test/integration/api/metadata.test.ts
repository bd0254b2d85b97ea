// Editable metadata (issue 15, item 3) through the real SDK: UpdateModelSet (description, labels)
// and UpdateModel (description, key/value tags), their policies, their limits, and tag search.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { createSet, expectFail, makeBucket, transformersImport } from '../../helpers/api.js';

let s: TestServer;
let key: Key;
let setId: string;
let modelId: string;

before(async () => {
  s = await startServer({ importConcurrency: 0 });
  key = await s.newKey(`meta-${Date.now()}`);
  makeBucket(s, 'test', 'model');
  setId = (await createSet(s, key, 'meta-set')).modelSetId;
  modelId = (await call(s, key, 'CreateCustomModel', transformersImport(setId, {}, { description: 'first' }))).modelId;
});
after(() => s.close());

describe('UpdateModelSet', () => {
  test('sets the description (Markdown kept as written) and replaces the labels', async () => {
    const md = '# Qwen2 fine-tunes\n\n- **V1**: first try <script>x</script>';
    assert.equal(await call(s, key, 'UpdateModelSet', { modelSetId: setId, description: md, labels: ['chat', ' prod ', 'chat'] }), true);
    const d = await call(s, key, 'DescribeModelSet', { modelSetId: setId });
    assert.equal(d.description, md);
    assert.deepEqual(d.labels, ['chat', 'prod'], 'trimmed, duplicates dropped');
    assert.ok(Date.parse(d.modifyTime) >= Date.parse(d.createTime));
    const found = await call(s, key, 'DescribeCustomModelSets', { label: 'prod' });
    assert.deepEqual(found.customModelSetList.map((x: any) => x.modelSetId), [setId]);
    assert.equal(found.customModelSetList[0].description, md);
    // Only what is given changes; an empty description removes it.
    await call(s, key, 'UpdateModelSet', { modelSetId: setId, description: '' });
    const after = await call(s, key, 'DescribeModelSet', { modelSetId: setId });
    assert.equal(after.description, undefined);
    assert.deepEqual(after.labels, ['chat', 'prod']);
  });

  test('refusals: nothing to update, unknown set, another account, a read-only key, over-long fields', async () => {
    await expectFail(s, key, 'UpdateModelSet', { modelSetId: setId }, 400, 'MissingParameter', /nothing to update/);
    await expectFail(s, key, 'UpdateModelSet', { modelSetId: 'am-nothere00000', labels: [] }, 404, 'ModelSetNotFound');
    const other = await s.newKey(`other-${Date.now()}`);
    await expectFail(s, other, 'UpdateModelSet', { modelSetId: setId, labels: ['x'] }, 404, 'ModelSetNotFound');
    await expectFail(s, key, 'UpdateModelSet', { modelSetId: setId, description: 'x'.repeat(8193) }, 400, 'InvalidParameter', /description/);
    await expectFail(s, key, 'UpdateModelSet', { modelSetId: setId, labels: ['x'.repeat(65)] }, 400, 'InvalidParameter', /labels/);
  });
});

describe('UpdateModel', () => {
  test('description and tags; DescribeModel shows them; tags replace as a whole', async () => {
    await call(s, key, 'UpdateModel', { modelId, description: 'Trained on **v2** data', tags: [{ key: 'dataset', value: 'alpaca-v2' }, { key: 'eval:mmlu', value: '0.61' }] });
    let d = await call(s, key, 'DescribeModel', { modelId });
    assert.equal(d.description, 'Trained on **v2** data');
    assert.deepEqual(d.tags, [{ key: 'dataset', value: 'alpaca-v2' }, { key: 'eval:mmlu', value: '0.61' }]);
    await call(s, key, 'UpdateModel', { modelId, tags: [{ key: 'dataset', value: 'alpaca-v3' }] });
    d = await call(s, key, 'DescribeModel', { modelId });
    assert.deepEqual(d.tags, [{ key: 'dataset', value: 'alpaca-v3' }], 'keys left out are removed');
    assert.equal(d.description, 'Trained on **v2** data', 'the description is kept');
    const set = await call(s, key, 'DescribeModelSet', { modelSetId: setId });
    assert.equal(set.modelVersionList[0].description, 'Trained on **v2** data');
  });

  test('tags are searchable: sets with a version carrying a tag (key, or key=value)', async () => {
    const byKey = await call(s, key, 'DescribeCustomModelSets', { versionTag: 'dataset' });
    assert.deepEqual(byKey.customModelSetList.map((x: any) => x.modelSetId), [setId]);
    assert.equal((await call(s, key, 'DescribeCustomModelSets', { versionTag: 'dataset=alpaca-v3' })).pageInfo.totalCount, 1);
    assert.equal((await call(s, key, 'DescribeCustomModelSets', { versionTag: 'dataset=alpaca-v2' })).pageInfo.totalCount, 0);
    assert.equal((await call(s, key, 'DescribeCustomModelSets', { versionTag: 'eval:mmlu' })).pageInfo.totalCount, 0);
  });

  test('refusals: bad keys, too many tags, non-string values, unknown version, read-only key', async () => {
    await expectFail(s, key, 'UpdateModel', { modelId, tags: [{ key: ' lead', value: 'x' }] }, 400, 'InvalidParameter', /key " lead" must be 1-64 characters/);
    await expectFail(s, key, 'UpdateModel', { modelId, tags: [{ key: 'a\nb', value: 'x' }] }, 400, 'InvalidParameter', /tags: key/);
    await expectFail(s, key, 'UpdateModel', { modelId, tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }, 400, 'InvalidParameter', /key "a" is given twice/);
    await expectFail(s, key, 'UpdateModel', { modelId, tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, 400, 'InvalidParameter', /tags/);
    await expectFail(s, key, 'UpdateModel', { modelId, tags: [{ key: 'a', value: 1 }] }, 400, 'InvalidParameter', /tags/);
    await expectFail(s, key, 'UpdateModel', { modelId, tags: [{ key: 'a', value: 'v'.repeat(257) }] }, 400, 'InvalidParameter', /tags/);
    await expectFail(s, key, 'UpdateModel', { modelId: 'amv-nothere00000', description: 'x' }, 404, 'ModelNotFound');
    const reader = await s.newKey(`meta-reader-${Date.now()}`, ['QianfanReadAccessPolicy']);
    await expectFail(s, reader, 'UpdateModel', { modelId, description: 'x' }, 403, 'AccessDenied');
    await expectFail(s, reader, 'UpdateModelSet', { modelSetId: setId, description: 'x' }, 403, 'AccessDenied');
  });

  test('deleting a version deletes its tags', async () => {
    const v2 = (await call(s, key, 'CreateCustomModel', transformersImport(setId))).modelId;
    await call(s, key, 'UpdateModel', { modelId: v2, tags: [{ key: 'only', value: 'v2' }] });
    assert.equal((await call(s, key, 'DescribeCustomModelSets', { versionTag: 'only' })).pageInfo.totalCount, 1);
    await call(s, key, 'DeleteModel', { modelId: v2 });
    assert.equal((await call(s, key, 'DescribeCustomModelSets', { versionTag: 'only' })).pageInfo.totalCount, 0);
  });
});
