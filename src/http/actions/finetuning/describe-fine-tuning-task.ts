import { presentTask } from '../../presenters/finetuning-presenter.js';
import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/finetuning',
  name: 'DescribeFineTuningTask',
  access: 'read',
  body: S.obj({ taskId: S.str(1, 64) }, ['taskId']),
  async handle({ principal, services }, body) {
    const task = presentTask(await services.training.describeTask(principal.accountId, body.taskId));
    // modelreg's lineage: the model versions published from this task (docs/extensions.md).
    return { ...task, publishedModels: await services.metadata.publishedFrom(principal.accountId, body.taskId) };
  },
});
