// Lists that scale (issue 15, item 2): DescribeCustomModelSets' modelreg extensions through the
// real SDK — sortBy (createTime, modifyTime, modelSetName) both ways, totalCount, and filters run
// in the database (name substring, label, model type, sets with failed versions) — while a
// request with Qianfan's fields only is answered as before (oldest first). The label filter reads
// rows kept per label (migration 0016): the last test changes labels and sets and reads it after each.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { call, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { expectFail, makeBucket, transformersImport } from '../../helpers/api.js';
import { settle } from '../pipeline/pipeline-helpers.js';

let s: TestServer;
let key: Key;
const ids: Record<string, string> = {};
const list = async (body: Record<string, unknown> = {}) => call(s, key, 'DescribeCustomModelSets', body);
const names = (r: any) => r.customModelSetList.map((x: any) => x.modelSetName);

before(async () => {
  s = await startServer({ jobPollMs: 100 });
  key = await s.newKey(`lists-${Date.now()}`);
  makeBucket(s, 'broken', 'model'); // a config.json alone: its import fails
  const sets: Array<[string, string, string[]]> = [
    ['beta', 'Text2Text', ['chat']],
    ['Alpha', 'Text2Image', ['image', 'sd']],
    ['gamma-chat', 'Text2Text', ['chat', 'prod']],
    ['delta_x', 'TextRepresentation', []],
    ['epsilon100', 'Text2Text', ['100%']],
  ];
  for (const [name, modelType, labels] of sets) {
    ids[name] = (await call(s, key, 'CreateCustomModelSet', { modelSetName: name, modelType, labels })).modelSetId;
    await sleep(5); // distinct creation times
  }
  // beta gets a failed version (and so becomes the most recently modified set).
  const { modelId } = await call(s, key, 'CreateCustomModel', transformersImport(ids.beta!, { bucket: 'broken', objectPath: 'model' }));
  assert.equal((await settle(s, key, modelId)).status, 'Fail');
});
after(() => s.close());

describe('DescribeCustomModelSets: order', () => {
  test('Qianfan fields only: oldest first, as before; totalCount added to pageInfo', async () => {
    const r = await list({ maxKeys: 10 });
    assert.deepEqual(names(r), ['beta', 'Alpha', 'gamma-chat', 'delta_x', 'epsilon100']);
    assert.deepEqual(r.pageInfo, { marker: '', maxKeys: 10, isTruncated: false, nextMarker: '', pageReverse: false, totalCount: 5 });
  });

  test('newest first with pageReverse; paging by marker keeps the order and the total', async () => {
    const p1 = await list({ maxKeys: 2, pageReverse: true });
    assert.deepEqual(names(p1), ['epsilon100', 'delta_x']);
    assert.equal(p1.pageInfo.totalCount, 5);
    assert.equal(p1.pageInfo.isTruncated, true);
    const p2 = await list({ maxKeys: 2, pageReverse: true, marker: p1.pageInfo.nextMarker });
    assert.deepEqual(names(p2), ['gamma-chat', 'Alpha']);
    const p3 = await list({ maxKeys: 2, pageReverse: true, marker: p2.pageInfo.nextMarker });
    assert.deepEqual(names(p3), ['beta']);
    assert.equal(p3.pageInfo.isTruncated, false);
  });

  test('sortBy modelSetName and modifyTime, both directions, with markers', async () => {
    const byName = await list({ sortBy: 'modelSetName', maxKeys: 3 });
    // (Names chosen so that byte order and PostgreSQL's locale collation agree.)
    assert.deepEqual(names(byName), ['Alpha', 'beta', 'delta_x']);
    const rest = await list({ sortBy: 'modelSetName', maxKeys: 3, marker: byName.pageInfo.nextMarker });
    assert.deepEqual(names(rest), ['epsilon100', 'gamma-chat']);
    assert.deepEqual(names(await list({ sortBy: 'modelSetName', pageReverse: true })), ['gamma-chat', 'epsilon100', 'delta_x', 'beta', 'Alpha']);
    const modified = await list({ sortBy: 'modifyTime', pageReverse: true, maxKeys: 2 });
    assert.equal(names(modified)[0], 'beta', 'a new version modifies its set');
    assert.deepEqual(names(modified), ['beta', 'epsilon100']);
  });

  test('a bad sortBy or filter value is refused in the envelope', async () => {
    await expectFail(s, key, 'DescribeCustomModelSets', { sortBy: 'size' }, 400, 'InvalidParameter', /sortBy must be one of: createTime, modifyTime, modelSetName/);
    await expectFail(s, key, 'DescribeCustomModelSets', { versionStatus: 'Broken' }, 400, 'InvalidParameter', /versionStatus must be one of/);
    await expectFail(s, key, 'DescribeCustomModelSets', { nameContains: 'x'.repeat(65) }, 400, 'InvalidParameter', /nameContains/);
  });
});

