import { defineAction } from '../action.js';
import { MODEL_ID_BODY } from './model-id-body.js';

export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelExportTask',
  // Qianfan grants it with the same (write) policies as CreateModelExportTask.
  access: 'write',
  body: MODEL_ID_BODY,
  async handle({ principal, services, origin }, body) {
    return services.exports.describe(principal, body.modelId, origin);
  },
});
