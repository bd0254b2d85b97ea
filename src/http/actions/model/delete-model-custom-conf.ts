import { defineAction, S } from '../action.js';

// Deletes a template uploaded with CreateModelCustomConf (by the fileName that action returned),
// freeing its share of the account's template quotas.
export default defineAction({
  route: '/v2/model',
  name: 'DeleteModelCustomConf',
  access: 'write',
  body: S.obj({ fileName: S.str(1, 256) }, ['fileName']),
  async handle({ principal, services }, body) {
    await services.customConfs.delete(principal.accountId, body.fileName);
    return true;
  },
});
