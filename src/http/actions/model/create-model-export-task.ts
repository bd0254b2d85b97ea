import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/model',
  name: 'CreateModelExportTask',
  access: 'write',
  body: S.obj({ modelId: S.str(1, 64) }, ['modelId']),
  async handle({ principal, services }, body) {
    return services.exports.create(principal.accountId, body.modelId);
  },
});
