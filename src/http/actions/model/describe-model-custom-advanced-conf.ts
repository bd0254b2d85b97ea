import { defineAction } from '../action.js';
import { MODEL_ID_BODY } from './model-id-body.js';

// The version's advanced config as a JSON string; "{}" when it has none (seed example).
export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelCustomAdvancedConf',
  access: 'read',
  body: MODEL_ID_BODY,
  async handle({ principal, services }, body) {
    const { advanceConf } = await services.modelVersions.describe(principal.accountId, body.modelId);
    return advanceConf && advanceConf.trim() !== '' ? advanceConf : '{}';
  },
});
