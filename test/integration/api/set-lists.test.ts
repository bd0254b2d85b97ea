// Lists that scale (issue 15, item 2): DescribeCustomModelSets' modelreg extensions through the
// real SDK — sortBy (createTime, modifyTime, modelSetName) both ways, totalCount, and filters run
// in the database (name substring, label, model type, sets with failed versions) — while a
// request with Qianfan's fields only is answered as before (oldest first).
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
