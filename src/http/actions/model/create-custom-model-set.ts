import { MODEL_TYPES } from '../../../domain/model/model-set-service.js';
import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/model',
  name: 'CreateCustomModelSet',
  access: 'write',
  body: S.obj(
    {
      modelSetName: S.str(1, 50),
      modelType: S.enumOf(MODEL_TYPES),
      labels: S.arr(S.str(1, 64), 20),
    },
    ['modelSetName', 'modelType'],
  ),
  async handle({ principal, services }, body) {
    const set = await services.modelSets.create(principal.accountId, body);
    return { modelSetId: set.id, modelSetName: set.name };
  },
});
