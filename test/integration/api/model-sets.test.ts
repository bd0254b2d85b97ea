// Model sets: create (names, types, uniqueness), describe by id or name, list by marker, delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { API_TIME, createSet, expectFail, makeBucket, transformersImport, uniqueName } from '../../helpers/api.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  makeBucket(s, 'test', 'model');
});
after(() => s.close());

describe('CreateCustomModelSet', () => {
  test('creates a set and answers its id and name', async () => {
    const name = uniqueName('chatglm');
    const r = await call(s, s.key, 'CreateCustomModelSet', { modelSetName: name, modelType: 'Text2Text', labels: ['a', 'b'] });
    assert.deepEqual(Object.keys(r).sort(), ['modelSetId', 'modelSetName']);
    assert.match(r.modelSetId, /^am-[a-z0-9]{12}$/);
    assert.equal(r.modelSetName, name);
  });

  test('every modelType is accepted; others are refused with the list', async () => {
    for (const modelType of ['Text2Text', 'Text2Image', 'TextRepresentation', 'ImageUnderstanding', 'Industry']) {
      const r = await call(s, s.key, 'CreateCustomModelSet', { modelSetName: uniqueName(), modelType });
      assert.equal((await call(s, s.key, 'DescribeModelSet', { modelSetId: r.modelSetId })).modelType, modelType);
    }
    for (const modelType of ['text2text', 'Chat', '']) {
      await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: uniqueName(), modelType }, 400, 'InvalidParameter', /^modelType must be one of: Text2Text, Text2Image, TextRepresentation, ImageUnderstanding, Industry$/);
    }
  });

  test('required fields are named', async () => {
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelType: 'Text2Text' }, 400, 'MissingParameter', /^modelSetName is required$/);
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: uniqueName() }, 400, 'MissingParameter', /^modelType is required$/);
  });

  test('name rules: 2-50 letters (Chinese too), digits, _ - ., starting with a letter', async () => {
    for (const good of ['ab', '模型集', 'chatglm32k_v10', 'a-b.c_d', 'x'.repeat(50)]) {
      await call(s, s.key, 'CreateCustomModelSet', { modelSetName: good, modelType: 'Text2Text' });
    }
    const rule = /modelSetName must be 2-50 characters: letters \(Chinese included\), digits, "_", "-" or "\.", starting with a letter/;
    for (const bad of ['a', '1abc', '_abc', 'has space', 'slash/name', 'emoji😀', '-abc']) {
      await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: bad, modelType: 'Text2Text' }, 400, 'InvalidParameter', rule);
    }
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: '', modelType: 'Text2Text' }, 400, 'InvalidParameter', /^modelSetName must not be empty$/);
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: 'x'.repeat(51), modelType: 'Text2Text' }, 400, 'InvalidParameter', /^modelSetName must be at most 50 characters$/);
  });

  test('labels: at most 20, each 1-64 characters', async () => {
    await call(s, s.key, 'CreateCustomModelSet', { modelSetName: uniqueName(), modelType: 'Text2Text', labels: Array.from({ length: 20 }, (_, i) => `l${i}`) });
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: uniqueName(), modelType: 'Text2Text', labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }, 400, 'InvalidParameter', /^labels must have at most 20 items$/);
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: uniqueName(), modelType: 'Text2Text', labels: [''] }, 400, 'InvalidParameter', /^labels\[0\] must not be empty$/);
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: uniqueName(), modelType: 'Text2Text', labels: ['x'.repeat(65)] }, 400, 'InvalidParameter', /^labels\[0\] must be at most 64 characters$/);
  });

  test('a name already used in the account is 409, whatever the type', async () => {
    const name = uniqueName();
    await createSet(s, s.key, name);
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: name, modelType: 'Text2Text' }, 409, 'ModelSetNameAlreadyExists', new RegExp(`a model set named "${name}" already exists in this account`));
    await expectFail(s, s.key, 'CreateCustomModelSet', { modelSetName: name, modelType: 'Text2Image' }, 409, 'ModelSetNameAlreadyExists');
  });

  test('concurrent creates of one name: exactly one wins, the others are 409', async () => {
    const name = uniqueName('race');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => call(s, s.key, 'CreateCustomModelSet', { modelSetName: name, modelType: 'Text2Text' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.match(String(r.reason), /status = 409[\s\S]*ModelSetNameAlreadyExists/);
  });
});

