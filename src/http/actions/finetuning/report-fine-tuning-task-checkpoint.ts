import { APPLICATION_TYPES, CHECKPOINT_FORMATS } from '../../../domain/catalogue/formats.js';
import { MAX_STEP } from '../../../domain/training/task-rules.js';
import type { ReportCheckpointInput } from '../../../domain/training/training-service.js';
import { presentCheckpoint } from '../../presenters/finetuning-presenter.js';
import { defineAction, S } from '../action.js';

// modelreg's own action for trainers (docs/training.md): step N of a Running task is the model
// directory at bucket/objectPath. runProgress (40 or "40%") may ride along.
export default defineAction<ReportCheckpointInput>({
  route: '/v2/finetuning',
  name: 'ReportFineTuningTaskCheckpoint',
  access: 'write',
  body: S.obj(
    {
      taskId: S.str(1, 64),
      step: S.int(0, MAX_STEP),
      bucket: S.str(1, 63),
      objectPath: S.str(1, 1024),
      modelFormat: S.enumOf(CHECKPOINT_FORMATS),
      modelApplicationType: S.enumOf(APPLICATION_TYPES),
      transformerVersion: S.str(1, 32),
      runProgress: S.progress(),
      trainingLoss: { type: 'number' },
      perplexity: { type: 'number' },
    },
    ['taskId', 'step', 'bucket', 'objectPath'],
  ),
  async handle({ principal, services }, body) {
    const c = await services.training.reportCheckpoint(principal.accountId, body);
    return { taskId: c.taskId, ...presentCheckpoint(c) };
  },
});
