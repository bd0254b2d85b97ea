// Every validation rule of CreateCustomModel (seeds/create-custom-model.txt's parameter tables):
// the request schema (types, lengths, enums, ranges) and the cross-field rules of
// src/domain/model/create-model-rules.ts. Each refusal names the field it is about.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, sdk, sdkFails, startServer, type TestServer } from '../../helpers/harness.js';
import { assertError, chars, createSet, makeBucket, safetensorsImport, transformersImport, vllmImport } from '../../helpers/api.js';

let s: TestServer;
let setId: string;
before(async () => {
  s = await startServer();
  makeBucket(s, 'test', 'model');
  setId = (await createSet(s, s.key)).modelSetId;
});
after(() => s.close());

const CHAT_CONF = { historyQATemplate: 'User: {question}\nAssistant: {answer}\n', latestQuestionTemplate: 'User: {question}\nAssistant:', promptTemplate: '' };

async function accepted(body: Record<string, unknown>): Promise<string> {
  const r = await call(s, s.key, 'CreateCustomModel', body);
  assert.match(r.modelId, /^amv-[a-z0-9]{12}$/);
  assert.equal(r.modelSetId, body.modelSetId);
  return r.modelId;
}

async function refused(body: Record<string, unknown>, code: 'InvalidParameter' | 'MissingParameter', message: RegExp): Promise<void> {
  const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', body));
  assertError(err, 400, code, message);
}

/** A Train request with a well-formed trainMeta reaches the training source: the task does not exist. */
async function trainTaskNotFound(body: Record<string, unknown>): Promise<void> {
  const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', body));
  assertError(err, 404, err.body.code!, /task-none.*not found|not found.*task-none/i);
  assert.match(err.body.code!, /NotFound$/);
}

describe('top level', () => {
  test('modelSetId and sourceType are required; sourceType is Train or Import', async () => {
    await refused({ sourceType: 'Import', importMeta: transformersImport(setId).importMeta }, 'MissingParameter', /^modelSetId is required$/);
    await refused({ modelSetId: setId }, 'MissingParameter', /^sourceType is required$/);
    await refused({ modelSetId: setId, sourceType: 'Upload' }, 'InvalidParameter', /^sourceType must be one of: Train, Import$/);
    await refused({ modelSetId: setId, sourceType: 'import' }, 'InvalidParameter', /^sourceType must be one of: Train, Import$/);
  });

  test('description is 0-300 characters', async () => {
    await accepted(transformersImport(setId, {}, { description: '' }));
    await accepted(transformersImport(setId, {}, { description: chars(300) }));
    await refused(transformersImport(setId, {}, { description: chars(301) }), 'InvalidParameter', /^description must be at most 300 characters$/);
  });

  test('an unknown model set is 404 after the body is found valid', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', transformersImport('am-000000000000')));
    assertError(err, 404, 'ModelSetNotFound', /no modelSetId am-000000000000/);
    // An invalid body is reported first, whatever the set.
    await refused(transformersImport('am-000000000000', { transformerVersion: '1.0.0' }), 'InvalidParameter', /transformerVersion/);
  });

  test('resourceConfig needs a resourceId', async () => {
    await accepted(vllmImport(setId, {}, { resourceConfig: { resourceId: 'prl-yqec88en7r08' } }));
    await refused(vllmImport(setId, {}, { resourceConfig: {} }), 'MissingParameter', /^resourceConfig\.resourceId is required$/);
  });
});

