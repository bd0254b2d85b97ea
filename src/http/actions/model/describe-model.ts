import { defineAction, S } from '../action.js';
import { presentModel } from '../../presenters/model-presenter.js';

export default defineAction<{ modelId: string }>({
  route: '/v2/model',
  name: 'DescribeModel',
  access: 'read',
  body: S.obj({ modelId: S.str(1, 64) }, ['modelId']),
  async handle({ principal, services }, body) {
    return presentModel(await services.modelVersions.describe(principal.accountId, body.modelId));
  },
});
