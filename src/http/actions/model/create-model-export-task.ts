import { defineAction } from '../action.js';
import { MODEL_ID_BODY } from './model-id-body.js';

export default defineAction({
  route: '/v2/model',
  name: 'CreateModelExportTask',
  access: 'write',
  body: MODEL_ID_BODY,
  async handle({ principal, services }, body) {
    return services.exports.create(principal.accountId, body.modelId);
  },
});