describe('sourceType and its meta', () => {
  test('Train needs trainMeta and refuses importMeta', async () => {
    await refused({ modelSetId: setId, sourceType: 'Train' }, 'MissingParameter', /^trainMeta is required when sourceType is Train$/);
    await refused({ modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: 'task-none' }, importMeta: transformersImport(setId).importMeta }, 'InvalidParameter', /^importMeta is only allowed when sourceType is Import$/);
  });

  test('Import needs importMeta and refuses trainMeta', async () => {
    await refused({ modelSetId: setId, sourceType: 'Import' }, 'MissingParameter', /^importMeta is required when sourceType is Import$/);
    await refused({ ...transformersImport(setId), trainMeta: { taskId: 'task-none' } }, 'InvalidParameter', /^trainMeta is only allowed when sourceType is Train$/);
  });

  test('trainMeta: taskId required; checkpointStep and step must agree; steps are >= 0 integers', async () => {
    await refused({ modelSetId: setId, sourceType: 'Train', trainMeta: {} }, 'MissingParameter', /^trainMeta\.taskId is required$/);
    await refused({ modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: '' } }, 'InvalidParameter', /^trainMeta\.taskId must not be empty$/);
    await refused(
      { modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: 'task-none', checkpointStep: 50, step: 60 } },
      'InvalidParameter',
      /^trainMeta\.checkpointStep \(50\) and trainMeta\.step \(60\) disagree; give one of them$/,
    );
    await refused({ modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: 'task-none', step: -1 } }, 'InvalidParameter', /^trainMeta\.step must be >= 0$/);
    await refused({ modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: 'task-none', checkpointStep: 1.5 } }, 'InvalidParameter', /^trainMeta\.checkpointStep must be an integer$/);
    // Either spelling alone, or both agreeing, is a well-formed request.
    await trainTaskNotFound({ modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: 'task-none', step: 50 } });
    await trainTaskNotFound({ modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: 'task-none', checkpointStep: 50 } });
    await trainTaskNotFound({ modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: 'task-none', checkpointStep: 50, step: 50 } });
    await trainTaskNotFound({ modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: 'task-none' } });
  });
});

describe('importMeta basics', () => {
  test('bucket, objectPath, modelFormat and modelApplicationType are required', async () => {
    for (const f of ['bucket', 'objectPath', 'modelFormat', 'modelApplicationType']) {
      await refused(transformersImport(setId, { [f]: undefined }), 'MissingParameter', new RegExp(`^importMeta\\.${f} is required$`));
    }
  });

  test('modelFormat and modelApplicationType are enums', async () => {
    await refused(transformersImport(setId, { modelFormat: 'GGUF' }), 'InvalidParameter', /^importMeta\.modelFormat must be one of: HuggingFace\.Transformers, HuggingFace\.vLLM, Safetensors$/);
    await refused(transformersImport(setId, { modelApplicationType: 'Chat' }), 'InvalidParameter', /^importMeta\.modelApplicationType must be one of: chat, completion, Text-to-Image$/);
  });

  test('bucket and objectPath must not be empty', async () => {
    await refused(transformersImport(setId, { bucket: '' }), 'InvalidParameter', /^importMeta\.bucket must not be empty$/);
    await refused(transformersImport(setId, { objectPath: '' }), 'InvalidParameter', /^importMeta\.objectPath must not be empty$/);
  });

  test('basicModelName is 1-128 characters', async () => {
    await accepted(vllmImport(setId, { basicModelName: 'DeepSeek-R1-Distill-Qwen-32B' }));
    await refused(vllmImport(setId, { basicModelName: '' }), 'InvalidParameter', /^importMeta\.basicModelName must not be empty$/);
    await refused(vllmImport(setId, { basicModelName: 'x'.repeat(129) }), 'InvalidParameter', /^importMeta\.basicModelName must be at most 128 characters$/);
  });

  test('completion models are accepted for HuggingFace formats', async () => {
    await accepted(transformersImport(setId, { modelApplicationType: 'completion' }));
    await accepted(vllmImport(setId, { modelApplicationType: 'completion' }));
  });
});

describe('Safetensors ↔ Text-to-Image', () => {
  test('Safetensors with Text-to-Image is accepted', async () => {
    await accepted(safetensorsImport(setId));
  });

  test('Safetensors needs Text-to-Image', async () => {
    for (const t of ['chat', 'completion']) {
      await refused(safetensorsImport(setId, { modelApplicationType: t }), 'InvalidParameter', /^importMeta\.modelFormat Safetensors is for Text-to-Image models; modelApplicationType must be Text-to-Image/);
    }
  });

  test('Text-to-Image needs Safetensors', async () => {
    await refused(transformersImport(setId, { modelApplicationType: 'Text-to-Image' }), 'InvalidParameter', /^importMeta\.modelApplicationType Text-to-Image needs modelFormat Safetensors/);
    await refused(vllmImport(setId, { modelApplicationType: 'Text-to-Image' }), 'InvalidParameter', /^importMeta\.modelApplicationType Text-to-Image needs modelFormat Safetensors/);
  });

  test('HuggingFace-only fields are refused for Safetensors, by name', async () => {
    const hfOnly: Record<string, unknown> = {
      chatConf: CHAT_CONF,
      customSpec: { displayName: 'd', fileName: 'f.json' },
      advanceConf: '{}',
      transformerVersion: '4.36.2',
      vLLMVersion: '0.6.3',
      enablePromptAutoConcat: true,
      advancedSettings: { samplingStrategy: 'greedySearch' },
    };
    for (const [field, value] of Object.entries(hfOnly)) {
      await refused(safetensorsImport(setId, { [field]: value }), 'InvalidParameter', new RegExp(`^importMeta\\.${field} is only valid for HuggingFace imports, not modelFormat Safetensors$`));
    }
  });
});

