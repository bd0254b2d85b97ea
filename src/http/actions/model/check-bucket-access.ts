import { defineAction, S } from '../action.js';

// modelreg's own action (not Qianfan's): may this key's account import from `bucket`? The grant
// check CreateCustomModel makes, asked before a client writes into the bucket (the CLI's
// `import` does, so --replace never touches a bucket the server would refuse). 403 AccessDenied
// when not granted; otherwise {bucket, granted: true, exists}. With `objectPath`, it also reads the
// model's config.json there (read-only, bounded) and answers configFound, configTransformersVersion
// and suggestedTransformerVersion, which the console's import form defaults to (docs/extensions.md).
// A write action: only keys that may import need to know.
export default defineAction({
  route: '/v2/model',
  name: 'CheckBucketAccess',
  access: 'write',
  body: S.obj({ bucket: S.str(1, 63), objectPath: S.str(1, 1024) }, ['bucket']),
  handle({ principal, services }, body) {
    return services.buckets.checkAccess(principal.accountId, body.bucket, body.objectPath);
  },
});
