import { PARAMETER_SCALES, TRAIN_MODES } from '../../../domain/training/task-rules.js';
import { defineAction, S } from '../action.js';

// Body as the SDK's FineTune.V2.create_job sends it; answers {jobId}.
export default defineAction({
  route: '/v2/finetuning',
  name: 'CreateFineTuningJob',
  access: 'write',
  body: S.obj(
    {
      name: S.str(1, 100),
      description: S.str(0, 500),
      model: S.str(1, 128),
      trainMode: S.enumOf(TRAIN_MODES),
      // Job-level fields the Python SDK's create_job sends (resources/console/finetune.py, V2.create_job).
      parameterScale: S.enumOf(PARAMETER_SCALES),
      hyperParameterConfig: S.freeObject(),
    },
    ['name', 'model', 'trainMode'],
  ),
  async handle({ principal, services }, body) {
    const job = await services.training.createJob(principal.accountId, body);
    return { jobId: job.id };
  },
});