describe('DescribeModelSet', () => {
  test('by id and by name, with its versions in modelIds', async () => {
    const set = await createSet(s, s.key);
    const v1 = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    const v2 = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, {}, { description: 'second' }));
    const byId = await call(s, s.key, 'DescribeModelSet', { modelSetId: set.modelSetId });
    const byName = await call(s, s.key, 'DescribeModelSet', { modelSetName: set.modelSetName });
    // The background import may move a version's status between the two calls: compare the rest.
    const stable = (d: any) => ({ ...d, modifyTime: undefined, modelVersionList: d.modelVersionList.map((v: any) => ({ modelId: v.modelId, modelName: v.modelName, createTime: v.createTime })) });
    assert.deepEqual(stable(byName), stable(byId));
    assert.equal(byId.modelSetId, set.modelSetId);
    assert.equal(byId.modelSetName, set.modelSetName);
    assert.equal(byId.source, 'UserCreate');
    assert.equal(byId.modelType, 'Text2Text');
    assert.match(byId.createTime, API_TIME);
    assert.match(byId.modifyTime, API_TIME);
    assert.ok(byId.modifyTime >= byId.createTime);
    assert.deepEqual(byId.modelIds, [v1.modelId, v2.modelId]);
    assert.equal(byId.modelCount, 2);
    assert.deepEqual(byId.modelVersionList.map((v: any) => v.modelName), ['V1', 'V2']);
  });

  test('an empty set has empty modelIds', async () => {
    const set = await createSet(s, s.key);
    const d = await call(s, s.key, 'DescribeModelSet', { modelSetId: set.modelSetId });
    assert.deepEqual(d.modelIds, []);
  });

  test('needs modelSetId or modelSetName; a missing one is 404', async () => {
    await expectFail(s, s.key, 'DescribeModelSet', {}, 400, 'MissingParameter', /modelSetId or modelSetName is required/);
    await expectFail(s, s.key, 'DescribeModelSet', { modelSetId: 'am-000000000000' }, 404, 'ModelSetNotFound', /no modelSetId am-000000000000 in this account/);
    await expectFail(s, s.key, 'DescribeModelSet', { modelSetName: 'nothing_here' }, 404, 'ModelSetNotFound', /no modelSetName "nothing_here" in this account/);
  });

  test('id and name together must name the same set', async () => {
    const a = await createSet(s, s.key);
    const b = await createSet(s, s.key);
    assert.equal((await call(s, s.key, 'DescribeModelSet', { modelSetId: a.modelSetId, modelSetName: a.modelSetName })).modelSetId, a.modelSetId);
    await expectFail(s, s.key, 'DescribeModelSet', { modelSetId: a.modelSetId, modelSetName: b.modelSetName }, 404, 'ModelSetNotFound');
  });
});

