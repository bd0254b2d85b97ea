// modelreg's own action (not Qianfan's): a Ready version's files, each with its sha256 and a
// short-lived download URL (presigned on S3, GET /v1/download on the local store). `modelreg pull` uses it.
import { defineAction } from '../action.js';
import { MODEL_ID_BODY } from './model-id-body.js';

export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelFiles',
  access: 'read',
  body: MODEL_ID_BODY,
  async handle({ principal, services, origin }, body) {
    return services.exports.versionFiles(principal, body.modelId, origin);
  },
});
