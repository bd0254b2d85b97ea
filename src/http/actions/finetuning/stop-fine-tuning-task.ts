import { defineAction, S } from '../action.js';

// Marks a Running task Stopped; its trainer sees runStatus Stopped and further reports are refused.
export default defineAction({
  route: '/v2/finetuning',
  name: 'StopFineTuningTask',
  access: 'write',
  body: S.obj({ taskId: S.str(1, 64) }, ['taskId']),
  async handle({ principal, services }, body) {
    await services.training.stopTask(principal.accountId, body.taskId);
    return true;
  },
});
