import { defineAction, S } from '../action.js';

// modelreg extension (docs/extensions.md): a version's description (Markdown) and its key/value
// tags (the whole set of tags: keys left out are removed) are editable; nothing else about it is.
export default defineAction<{ modelId: string; description?: string; tags?: Record<string, string> }>({
  route: '/v2/model',
  name: 'UpdateModel',
  access: 'write',
  body: S.obj(
    {
      modelId: S.str(1, 64),
      description: S.str(0, 8192),
      tags: S.freeObject(32 * 1024, { maxProperties: 50, additionalProperties: S.str(0, 256) }),
    },
    ['modelId'],
  ),
  async handle({ principal, services }, body) {
    await services.metadata.updateVersion(principal.accountId, body.modelId, body);
    return true;
  },
});
