// Model versions: what DescribeModel shows right after creation (seeds/describe-model.txt's
// result table), DescribeModelCustomAdvancedConf, DescribeCustomModels and DeleteModel.
// Imports are processed in the background, so the status is only checked to be a valid one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { API_TIME, createSet, expectFail, makeBucket, safetensorsImport, transformersImport, vllmImport } from '../../helpers/api.js';

const STATUSES = ['Creating', 'Ready', 'Fail'];

let s: TestServer;
before(async () => {
  s = await startServer();
  makeBucket(s, 'test', 'model');
  makeBucket(s, 'weights', 'org/llama/v1');
  makeBucket(s, 'images', 'sdxl');
});
after(() => s.close());

describe('DescribeModel', () => {
  test('a Transformers chat import: every field of the result table that applies', async () => {
    const set = await createSet(s, s.key);
    const chatConf = { historyQATemplate: 'U: {question} A: {answer}', latestQuestionTemplate: 'U: {question} A:', promptTemplate: 'p' };
    const created = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { chatConf, enablePromptAutoConcat: false }, { description: '第一版 first' }));
    assert.deepEqual(Object.keys(created).sort(), ['modelId', 'modelSetId']);
    const d = await call(s, s.key, 'DescribeModel', { modelId: created.modelId });
    assert.equal(d.modelSetId, set.modelSetId);
    assert.equal(d.modelSetName, set.modelSetName);
    assert.equal(d.modelId, created.modelId);
    assert.equal(d.modelName, 'V1');
    assert.equal(d.description, '第一版 first');
    assert.deepEqual(d.sourceInfo, { sourceType: 'Import', importModelVersionBosUrl: 'bos://test/model' });
    assert.ok(STATUSES.includes(d.status), d.status);
    assert.equal(d.modelApplicationType, 'chat');
    assert.equal(d.endpointType, 'chat');
    assert.match(d.createTime, API_TIME);
    assert.match(d.modifyTime, API_TIME);
    assert.ok(Math.abs(Date.parse(d.createTime) - Date.now()) < 60_000, `createTime ${d.createTime} is now`);
    assert.ok(Date.parse(d.modifyTime) >= Date.parse(d.createTime));
    for (const f of ['isSupportDeploy', 'isSupportModelComp', 'isSupportEvaluation']) assert.equal(typeof d[f], 'boolean', f);
    assert.ok(Array.isArray(d.modelCompConfigs));
    assert.equal(d.transformerVersion, '4.36.2');
    assert.deepEqual(d.chatConf, chatConf);
    assert.equal(d.enablePromptAutoConcat, false);
    assert.equal(d.model, undefined, 'no basicModelName, no model');
    assert.equal(d.resourceConfig, undefined);
    if (d.status === 'Fail') assert.equal(typeof d.failureReason, 'string');
  });

  test('a vLLM import: model, advancedSettings, resourceConfig, vLLMVersion; no description when none was given', async () => {
    const set = await createSet(s, s.key);
    const advancedSettings = { samplingStrategy: 'beamSearch', numBeams: 4, topLogprobs: 5 };
    const created = await call(
      s,
      s.key,
      'CreateCustomModel',
      vllmImport(set.modelSetId, { bucket: 'weights', objectPath: 'org/llama/v1/', basicModelName: 'Llama-3-8B', enablePromptAutoConcat: true, advancedSettings }, { resourceConfig: { resourceId: 'prl-yqec88en7r08' } }),
    );
    const d = await call(s, s.key, 'DescribeModel', { modelId: created.modelId });
    assert.ok(!('description' in d), 'no description field when there is none');
    assert.deepEqual(d.sourceInfo, { sourceType: 'Import', importModelVersionBosUrl: 'bos://weights/org/llama/v1' });
    assert.equal(d.model, 'Llama-3-8B');
    assert.deepEqual(d.advancedSettings, advancedSettings);
    assert.deepEqual(d.resourceConfig, { resourceId: 'prl-yqec88en7r08' });
    assert.equal(d.vLLMVersion, '0.6.3');
    assert.equal(d.enablePromptAutoConcat, true);
    assert.equal(d.modelApplicationType, 'chat');
  });

  test('a Safetensors Text-to-Image import', async () => {
    const set = await createSet(s, s.key, undefined, 'Text2Image');
    const created = await call(s, s.key, 'CreateCustomModel', safetensorsImport(set.modelSetId, { bucket: 'images', objectPath: 'sdxl' }));
    const d = await call(s, s.key, 'DescribeModel', { modelId: created.modelId });
    assert.deepEqual(d.sourceInfo, { sourceType: 'Import', importModelVersionBosUrl: 'bos://images/sdxl' });
    assert.equal(d.modelApplicationType, 'Text-to-Image');
    assert.equal(d.transformerVersion, undefined);
  });

  test('versions are named V1, V2, … per set', async () => {
    const a = await createSet(s, s.key);
    const b = await createSet(s, s.key);
    const names: string[] = [];
    for (const setId of [a.modelSetId, b.modelSetId, a.modelSetId, a.modelSetId, b.modelSetId]) {
      const v = await call(s, s.key, 'CreateCustomModel', transformersImport(setId));
      names.push((await call(s, s.key, 'DescribeModel', { modelId: v.modelId })).modelName);
    }
    assert.deepEqual(names, ['V1', 'V1', 'V2', 'V3', 'V2']);
  });

  test("times carry the server's UTC offset (+08:00, -05:00, +05:30) and denote the same instant", async () => {
    const set = await createSet(s, s.key);
    const v = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    const saved = process.env.TZ;
    try {
      const seen: string[] = [];
      for (const [tz, offset] of [['UTC', '+00:00'], ['Asia/Shanghai', '+08:00'], ['America/New_York', /^-0[45]:00$/], ['Asia/Kolkata', '+05:30']] as const) {
        process.env.TZ = tz;
        const d = await call(s, s.key, 'DescribeModel', { modelId: v.modelId });
        assert.match(d.createTime, API_TIME);
        const got = d.createTime.slice(-6);
        if (typeof offset === 'string') assert.equal(got, offset, `${tz}: ${d.createTime}`);
        else assert.match(got, offset, `${tz}: ${d.createTime}`);
        seen.push(d.createTime);
      }
      assert.equal(new Set(seen.map((t) => Date.parse(t))).size, 1, `one instant: ${seen.join(', ')}`);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  test('a missing version is 404 ModelNotFound; modelId is required', async () => {
    await expectFail(s, s.key, 'DescribeModel', { modelId: 'amv-000000000000' }, 404, 'ModelNotFound', /model version not found: no modelId amv-000000000000 in this account/);
    await expectFail(s, s.key, 'DescribeModel', {}, 400, 'MissingParameter', /^modelId is required$/);
    await expectFail(s, s.key, 'DescribeModel', { modelId: '' }, 400, 'InvalidParameter', /^modelId must not be empty$/);
  });
});

describe('DescribeModelCustomAdvancedConf', () => {
  test('returns the advanceConf string as given, or "{}"', async () => {
    const set = await createSet(s, s.key);
    const conf = '{"max_input_tokens": 4096, "stop": ["</s>"]}';
    const withConf = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { advanceConf: conf }));
    const without = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    const image = await call(s, s.key, 'CreateCustomModel', safetensorsImport(set.modelSetId));
    assert.equal(await call(s, s.key, 'DescribeModelCustomAdvancedConf', { modelId: withConf.modelId }), conf);
    assert.equal(await call(s, s.key, 'DescribeModelCustomAdvancedConf', { modelId: without.modelId }), '{}');
    assert.equal(await call(s, s.key, 'DescribeModelCustomAdvancedConf', { modelId: image.modelId }), '{}');
  });

  test('a missing version is 404', async () => {
    await expectFail(s, s.key, 'DescribeModelCustomAdvancedConf', { modelId: 'amv-000000000000' }, 404, 'ModelNotFound');
  });
});

