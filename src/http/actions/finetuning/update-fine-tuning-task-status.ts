import { MAX_STEP, REPORTED_STATUSES } from '../../../domain/training/task-rules.js';
import { presentTask } from '../../presenters/finetuning-presenter.js';
import { defineAction, S } from '../action.js';

// modelreg's own action for trainers (docs/training.md): Running (with progress) once started,
// then the end (Done, Failed or Stopped) exactly once. "Fail" is accepted as Failed. Answers the task as DescribeFineTuningTask does.
export default defineAction({
  route: '/v2/finetuning',
  name: 'UpdateFineTuningTaskStatus',
  access: 'write',
  body: S.obj(
    {
      taskId: S.str(1, 64),
      runStatus: S.enumOf(REPORTED_STATUSES),
      runProgress: S.progress(),
      failureReason: S.str(0, 2000),
      metrics: S.freeObject(),
      finalCheckpointStep: S.int(0, MAX_STEP),
    },
    ['taskId', 'runStatus'],
  ),
  async handle({ principal, services }, body) {
    return presentTask(await services.training.updateStatus(principal.accountId, body));
  },
});
