import { defineAction, S } from '../action.js';

// modelreg extension (docs/extensions.md): a set's description (Markdown) and labels are editable.
export default defineAction({
  route: '/v2/model',
  name: 'UpdateModelSet',
  access: 'write',
  body: S.obj(
    {
      modelSetId: S.str(1, 64),
      description: S.str(0, 8192),
      labels: S.arr(S.str(1, 64), 20),
    },
    ['modelSetId'],
  ),
  async handle({ principal, services }, body) {
    await services.metadata.updateSet(principal.accountId, body.modelSetId, body);
    return true;
  },
});