describe('engine versions', () => {
  test('transformerVersion is required for HuggingFace.Transformers and lists the supported ones', async () => {
    await refused(transformersImport(setId, { transformerVersion: undefined }), 'MissingParameter', /^importMeta\.transformerVersion is required for HuggingFace\.Transformers imports; supported: 4\.34\.0, 4\.36\.2, 4\.39\.3, 4\.40\.2$/);
  });

  test('only transformers 4.34.0, 4.36.2, 4.39.3 and 4.40.2 are supported', async () => {
    for (const v of ['4.34.0', '4.36.2', '4.39.3', '4.40.2']) await accepted(transformersImport(setId, { transformerVersion: v }));
    for (const v of ['4.38.0', '4.36', 'latest', ' 4.36.2']) {
      await refused(transformersImport(setId, { transformerVersion: v }), 'InvalidParameter', /^importMeta\.transformerVersion ".*" is not supported; supported: 4\.34\.0, 4\.36\.2, 4\.39\.3, 4\.40\.2$/);
    }
    await refused(transformersImport(setId, { transformerVersion: '' }), 'InvalidParameter', /^importMeta\.transformerVersion must not be empty$/);
  });

  test('vLLMVersion is required for HuggingFace.vLLM; 0.3.2, 0.4.0 and 0.6.3 are supported', async () => {
    await refused(vllmImport(setId, { vLLMVersion: undefined }), 'MissingParameter', /^importMeta\.vLLMVersion is required for HuggingFace\.vLLM imports; supported: 0\.3\.2, 0\.4\.0, 0\.6\.3$/);
    for (const v of ['0.3.2', '0.4.0', '0.6.3']) await accepted(vllmImport(setId, { vLLMVersion: v }));
    for (const v of ['0.5.0', '0.6', 'v0.6.3']) {
      await refused(vllmImport(setId, { vLLMVersion: v }), 'InvalidParameter', /^importMeta\.vLLMVersion ".*" is not supported; supported: 0\.3\.2, 0\.4\.0, 0\.6\.3$/);
    }
  });
});

