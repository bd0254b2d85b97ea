import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/model',
  name: 'DeleteModel',
  access: 'write',
  body: S.obj({ modelId: S.str(1, 64) }, ['modelId']),
  async handle({ principal, services }, body) {
    await services.modelVersions.delete(principal.accountId, body.modelId);
    return true;
  },
});