describe('DescribeCustomModelSets: filters in the database', () => {
  test('nameContains: case-insensitive substring; % and _ match themselves', async () => {
    assert.deepEqual(names(await list({ nameContains: 'ALPH' })), ['Alpha']);
    assert.deepEqual(names(await list({ nameContains: 'a' })), ['beta', 'Alpha', 'gamma-chat', 'delta_x']);
    assert.deepEqual(names(await list({ nameContains: '_' })), ['delta_x']);
    assert.deepEqual(names(await list({ nameContains: '%' })), []);
    const r = await list({ nameContains: 'a', maxKeys: 1 });
    assert.equal(r.pageInfo.totalCount, 4, 'the total counts the matches');
  });

  test('label: one of the labels, exactly', async () => {
    assert.deepEqual(names(await list({ label: 'chat' })), ['beta', 'gamma-chat']);
    assert.deepEqual(names(await list({ label: 'Chat' })), []);
    // beta's failed version modified it after gamma-chat was created.
    assert.deepEqual(names(await list({ label: 'chat', sortBy: 'modifyTime', pageReverse: true })), ['beta', 'gamma-chat']);
    assert.deepEqual(names(await list({ label: 'chat', sortBy: 'modelSetName', pageReverse: true })), ['gamma-chat', 'beta']);
    assert.deepEqual(names(await list({ label: 'cha' })), []);
    assert.deepEqual(names(await list({ label: '100%' })), ['epsilon100']);
  });

  test('modelType, failed versions, and filters combined', async () => {
    assert.deepEqual(names(await list({ modelType: 'Text2Text' })), ['beta', 'gamma-chat', 'epsilon100']);
    const failed = await list({ hasFailedVersions: true });
    assert.deepEqual(names(failed), ['beta']);
    assert.equal(failed.customModelSetList[0].modelVersionList[0].status, 'Fail', 'the list shows the failed version');
    assert.deepEqual(names(await list({ versionStatus: 'Fail' })), ['beta']);
    assert.deepEqual(names(await list({ versionStatus: 'Ready' })), []);
    assert.deepEqual(names(await list({ modelType: 'Text2Text', label: 'chat', nameContains: 'gam' })), ['gamma-chat']);
    assert.equal((await list({ modelType: 'Industry' })).pageInfo.totalCount, 0);
  });

  test('another account sees none of these', async () => {
    const other = await s.newKey(`other-${Date.now()}`);
    const r = await call(s, other, 'DescribeCustomModelSets', { nameContains: 'a' });
    assert.equal(r.pageInfo.totalCount, 0);
  });
});