describe('chat templates', () => {
  test('chatConf is accepted for HuggingFace chat models', async () => {
    await accepted(transformersImport(setId, { chatConf: CHAT_CONF }));
    await accepted(vllmImport(setId, { chatConf: { ...CHAT_CONF, promptTemplate: chars(300) } }));
  });

  test('chatConf needs all three templates', async () => {
    for (const f of ['historyQATemplate', 'latestQuestionTemplate', 'promptTemplate']) {
      const conf: Record<string, unknown> = { ...CHAT_CONF };
      delete conf[f];
      await refused(transformersImport(setId, { chatConf: conf }), 'MissingParameter', new RegExp(`^importMeta\\.chatConf\\.${f} is required$`));
    }
  });

  test('chatConf lengths: historyQATemplate 1-200, latestQuestionTemplate 1-200, promptTemplate 0-300', async () => {
    const pad = (base: string, n: number) => base + chars(n - base.length);
    await accepted(transformersImport(setId, { chatConf: { ...CHAT_CONF, historyQATemplate: pad('{question}{answer}', 200), latestQuestionTemplate: pad('{question}', 200) } }));
    await refused(transformersImport(setId, { chatConf: { ...CHAT_CONF, historyQATemplate: pad('{question}{answer}', 201) } }), 'InvalidParameter', /^importMeta\.chatConf\.historyQATemplate must be at most 200 characters$/);
    await refused(transformersImport(setId, { chatConf: { ...CHAT_CONF, historyQATemplate: '' } }), 'InvalidParameter', /^importMeta\.chatConf\.historyQATemplate must not be empty$/);
    await refused(transformersImport(setId, { chatConf: { ...CHAT_CONF, latestQuestionTemplate: pad('{question}', 201) } }), 'InvalidParameter', /^importMeta\.chatConf\.latestQuestionTemplate must be at most 200 characters$/);
    await refused(transformersImport(setId, { chatConf: { ...CHAT_CONF, latestQuestionTemplate: '' } }), 'InvalidParameter', /^importMeta\.chatConf\.latestQuestionTemplate must not be empty$/);
    await refused(transformersImport(setId, { chatConf: { ...CHAT_CONF, promptTemplate: chars(301) } }), 'InvalidParameter', /^importMeta\.chatConf\.promptTemplate must be at most 300 characters$/);
  });

  test('chatConf templates need their placeholders', async () => {
    await refused(transformersImport(setId, { chatConf: { ...CHAT_CONF, historyQATemplate: 'User: {question}' } }), 'InvalidParameter', /historyQATemplate must contain both \{question\} and \{answer\}/);
    await refused(transformersImport(setId, { chatConf: { ...CHAT_CONF, latestQuestionTemplate: 'User:' } }), 'InvalidParameter', /latestQuestionTemplate must contain the \{question\} placeholder/);
  });

  test('chatConf and customSpec are mutually exclusive', async () => {
    await refused(
      transformersImport(setId, { chatConf: CHAT_CONF, customSpec: { displayName: 'd', fileName: 'f.json' } }),
      'InvalidParameter',
      /^importMeta\.chatConf and importMeta\.customSpec cannot be used together; choose one chat template$/,
    );
  });

  test('chat templates need modelApplicationType chat', async () => {
    await refused(transformersImport(setId, { modelApplicationType: 'completion', chatConf: CHAT_CONF }), 'InvalidParameter', /^importMeta\.chatConf is a chat template and needs modelApplicationType chat, not completion$/);
    await refused(transformersImport(setId, { modelApplicationType: 'completion', customSpec: { displayName: 'd', fileName: 'f.json' } }), 'InvalidParameter', /^importMeta\.customSpec is a chat template and needs modelApplicationType chat, not completion$/);
  });

  test('customSpec: displayName 1-200 and fileName both required', async () => {
    await refused(transformersImport(setId, { customSpec: { fileName: 'f.json' } }), 'MissingParameter', /^importMeta\.customSpec\.displayName is required$/);
    await refused(transformersImport(setId, { customSpec: { displayName: 'd' } }), 'MissingParameter', /^importMeta\.customSpec\.fileName is required$/);
    await refused(transformersImport(setId, { customSpec: { displayName: '', fileName: 'f.json' } }), 'InvalidParameter', /^importMeta\.customSpec\.displayName must not be empty$/);
    await refused(transformersImport(setId, { customSpec: { displayName: chars(201), fileName: 'f.json' } }), 'InvalidParameter', /^importMeta\.customSpec\.displayName must be at most 200 characters$/);
    // 200 characters pass the length rule: what may follow is only about the uploaded file.
    const err = await sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', transformersImport(setId, { customSpec: { displayName: chars(200), fileName: 'never-uploaded.json' } })).then(
      () => undefined,
      (e) => e as Error,
    );
    if (err) assert.doesNotMatch(err.message, /displayName/);
  });
});

describe('advanceConf', () => {
  test('must be a JSON object encoded as a string', async () => {
    await accepted(transformersImport(setId, { advanceConf: '{}' }));
    await accepted(transformersImport(setId, { advanceConf: '{"max_tokens": 4096}' }));
    await refused(transformersImport(setId, { advanceConf: 'not json' }), 'InvalidParameter', /^importMeta\.advanceConf must be a JSON object encoded as a string/);
    await refused(transformersImport(setId, { advanceConf: '[1,2]' }), 'InvalidParameter', /^importMeta\.advanceConf must encode a JSON object/);
    await refused(transformersImport(setId, { advanceConf: { a: 1 } }), 'InvalidParameter', /^importMeta\.advanceConf must be a string$/);
  });
});

