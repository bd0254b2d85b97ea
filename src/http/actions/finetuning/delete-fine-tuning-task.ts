import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/finetuning',
  name: 'DeleteFineTuningTask',
  access: 'write',
  body: S.obj({ taskId: S.str(1, 64) }, ['taskId']),
  async handle({ principal, services }, body) {
    await services.training.deleteTask(principal.accountId, body.taskId);
    return true;
  },
});
