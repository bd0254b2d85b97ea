// modelreg's own action (not Qianfan's): a Ready version's files, each with its sha256 and a
// short-lived download URL (presigned on S3, GET /v1/download on the local store). `modelreg pull` uses it.
import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelFiles',
  access: 'read',
  body: S.obj({ modelId: S.str(1, 64) }, ['modelId']),
  async handle({ principal, services, origin }, body) {
    return services.exports.versionFiles(principal.accountId, body.modelId, origin ?? '');
  },
});
