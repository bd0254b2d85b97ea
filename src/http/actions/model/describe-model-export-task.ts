import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelExportTask',
  // Qianfan grants it with the same (write) policies as CreateModelExportTask.
  access: 'write',
  body: S.obj({ modelId: S.str(1, 64) }, ['modelId']),
  async handle({ principal, services, origin }, body) {
    return services.exports.describe(principal.accountId, body.modelId, origin ?? '');
  },
});
