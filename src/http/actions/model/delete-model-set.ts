import { defineAction, S } from '../action.js';

// Refuses while the set still has versions (ModelSetNotEmpty): see README "Deleting".
export default defineAction<{ modelSetId: string }>({
  route: '/v2/model',
  name: 'DeleteModelSet',
  access: 'write',
  body: S.obj({ modelSetId: S.str(1, 64) }, ['modelSetId']),
  async handle({ principal, services }, body) {
    await services.modelSets.delete(principal.accountId, body.modelSetId);
    return true;
  },
});