describe('DescribeCustomModels', () => {
  test("lists a set's versions with their status, oldest first, paged by marker", async () => {
    const set = await createSet(s, s.key);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, {}, i === 0 ? { description: 'd0' } : {}))).modelId);
    const all = await call(s, s.key, 'DescribeCustomModels', { modelSetId: set.modelSetId });
    assert.equal(all.modelSetId, set.modelSetId);
    assert.deepEqual(all.customModelList.map((v: any) => v.modelId), ids);
    assert.deepEqual(all.customModelList.map((v: any) => v.modelName), ['V1', 'V2', 'V3', 'V4', 'V5']);
    for (const v of all.customModelList) {
      assert.ok(STATUSES.includes(v.status), v.status);
      assert.equal(v.sourceType, 'Import');
      assert.match(v.createTime, API_TIME);
      assert.match(v.modifyTime, API_TIME);
    }
    assert.equal(all.customModelList[0].description, 'd0');
    assert.ok(!('description' in all.customModelList[1]));
    assert.equal(all.pageInfo.isTruncated, false);

    const p1 = await call(s, s.key, 'DescribeCustomModels', { modelSetId: set.modelSetId, maxKeys: 2 });
    assert.deepEqual(p1.customModelList.map((v: any) => v.modelId), ids.slice(0, 2));
    assert.equal(p1.pageInfo.isTruncated, true);
    assert.equal(p1.pageInfo.nextMarker, ids[2]);
    const p2 = await call(s, s.key, 'DescribeCustomModels', { modelSetId: set.modelSetId, maxKeys: 2, marker: p1.pageInfo.nextMarker });
    assert.deepEqual(p2.customModelList.map((v: any) => v.modelId), ids.slice(2, 4));
    const p3 = await call(s, s.key, 'DescribeCustomModels', { modelSetId: set.modelSetId, maxKeys: 2, marker: p2.pageInfo.nextMarker });
    assert.deepEqual(p3.customModelList.map((v: any) => v.modelId), ids.slice(4));
    assert.equal(p3.pageInfo.isTruncated, false);
    assert.equal(p3.pageInfo.nextMarker, '');

    const rev = await call(s, s.key, 'DescribeCustomModels', { modelSetId: set.modelSetId, pageReverse: true });
    assert.deepEqual(rev.customModelList.map((v: any) => v.modelId), [...ids].reverse());
  });

  test('an unknown marker is a clear 400, like DescribeCustomModelSets', async () => {
    const set = await createSet(s, s.key);
    await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    await expectFail(s, s.key, 'DescribeCustomModels', { modelSetId: set.modelSetId, marker: 'amv-000000000000' }, 400, 'InvalidParameter', /marker amv-000000000000 does not name a version of this model set/);
  });

  test('an empty set lists nothing; a missing set is 404', async () => {
    const set = await createSet(s, s.key);
    const r = await call(s, s.key, 'DescribeCustomModels', { modelSetId: set.modelSetId });
    assert.deepEqual(r.customModelList, []);
    await expectFail(s, s.key, 'DescribeCustomModels', { modelSetId: 'am-000000000000' }, 404, 'ModelSetNotFound');
  });
});

