// The seed documents' own examples (shared/seeds/create-custom-model.txt, describe-model.txt,
// describe-model-custom-advanced-conf.txt), sent through the real Node SDK's consoleAction.
// Bodies are copied verbatim; only the placeholder ids (am-ash****, amv-g73jxxxzpz, …) are
// swapped for real ones where the example is meant to succeed. Where an example itself is
// invalid (`body:` instead of `data:`, the Java examples' Action "DescribeServices", a training
// task that does not exist) the answer must be the clear error that says so.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sdk, sdkFails, startServer, type TestServer } from '../../helpers/harness.js';
import { API_TIME, assertError, createSet, makeBucket, UUID } from '../../helpers/api.js';

// create-custom-model.txt, "训练侧发布模型" (Python, Go, Java and Node bodies are the same object).
const TRAIN = {
  modelSetId: 'am-ash****',
  sourceType: 'Train',
  trainMeta: {
    taskId: 'task-sdvsdfbhjsdfb',
    step: 50,
  },
};

// "导入自定义HF模型 - transformer引擎" (Node example, data:).
const IMPORT_TRANSFORMERS = {
  modelSetId: 'am-ih8****',
  sourceType: 'Import',
  importMeta: {
    bucket: 'test',
    objectPath: 'demoModel',
    modelFormat: 'HuggingFace.Transformers',
    modelApplicationType: 'chat',
    transformerVersion: '4.36.2',
    chatConf: {
      historyQATemplate: '\\n\\nUser: {question} \\nAssistant: {answer}\\n',
      latestQuestionTemplate: '\\n\\nUser: {question} \\nAssistant:',
      promptTemplate: '你是一个对话机器人,根据下文输入完成回答\n### 输入:\n{input}\n### 回答: ',
    },
  },
};

// "开启prompt自动拼接" (Node example, data:).
const IMPORT_VLLM_AUTO_CONCAT = {
  modelSetId: 'am-ih8***',
  sourceType: 'Import',
  importMeta: {
    bucket: 'test',
    objectPath: 'demoModel',
    modelFormat: 'HuggingFace.vLLM',
    modelApplicationType: 'chat',
    enablePromptAutoConcat: true,
    vLLMVersion: '0.6.3',
    advancedSettings: {
      samplingStrategy: 'multinomialSampling',
      numSampling: 1,
    },
  },
  resourceConfig: {
    resourceId: 'prl-yqec88en7r08',
  },
};

// "导入属于深度推理模型的模型版本" (Python and Go bodies; Node passes it as body:).
const IMPORT_REASONING = {
  modelSetId: 'am-ash****',
  sourceType: 'Import',
  importMeta: {
    bucket: 'test',
    objectPath: 'xxxx',
    modelFormat: 'HuggingFace.vLLM',
    basicModelName: 'DeepSeek-R1-Distill-Qwen-32B',
    modelApplicationType: 'chat',
    vLLMVersion: '0.6.3',
  },
};

let s: TestServer;
let setId: string;
let setName: string;
before(async () => {
  s = await startServer();
  makeBucket(s, 'test', 'demoModel');
  makeBucket(s, 'test', 'xxxx');
  ({ modelSetId: setId, modelSetName: setName } = await createSet(s, s.key, 'chatglm32k_v10'));
});
after(() => s.close());

const real = <T extends { modelSetId: string }>(body: T): T => ({ ...body, modelSetId: setId });

/** The seed's "返回示例" of CreateCustomModel: {requestId, result: {modelSetId, modelId}}. */
async function created(body: Record<string, unknown>): Promise<string> {
  const res = await sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', body);
  assert.match(res.requestId, UUID);
  assert.deepEqual(Object.keys(res.result).sort(), ['modelId', 'modelSetId']);
  assert.equal(res.result.modelSetId, setId);
  assert.match(res.result.modelSetId, /^am-[a-z0-9]{12}$/);
  assert.match(res.result.modelId, /^amv-[a-z0-9]{12}$/);
  return res.result.modelId;
}

