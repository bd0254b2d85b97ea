import { defineAction, S } from '../action.js';

// modelreg's own action (not Qianfan's): may this key's account import from `bucket`? The grant
// check CreateCustomModel makes, asked before a client writes into the bucket (the CLI's
// `import` does, so --replace never touches a bucket the server would refuse). 403 AccessDenied
// when not granted; otherwise {bucket, granted: true, exists}. A write action: only keys that
// may import need to know.
export default defineAction({
  route: '/v2/model',
  name: 'CheckBucketAccess',
  access: 'write',
  body: S.obj({ bucket: S.str(1, 63) }, ['bucket']),
  handle({ principal, services }, body) {
    return services.buckets.checkAccess(principal.accountId, body.bucket);
  },
});
