// Issue 13, items 4 and 6: the catalogue actions. DescribeFineTuningSupportModels answers the
// operator's file (or a built-in list) in the shape the Python SDK's trainer consumes;
// DescribeSystemModelSets answers the operator's preset file (empty by default); the
// compression-task actions answer a specific ModelCompressionNotSupported.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, sdk, sdkFails, startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { assertError } from '../../helpers/api.js';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';

let s: TestServer;
let configured: TestServer;
const dir = tempDir('modelreg-catalogues-');
const ftFile = path.join(dir, 'fine-tuning-models.json');
const presetsFile = path.join(dir, 'presets.json');

const MY_MODELS = [
  {
    model: 'House-LLM-7B',
    modelType: 'text2text',
    supportTrainMode: [
      {
        trainMode: 'SFT',
        supportParameterScale: [
          {
            parameterScale: 'LoRA',
            supportHyperParameterConfig: [{ key: 'epoch', name: 'epoch', description: 'passes', type: 'int', checkType: 'range', checkValue: [1, 5], default: 2 }],
          },
        ],
      },
    ],
  },
];
const PRESETS = [
  { modelSetName: 'Qwen2.5-7B-Instruct', modelType: 'Text2Text', description: 'base', labels: ['open'], createTime: '2025-01-02T03:04:05Z' },
  { modelSetId: 'am-house-embed', modelSetName: 'House-Embedding', modelType: 'TextRepresentation', modelIds: ['amv-house-embed-v1'], modelNames: ['V1'] },
  { modelSetName: 'SDXL', modelType: 'Text2Image' },
];