describe('create-custom-model.txt', () => {
  test('Train (Python/Go/Java body): the named training task does not exist → not found', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', real(TRAIN)));
    assert.equal(err.status, 404);
    assertError(err, 404, err.body.code!, /task-sdvsdfbhjsdfb/);
    assert.match(err.body.code!, /NotFound$/);
    assert.match(err.body.message!, /not found/i);
  });

  test('Train, placeholder modelSetId as printed: the set does not exist → ModelSetNotFound', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', TRAIN));
    assertError(err, 404, 'ModelSetNotFound', /no modelSetId am-ash\*\*\*\* in this account/);
  });

  test('Train (Node example, `body:` instead of `data:`): the SDK sends an empty body → says so and lists the required fields', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', real(TRAIN), true));
    assertError(err, 400, 'MissingParameter', /the request body is empty; CreateCustomModel needs a JSON object with modelSetId, sourceType \(SDK callers: pass the fields as "data", not "body"\)/);
  });

  test('Train and reasoning (Java examples name Action "DescribeServices") → InvalidAction listing the known actions', async () => {
    for (const body of [real(TRAIN), real(IMPORT_REASONING)]) {
      const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'DescribeServices', body));
      assertError(err, 400, 'InvalidAction', /unknown Action "DescribeServices" on \/v2\/model; known actions: .*CreateCustomModel/);
    }
  });

  test('Import HuggingFace.Transformers with chatConf → {modelSetId, modelId}', async () => {
    const modelId = await created(real(IMPORT_TRANSFORMERS));
    const d = (await sdk(s.url, s.key, '/v2/model', 'DescribeModel', { modelId })).result;
    assert.deepEqual(d.chatConf, IMPORT_TRANSFORMERS.importMeta.chatConf, 'templates kept byte for byte');
    assert.equal(d.transformerVersion, '4.36.2');
    assert.deepEqual(d.sourceInfo, { sourceType: 'Import', importModelVersionBosUrl: 'bos://test/demoModel' });
  });

  test('Import HuggingFace.vLLM with prompt auto-concat, sampling and resourceConfig → {modelSetId, modelId}', async () => {
    const modelId = await created(real(IMPORT_VLLM_AUTO_CONCAT));
    const d = (await sdk(s.url, s.key, '/v2/model', 'DescribeModel', { modelId })).result;
    assert.equal(d.enablePromptAutoConcat, true);
    assert.equal(d.vLLMVersion, '0.6.3');
    assert.deepEqual(d.advancedSettings, { samplingStrategy: 'multinomialSampling', numSampling: 1 });
    assert.deepEqual(d.resourceConfig, { resourceId: 'prl-yqec88en7r08' });
  });

  test('Import a reasoning model (Python/Go body) → {modelSetId, modelId}; the base model shows as `model`', async () => {
    const modelId = await created(real(IMPORT_REASONING));
    const d = (await sdk(s.url, s.key, '/v2/model', 'DescribeModel', { modelId })).result;
    assert.equal(d.model, 'DeepSeek-R1-Distill-Qwen-32B');
    assert.deepEqual(d.sourceInfo, { sourceType: 'Import', importModelVersionBosUrl: 'bos://test/xxxx' });
  });

  test('Import a reasoning model (Node example, `body:`): empty body → clear error', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', real(IMPORT_REASONING), true));
    assertError(err, 400, 'MissingParameter', /request body is empty.*modelSetId, sourceType.*"data", not "body"/);
  });
});

describe('describe-model.txt', () => {
  test('DescribeModel answers the seed result shape', async () => {
    const modelId = await created({ ...real(IMPORT_VLLM_AUTO_CONCAT), description: 'clc_test_publish_chatglm32k_v10' });
    // The seed's Node example: consoleAction({base_api_route: '/v2/model', action: 'DescribeModel', data: {"modelId": …}}).
    const res = await sdk(s.url, s.key, '/v2/model', 'DescribeModel', { modelId });
    assert.deepEqual(Object.keys(res).filter((k) => k !== 'headers').sort(), ['requestId', 'result']);
    assert.match(res.requestId, UUID);
    const r = res.result;
    assert.equal(r.modelSetId, setId);
    assert.equal(r.modelSetName, setName);
    assert.equal(r.modelId, modelId);
    assert.match(r.modelName, /^V\d+$/);
    assert.equal(r.description, 'clc_test_publish_chatglm32k_v10');
    assert.equal(r.sourceInfo.sourceType, 'Import');
    assert.equal(typeof r.sourceInfo.importModelVersionBosUrl, 'string');
    assert.ok(['Ready', 'Creating', 'Fail'].includes(r.status));
    assert.equal(r.endpointType, 'chat');
    assert.equal(r.modelApplicationType, 'chat');
    assert.match(r.createTime, API_TIME);
    assert.match(r.modifyTime, API_TIME);
    assert.equal(typeof r.isSupportDeploy, 'boolean');
    assert.equal(typeof r.isSupportModelComp, 'boolean');
    assert.equal(typeof r.isSupportEvaluation, 'boolean');
    assert.deepEqual(r.resourceConfig, { resourceId: 'prl-yqec88en7r08' });
    assert.ok(Array.isArray(r.modelCompConfigs));
    assert.deepEqual(r.advancedSettings, { samplingStrategy: 'multinomialSampling', numSampling: 1 });
  });

  test('the example modelId as printed does not exist → ModelNotFound', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'DescribeModel', { modelId: 'amv-g73jxxxzpz' }));
    assertError(err, 404, 'ModelNotFound', /no modelId amv-g73jxxxzpz in this account/);
  });
});

describe('describe-model-custom-advanced-conf.txt', () => {
  test("the Node example (base_api_route 'v2/model', no leading slash) answers the advanced config string, \"{}\" when none", async () => {
    const modelId = await created(real(IMPORT_TRANSFORMERS));
    const res = await sdk(s.url, s.key, 'v2/model', 'DescribeModelCustomAdvancedConf', { modelId });
    assert.match(res.requestId, UUID);
    assert.equal(res.result, '{}');
    const withConf = await created({ ...real(IMPORT_TRANSFORMERS), importMeta: { ...IMPORT_TRANSFORMERS.importMeta, advanceConf: '{"topP": 0.8}' } });
    assert.equal((await sdk(s.url, s.key, 'v2/model', 'DescribeModelCustomAdvancedConf', { modelId: withConf })).result, '{"topP": 0.8}');
  });

  test('the example modelId as printed does not exist → ModelNotFound', async () => {
    const err = await sdkFails(sdk(s.url, s.key, 'v2/model', 'DescribeModelCustomAdvancedConf', { modelId: 'amv-dsfjbasjfa2343' }));
    assertError(err, 404, 'ModelNotFound', /no modelId amv-dsfjbasjfa2343/);
  });
});
