import { MAX_STEP, PARAMETER_SCALES } from '../../../domain/training/task-rules.js';
import { defineAction, S } from '../action.js';

// Body as the SDK's FineTune.V2.create_task and the API page show it. The training parameters
// (hyperParameterConfig, datasetConfig, …) are the trainer's business: stored as given, shown back
// by DescribeFineTuningTask. A new task is Running until its trainer reports the end.
const anyObject = S.freeObject();

export default defineAction({
  route: '/v2/finetuning',
  name: 'CreateFineTuningTask',
  access: 'write',
  body: S.obj(
    {
      jobId: S.str(1, 64),
      parameterScale: S.enumOf(PARAMETER_SCALES),
      hyperParameterConfig: anyObject,
      // splitRatio is a percentage, as the SDK's mock server checks it.
      datasetConfig: S.freeObject(16 * 1024, { properties: { splitRatio: { type: 'number', minimum: 0, maximum: 100 } } }),
      incrementTaskId: S.str(1, 64),
      incrementCheckpointStep: S.int(0, MAX_STEP),
      corpusConfig: anyObject,
      modelConfig: anyObject,
      resourceConfig: anyObject,
    },
    ['jobId', 'hyperParameterConfig', 'datasetConfig'],
  ),
  handle({ principal, services }, body) {
    return services.training.createTask(principal.accountId, body);
  },
});
