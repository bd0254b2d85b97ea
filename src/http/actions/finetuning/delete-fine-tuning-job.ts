import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/finetuning',
  name: 'DeleteFineTuningJob',
  access: 'write',
  body: S.obj({ jobId: S.str(1, 64) }, ['jobId']),
  async handle({ principal, services }, body) {
    await services.training.deleteJob(principal.accountId, body.jobId);
    return true;
  },
});
