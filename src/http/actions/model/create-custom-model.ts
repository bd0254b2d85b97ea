import type { CreateModelInput } from '../../../domain/model/create-model-rules.js';
import { SAMPLING_STRATEGIES } from '../../../domain/catalogue/engines.js';
import { APPLICATION_TYPES, MODEL_FORMATS } from '../../../domain/catalogue/formats.js';
import { defineAction, S } from '../action.js';

// Types and lengths per the seed's parameter tables; the cross-field rules are the domain's
// (src/domain/model/create-model-rules.ts).
const chatConf = S.obj(
  {
    historyQATemplate: S.str(1, 200),
    latestQuestionTemplate: S.str(1, 200),
    promptTemplate: S.str(0, 300),
  },
  ['historyQATemplate', 'latestQuestionTemplate', 'promptTemplate'],
);

const importMeta = S.obj(
  {
    bucket: S.str(1, 63),
    objectPath: S.str(1, 1024),
    modelFormat: S.enumOf(MODEL_FORMATS),
    modelApplicationType: S.enumOf(APPLICATION_TYPES),
    chatConf,
    customSpec: S.obj({ displayName: S.str(1, 200), fileName: S.str(1, 256) }, ['displayName', 'fileName']),
    advanceConf: S.str(0, 65536),
    transformerVersion: S.str(1, 32),
    vLLMVersion: S.str(1, 32),
    enablePromptAutoConcat: S.bool(),
    basicModelName: S.str(1, 128),
    baseModelId: S.str(1, 128),
    advancedSettings: S.obj(
      {
        samplingStrategy: S.enumOf(SAMPLING_STRATEGIES),
        numSampling: S.int(1, 15),
        numBeams: S.int(2, 15),
        topLogprobs: S.int(1, 20),
      },
      ['samplingStrategy'],
    ),
  },
  ['bucket', 'objectPath', 'modelFormat', 'modelApplicationType'],
);

export default defineAction<CreateModelInput>({
  route: '/v2/model',
  name: 'CreateCustomModel',
  access: 'write',
  body: S.obj(
    {
      modelSetId: S.str(1, 64),
      description: S.str(0, 300),
      sourceType: S.enumOf(['Train', 'Import']),
      trainMeta: S.obj({ taskId: S.str(1, 64), checkpointStep: S.int(0), step: S.int(0), baseModelId: S.str(1, 128) }, ['taskId']),
      importMeta,
      resourceConfig: S.obj({ resourceId: S.str(1, 128) }, ['resourceId']),
    },
    ['modelSetId', 'sourceType'],
  ),
  handle({ principal, services }, body) {
    return services.modelVersions.create(principal.accountId, body);
  },
});