describe('advancedSettings', () => {
  const adv = (a: Record<string, unknown>) => vllmImport(setId, { advancedSettings: a });

  test('samplingStrategy is required and an enum', async () => {
    await refused(adv({}), 'MissingParameter', /^importMeta\.advancedSettings\.samplingStrategy is required$/);
    await refused(adv({ samplingStrategy: 'topK' }), 'InvalidParameter', /^importMeta\.advancedSettings\.samplingStrategy must be one of: multinomialSampling, beamSearch, greedySearch$/);
    await accepted(adv({ samplingStrategy: 'greedySearch' }));
    await accepted(transformersImport(setId, { advancedSettings: { samplingStrategy: 'greedySearch' } }));
  });

  test('numSampling is 1-15, only for multinomialSampling on vLLM', async () => {
    await accepted(adv({ samplingStrategy: 'multinomialSampling', numSampling: 1 }));
    await accepted(adv({ samplingStrategy: 'multinomialSampling', numSampling: 15 }));
    await accepted(adv({ samplingStrategy: 'multinomialSampling' }));
    await refused(adv({ samplingStrategy: 'multinomialSampling', numSampling: 0 }), 'InvalidParameter', /^importMeta\.advancedSettings\.numSampling must be >= 1$/);
    await refused(adv({ samplingStrategy: 'multinomialSampling', numSampling: 16 }), 'InvalidParameter', /^importMeta\.advancedSettings\.numSampling must be <= 15$/);
    await refused(adv({ samplingStrategy: 'greedySearch', numSampling: 2 }), 'InvalidParameter', /^importMeta\.advancedSettings\.numSampling only applies to samplingStrategy multinomialSampling, not greedySearch$/);
    await refused(
      transformersImport(setId, { advancedSettings: { samplingStrategy: 'multinomialSampling', numSampling: 2 } }),
      'InvalidParameter',
      /^importMeta\.advancedSettings\.numSampling needs the vLLM engine/,
    );
  });

  test('numBeams is 2-15, required for beamSearch and only for it', async () => {
    await accepted(adv({ samplingStrategy: 'beamSearch', numBeams: 2 }));
    await accepted(adv({ samplingStrategy: 'beamSearch', numBeams: 15 }));
    await accepted(transformersImport(setId, { advancedSettings: { samplingStrategy: 'beamSearch', numBeams: 4 } }));
    await refused(adv({ samplingStrategy: 'beamSearch', numBeams: 1 }), 'InvalidParameter', /^importMeta\.advancedSettings\.numBeams must be >= 2$/);
    await refused(adv({ samplingStrategy: 'beamSearch', numBeams: 16 }), 'InvalidParameter', /^importMeta\.advancedSettings\.numBeams must be <= 15$/);
    await refused(adv({ samplingStrategy: 'beamSearch' }), 'MissingParameter', /^importMeta\.advancedSettings\.numBeams \(2-15\) is required when samplingStrategy is beamSearch$/);
    await refused(adv({ samplingStrategy: 'greedySearch', numBeams: 4 }), 'InvalidParameter', /^importMeta\.advancedSettings\.numBeams only applies to samplingStrategy beamSearch, not greedySearch$/);
  });

  test('topLogprobs is 1-20', async () => {
    await accepted(adv({ samplingStrategy: 'greedySearch', topLogprobs: 20 }));
    await refused(adv({ samplingStrategy: 'greedySearch', topLogprobs: 0 }), 'InvalidParameter', /^importMeta\.advancedSettings\.topLogprobs must be >= 1$/);
    await refused(adv({ samplingStrategy: 'greedySearch', topLogprobs: 21 }), 'InvalidParameter', /^importMeta\.advancedSettings\.topLogprobs must be <= 20$/);
  });
});

describe('a refused request stores nothing', () => {
  test('no version number is used up by refusals', async () => {
    const set = await createSet(s, s.key);
    await refused(transformersImport(set.modelSetId, { transformerVersion: '9.9.9' }), 'InvalidParameter', /transformerVersion/);
    await refused(safetensorsImport(set.modelSetId, { modelApplicationType: 'chat' }), 'InvalidParameter', /Safetensors/);
    const v = await accepted(transformersImport(set.modelSetId));
    const d = await call(s, s.key, 'DescribeModel', { modelId: v });
    assert.equal(d.modelName, 'V1');
  });
});
