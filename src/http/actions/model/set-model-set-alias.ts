import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/model',
  name: 'SetModelSetAlias',
  access: 'write',
  body: S.obj({ modelSetId: S.str(1, 64), alias: S.str(1, 64), modelId: S.str(1, 64) }, ['modelSetId', 'alias', 'modelId']),
  async handle({ principal, services }, body) {
    const { previousModelId } = await services.aliases.set(principal.accountId, principal.accessKey, body);
    return { modelSetId: body.modelSetId, alias: body.alias, modelId: body.modelId, previousModelId };
  },
});