describe('DescribeCustomModelSets: the label filter follows every write of the labels', () => {
  test('labels replaced, a description edited, a version added, sets deleted: matches, order, markers and totalCount follow', async () => {
    const k = await s.newKey(`labels-${Date.now()}`);
    const id: Record<string, string> = {};
    const create = async (name: string, labels: string[]) => {
      id[name] = (await call(s, k, 'CreateCustomModelSet', { modelSetName: name, modelType: 'Text2Text', labels })).modelSetId;
      await sleep(5); // distinct creation and modification times
    };
    const blue = async (body: Record<string, unknown> = {}) => {
      const r = await call(s, k, 'DescribeCustomModelSets', { label: 'blue', ...body });
      return { names: names(r), total: r.pageInfo.totalCount };
    };
    const update = async (name: string, body: Record<string, unknown>) => {
      assert.equal(await call(s, k, 'UpdateModelSet', { modelSetId: id[name], ...body }), true);
      await sleep(5);
    };
    await create('l-one', ['blue']);
    await create('l-two', ['blue', 'blue', 'red']);
    await create('l-three', []);
    await create('l-four', ['red']);
    await create('l-five', ['blue']);
    assert.deepEqual(await blue(), { names: ['l-one', 'l-two', 'l-five'], total: 3 }, 'a label given twice counts once');

    await update('l-three', { labels: ['blue'] });
    await update('l-two', { labels: ['red'] });
    assert.deepEqual(await blue(), { names: ['l-one', 'l-three', 'l-five'], total: 3 });
    assert.deepEqual(await blue({ sortBy: 'modifyTime', pageReverse: true }), { names: ['l-three', 'l-five', 'l-one'], total: 3 });
    // Editing only the description moves the set in modifyTime order, within the label too.
    await update('l-one', { description: 'now first by modification' });
    assert.deepEqual(await blue({ sortBy: 'modifyTime', pageReverse: true }), { names: ['l-one', 'l-three', 'l-five'], total: 3 });
    assert.deepEqual(await blue({ sortBy: 'modelSetName' }), { names: ['l-five', 'l-one', 'l-three'], total: 3 });
    assert.deepEqual(await blue({ nameContains: 'THR' }), { names: ['l-three'], total: 1 });
    assert.deepEqual(await blue({ label: 'Blue' }), { names: [], total: 0 }, 'a label matches exactly, case included');
    assert.deepEqual(names(await call(s, k, 'DescribeCustomModelSets', { label: 'red' })), ['l-two', 'l-four']);

    // Paging by marker through the label's sets, newest first.
    const p1 = await call(s, k, 'DescribeCustomModelSets', { label: 'blue', maxKeys: 2, pageReverse: true });
    assert.deepEqual([names(p1), p1.pageInfo.isTruncated, p1.pageInfo.nextMarker], [['l-five', 'l-three'], true, id['l-one']]);
    const p2 = await call(s, k, 'DescribeCustomModelSets', { label: 'blue', maxKeys: 2, pageReverse: true, marker: p1.pageInfo.nextMarker });
    assert.deepEqual([names(p2), p2.pageInfo.isTruncated, p2.pageInfo.totalCount], [['l-one'], false, 3]);

    // A new version modifies its set: first by modifyTime among the label's sets.
    await create('l-six', ['blue']);
    const { modelId } = await call(s, k, 'CreateCustomModel', transformersImport(id['l-six']!, { bucket: 'broken', objectPath: 'model' }));
    await settle(s, k, modelId);
    await update('l-one', { description: 'edited again' });
    const { modelId: second } = await call(s, k, 'CreateCustomModel', transformersImport(id['l-six']!, { bucket: 'broken', objectPath: 'model' }));
    await settle(s, k, second);
    assert.equal((await blue({ sortBy: 'modifyTime', pageReverse: true })).names[0], 'l-six');

    // Deleted sets leave the filter; a new set may take a deleted one's name and label.
    await call(s, k, 'DeleteModelSet', { modelSetId: id['l-five'] });
    await call(s, k, 'DeleteModelSet', { modelSetId: id['l-six'], deleteVersions: true });
    assert.deepEqual(await blue(), { names: ['l-one', 'l-three'], total: 2 });
    await create('l-five', ['blue']);
    assert.deepEqual(await blue(), { names: ['l-one', 'l-three', 'l-five'], total: 3 });
    await update('l-one', { labels: [] });
    assert.deepEqual(await blue(), { names: ['l-three', 'l-five'], total: 2 });
  });
});