describe('DeleteModel', () => {
  test('deletes one version; it is gone from every view; deleting again is 404', async () => {
    const set = await createSet(s, s.key);
    const v1 = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    const v2 = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
    assert.equal(await call(s, s.key, 'DeleteModel', { modelId: v1.modelId }), true);
    await expectFail(s, s.key, 'DescribeModel', { modelId: v1.modelId }, 404, 'ModelNotFound');
    await expectFail(s, s.key, 'DescribeModelCustomAdvancedConf', { modelId: v1.modelId }, 404, 'ModelNotFound');
    await expectFail(s, s.key, 'DeleteModel', { modelId: v1.modelId }, 404, 'ModelNotFound');
    const d = await call(s, s.key, 'DescribeModelSet', { modelSetId: set.modelSetId });
    assert.deepEqual(d.modelIds, [v2.modelId]);
    const list = await call(s, s.key, 'DescribeCustomModels', { modelSetId: set.modelSetId });
    assert.deepEqual(list.customModelList.map((v: any) => v.modelId), [v2.modelId]);
    // The other version is untouched.
    assert.equal((await call(s, s.key, 'DescribeModel', { modelId: v2.modelId })).modelName, 'V2');
  });

  test('modelId is required', async () => {
    await expectFail(s, s.key, 'DeleteModel', {}, 400, 'MissingParameter', /^modelId is required$/);
  });
});