describe('DescribeCustomModelSets paging', () => {
  let key: Key;
  let created: string[];

  before(async () => {
    key = await s.newKey(uniqueName('pager'));
    created = [];
    // Sequential, so creation order is the listing order.
    for (let i = 0; i < 25; i++) created.push((await createSet(s, key, `page_${String(i).padStart(2, '0')}`)).modelSetId);
  });

  async function walk(pageReverse: boolean): Promise<{ ids: string[]; pages: any[] }> {
    const ids: string[] = [];
    const pages: any[] = [];
    let marker: string | undefined;
    for (let n = 0; n < 10; n++) {
      const r = await call(s, key, 'DescribeCustomModelSets', { maxKeys: 10, pageReverse, ...(marker ? { marker } : {}) });
      pages.push(r.pageInfo);
      ids.push(...r.customModelSetList.map((x: any) => x.modelSetId));
      if (!r.pageInfo.isTruncated) break;
      marker = r.pageInfo.nextMarker;
    }
    return { ids, pages };
  }

  test('forwards: pages of 10, 10, 5, oldest first, every set once', async () => {
    const { ids, pages } = await walk(false);
    assert.deepEqual(ids, created);
    assert.deepEqual(pages.map((p) => p.isTruncated), [true, true, false]);
    assert.deepEqual(pages.map((p) => p.nextMarker), [created[10], created[20], '']);
    assert.deepEqual(pages.map((p) => p.marker), ['', created[10], created[20]]);
    assert.ok(pages.every((p) => p.maxKeys === 10 && p.pageReverse === false));
  });

  test('backwards: newest first, every set once', async () => {
    const { ids, pages } = await walk(true);
    const reversed = [...created].reverse();
    assert.deepEqual(ids, reversed);
    assert.deepEqual(pages.map((p) => p.isTruncated), [true, true, false]);
    assert.deepEqual(pages.map((p) => p.nextMarker), [reversed[10], reversed[20], '']);
    assert.ok(pages.every((p) => p.pageReverse === true));
  });

  test('an exact last page is not truncated', async () => {
    const r = await call(s, key, 'DescribeCustomModelSets', { maxKeys: 5, marker: created[20] });
    assert.equal(r.customModelSetList.length, 5);
    assert.equal(r.pageInfo.isTruncated, false);
    assert.equal(r.pageInfo.nextMarker, '');
  });

  test('maxKeys defaults to 10; above 100 it is served as 100; below 1 it is refused', async () => {
    const d = await call(s, key, 'DescribeCustomModelSets', {});
    assert.equal(d.customModelSetList.length, 10);
    assert.equal(d.pageInfo.maxKeys, 10);
    const big = await call(s, key, 'DescribeCustomModelSets', { maxKeys: 1000 });
    assert.equal(big.pageInfo.maxKeys, 100);
    assert.equal(big.customModelSetList.length, 25);
    assert.equal(big.pageInfo.isTruncated, false);
    await expectFail(s, key, 'DescribeCustomModelSets', { maxKeys: 0 }, 400, 'InvalidParameter', /^maxKeys must be >= 1$/);
  });

  test('list entries carry the set fields', async () => {
    const r = await call(s, key, 'DescribeCustomModelSets', { maxKeys: 1 });
    const e = r.customModelSetList[0];
    assert.equal(e.modelSetId, created[0]);
    assert.equal(e.modelSetName, 'page_00');
    assert.equal(e.modelType, 'Text2Text');
    assert.equal(e.source, 'UserCreate');
    assert.match(e.createTime, API_TIME);
    assert.deepEqual(e.modelIds, []);
  });

  test('an unknown marker is a clear 400', async () => {
    await expectFail(s, key, 'DescribeCustomModelSets', { marker: 'am-000000000000' }, 400, 'InvalidParameter', /marker am-000000000000 does not name a model set of this account; pass the nextMarker of a previous page/);
  });

  test('more than 100 sets are reachable page by page', async () => {
    const many = await s.newKey(uniqueName('many'));
    const ids = new Set<string>();
    for (let i = 0; i < 105; i += 15) {
      const batch = await Promise.all(Array.from({ length: Math.min(15, 105 - i) }, () => createSet(s, many)));
      for (const b of batch) ids.add(b.modelSetId);
    }
    const first = await call(s, many, 'DescribeCustomModelSets', { maxKeys: 500 });
    assert.equal(first.customModelSetList.length, 100);
    assert.equal(first.pageInfo.isTruncated, true);
    const second = await call(s, many, 'DescribeCustomModelSets', { maxKeys: 500, marker: first.pageInfo.nextMarker });
    assert.equal(second.customModelSetList.length, 5);
    const seen = [...first.customModelSetList, ...second.customModelSetList].map((x: any) => x.modelSetId);
    assert.equal(new Set(seen).size, 105);
    assert.deepEqual(new Set(seen), ids);
  });
});

describe('DeleteModelSet', () => {
  test('refused with 409 while the set has versions, then allowed', async () => {
    const set = await createSet(s, s.key);
    const v = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    await expectFail(s, s.key, 'DeleteModelSet', { modelSetId: set.modelSetId }, 409, 'ModelSetNotEmpty', new RegExp(`model set ${set.modelSetId} still has 1 version\\(s\\); delete them first with DeleteModel`));
    assert.deepEqual((await call(s, s.key, 'DescribeModelSet', { modelSetId: set.modelSetId })).modelIds, [v.modelId]);
    assert.equal(await call(s, s.key, 'DeleteModel', { modelId: v.modelId }), true);
    assert.equal(await call(s, s.key, 'DeleteModelSet', { modelSetId: set.modelSetId }), true);
    await expectFail(s, s.key, 'DescribeModelSet', { modelSetId: set.modelSetId }, 404, 'ModelSetNotFound');
    await expectFail(s, s.key, 'DeleteModelSet', { modelSetId: set.modelSetId }, 404, 'ModelSetNotFound');
    // The name is free again.
    await createSet(s, s.key, set.modelSetName);
  });

  test('modelSetId is required', async () => {
    await expectFail(s, s.key, 'DeleteModelSet', {}, 400, 'MissingParameter', /^modelSetId is required$/);
  });
});