before(async () => {
  fs.writeFileSync(ftFile, JSON.stringify(MY_MODELS));
  fs.writeFileSync(presetsFile, JSON.stringify(PRESETS));
  s = await startServer();
  configured = await startServer({ fineTuningModelsFile: ftFile, systemModelSetsFile: presetsFile });
});
after(async () => {
  await s.close();
  await configured.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * What python/qianfan/trainer/configs.py makes of the answer: _parse_model_info_list (lines
 * 498-540) per trainMode, and _update_train_config (lines 442-460), which skips (with a warning)
 * any hyperparameter lacking key, type, checkType, name or description.
 */
function pythonConsumes(list: any[], trainMode: string): Record<string, { peft: string[]; limits: Record<string, Record<string, unknown>> }> {
  const out: Record<string, { peft: string[]; limits: Record<string, Record<string, unknown>> }> = {};
  const typeMapping = ['integer', 'string', 'number', 'array', 'float', 'int', 'str', 'boolean', 'bool'];
  for (const info of list) {
    assert.ok(['text2text', 'text2image', 'imageUnderstanding'].includes(info.modelType ?? 'text2text'), `FinetuneSupportModelType ${info.modelType}`);
    let has = false;
    const m = { peft: [] as string[], limits: {} as Record<string, Record<string, unknown>> };
    for (const mode of info.supportTrainMode) {
      for (const scale of mode.supportParameterScale) {
        for (const p of scale.supportHyperParameterConfig) {
          for (const k of ['key', 'type', 'checkType', 'name', 'description', 'default', 'checkValue']) assert.ok(k in p, `${info.model} ${scale.parameterScale}: ${k} missing`);
          assert.ok(typeMapping.includes(p.type), `type ${p.type}`);
          assert.ok(['range', 'choice', 'mult_choice'].includes(p.checkType), `checkType ${p.checkType}`);
        }
      }
      if (mode.trainMode !== trainMode) continue;
      has = true;
      for (const scale of mode.supportParameterScale) {
        if (!m.peft.includes(scale.parameterScale)) m.peft.push(scale.parameterScale);
        m.limits[scale.parameterScale] = Object.fromEntries(scale.supportHyperParameterConfig.map((p: any) => [p.key, p.checkValue]));
      }
    }
    if (has) out[info.model] = m;
  }
  return out;
}

describe('DescribeFineTuningSupportModels', () => {
  test('by default: a built-in list of open models with SFT, DPO, KTO and PostPretrain, consumable by the Python trainer', async () => {
    const list = await call(s, s.key, 'DescribeFineTuningSupportModels', {}, '/v2/finetuning');
    assert.ok(Array.isArray(list) && list.length >= 3);
    const sft = pythonConsumes(list, 'SFT');
    assert.ok(sft['Qwen2.5-7B-Instruct']);
    assert.deepEqual(sft['Qwen2.5-7B-Instruct']!.peft.sort(), ['FullFineTuning', 'LoRA']);
    assert.deepEqual(sft['Qwen2.5-7B-Instruct']!.limits.LoRA!.epoch, [1, 50]);
    assert.ok(Object.keys(pythonConsumes(list, 'DPO')).length > 0);
    assert.ok(Object.keys(pythonConsumes(list, 'KTO')).length > 0);
  });

  test("the operator's file is answered as written", async () => {
    const list = await call(configured, configured.key, 'DescribeFineTuningSupportModels', {}, '/v2/finetuning');
    assert.deepEqual(list, MY_MODELS);
    assert.deepEqual(Object.keys(pythonConsumes(list, 'SFT')), ['House-LLM-7B']);
  });
});

describe('DescribeSystemModelSets', () => {
  test('empty by default', async () => {
    const r = await call(s, s.key, 'DescribeSystemModelSets', {});
    assert.deepEqual(r, { modelSetList: [], pageInfo: { marker: '', maxKeys: 10, isTruncated: false, nextMarker: '', pageReverse: false } });
  });

  test("the operator's presets, in Qianfan's shape, paged by marker/maxKeys/pageReverse (model.py:729-760 describe_system_model_sets sends those)", async () => {
    const all = await call(configured, configured.key, 'DescribeSystemModelSets', {});
    assert.deepEqual(all.modelSetList.map((x: any) => x.modelSetName), ['Qwen2.5-7B-Instruct', 'House-Embedding', 'SDXL']);
    const [qwen, embed] = all.modelSetList;
    assert.match(qwen.modelSetId, /^am-preset-[0-9a-f]{12}$/);
    assert.equal(qwen.source, 'PlatformPreset');
    assert.equal(qwen.modelType, 'Text2Text');
    assert.deepEqual(qwen.labels, ['open']);
    assert.match(qwen.createTime, /^2025-01-0\dT\d{2}:\d{2}:05[+-]\d{2}:\d{2}$/);
    assert.deepEqual([embed.modelSetId, embed.modelIds, embed.modelNames, embed.modelCount], ['am-house-embed', ['amv-house-embed-v1'], ['V1'], 1]);
    // The same id on every call (derived from the name).
    assert.equal((await call(configured, configured.key, 'DescribeSystemModelSets', {})).modelSetList[0].modelSetId, qwen.modelSetId);

    const p1 = await call(configured, configured.key, 'DescribeSystemModelSets', { maxKeys: 2 });
    assert.deepEqual([p1.modelSetList.length, p1.pageInfo.isTruncated], [2, true]);
    const p2 = await call(configured, configured.key, 'DescribeSystemModelSets', { maxKeys: 2, marker: p1.pageInfo.nextMarker });
    assert.deepEqual(p2.modelSetList.map((x: any) => x.modelSetName), ['SDXL']);
    assert.equal(p2.pageInfo.isTruncated, false);
    const rev = await call(configured, configured.key, 'DescribeSystemModelSets', { pageReverse: true, maxKeys: 1 });
    assert.equal(rev.modelSetList[0].modelSetName, 'SDXL');
    const err = await sdkFails(sdk(configured.url, configured.key, '/v2/model', 'DescribeSystemModelSets', { marker: 'am-nope' }));
    assertError(err, 400, 'InvalidParameter', /marker am-nope does not name a preset model set/);
  });

  test('DescribeSystemModelSet: one preset by id or by name, as the list shows it', async () => {
    const all = await call(configured, configured.key, 'DescribeSystemModelSets', {});
    assert.deepEqual(await call(configured, configured.key, 'DescribeSystemModelSet', { modelSetId: 'am-house-embed' }), all.modelSetList[1]);
    assert.deepEqual(await call(configured, configured.key, 'DescribeSystemModelSet', { modelSetName: 'SDXL' }), all.modelSetList[2]);
    assertError(await sdkFails(sdk(configured.url, configured.key, '/v2/model', 'DescribeSystemModelSet', { modelSetName: 'ERNIE Lite' })), 404, 'ModelSetNotFound', /no modelSetName ERNIE Lite in the preset catalogue/);
    assertError(await sdkFails(sdk(configured.url, configured.key, '/v2/model', 'DescribeSystemModelSet', {})), 400, 'MissingParameter', /modelSetId or modelSetName is required/);
  });
});

describe('bad catalogue files stop the start with a message naming the file', () => {
  for (const [name, content, re] of [
    ['missing', undefined, /catalogue file .*missing\.json: no such file/],
    ['not-json', '{', /catalogue file .*not-json\.json: /],
    ['bad-mode', JSON.stringify([{ ...MY_MODELS[0], supportTrainMode: [{ trainMode: 'RLHF', supportParameterScale: [] }] }]), /catalogue file .*bad-mode\.json: \/0\/supportTrainMode\/0\/trainMode/],
  ] as const) {
    test(`fine-tuning models: ${name}`, async () => {
      const file = path.join(dir, `${name}.json`);
      if (content !== undefined) fs.writeFileSync(file, content);
      const d = tempDir();
      await assert.rejects(createApp(loadConfig({ dataDir: d, port: 0, logLevel: 'silent', fineTuningModelsFile: file })), re);
      fs.rmSync(d, { recursive: true, force: true });
    });
  }

  test('presets: a duplicate id, an unknown modelType', async () => {
    const d = tempDir();
    const dup = path.join(dir, 'dup.json');
    fs.writeFileSync(dup, JSON.stringify([{ modelSetName: 'a', modelType: 'Text2Text', modelSetId: 'am-x' }, { modelSetName: 'b', modelType: 'Text2Text', modelSetId: 'am-x' }]));
    await assert.rejects(createApp(loadConfig({ dataDir: d, port: 0, logLevel: 'silent', systemModelSetsFile: dup })), /catalogue file .*dup\.json: preset model set am-x \(b\) is listed twice/);
    const badType = path.join(dir, 'type.json');
    fs.writeFileSync(badType, JSON.stringify([{ modelSetName: 'a', modelType: 'Chat' }]));
    await assert.rejects(createApp(loadConfig({ dataDir: d, port: 0, logLevel: 'silent', systemModelSetsFile: badType })), /catalogue file .*type\.json: \/0\/modelType/);
    fs.rmSync(d, { recursive: true, force: true });
  });
});

describe('model compression tasks', () => {
  // Bodies as python/qianfan/resources/console/model.py:1184-1195 (V2.create_model_comp_task) builds them.
  const cases: [string, Record<string, unknown>][] = [
    ['CreateModelCompTask', { name: 'q8', sourceModelId: 'amv-x', modelSetId: 'am-x', config: { strategy: 'Quantization' }, description: 'd' }],
    ['DescribeModelCompTasks', { marker: '', maxKeys: 10 }],
    ['DescribeModelCompTask', { modelCompTaskId: 'mct-x' }],
    ['CancelModelCompTask', { modelCompTaskId: 'mct-x' }],
    ['DeleteModelCompTask', { modelCompTaskId: 'mct-x' }],
  ];
  for (const [action, body] of cases) {
    test(`${action} answers ModelCompressionNotSupported, not InvalidAction`, async () => {
      const err = await sdkFails(sdk(s.url, s.key, '/v2/model', action, body));
      assertError(err, 400, 'ModelCompressionNotSupported', new RegExp(`^${action}: modelreg is a model registry and does not run model compression`));
    });
  }

  test('IAM still applies first: a read-only key may not create one', async () => {
    const reader = await s.newKey(`reader-${Date.now()}`, ['QianfanReadAccessPolicy']);
    assertError(await sdkFails(sdk(s.url, reader, '/v2/model', 'CreateModelCompTask', cases[0]![1])), 403, 'AccessDenied');
    assertError(await sdkFails(sdk(s.url, reader, '/v2/model', 'DescribeModelCompTasks', {})), 400, 'ModelCompressionNotSupported');
  });
});
