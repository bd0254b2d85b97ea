import { defineAction, S } from '../action.js';

// The version's advanced config as a JSON string; "{}" when it has none (seed example).
export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelCustomAdvancedConf',
  access: 'read',
  body: S.obj({ modelId: S.str(1, 64) }, ['modelId']),
  async handle({ principal, services }, body) {
    const { advanceConf } = await services.modelVersions.describe(principal.accountId, body.modelId);
    return advanceConf && advanceConf.trim() !== '' ? advanceConf : '{}';
  },
});
