import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/model',
  name: 'DeleteModelSetAlias',
  access: 'write',
  body: S.obj({ modelSetId: S.str(1, 64), alias: S.str(1, 64) }, ['modelSetId', 'alias']),
  async handle({ principal, services }, body) {
    await services.aliases.delete(principal.accountId, principal.accessKey, body);
    return true;
  },
});
