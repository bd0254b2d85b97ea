import { defineAction, S } from '../action.js';

/** Every move of a set's aliases, newest first: who (access key), when, from which version to which. */
export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelSetAliasHistory',
  access: 'read',
  body: S.obj({ modelSetId: S.str(1, 64), alias: S.str(1, 64), maxKeys: S.int(1, 1000) }, ['modelSetId']),
  async handle({ principal, services }, body) {
    return { modelSetId: body.modelSetId, aliasHistory: await services.aliases.history(principal.accountId, body) };
  },
});
