import { ERRORS } from '../../../domain/errors/catalogue.js';
import { defineAction, S } from '../action.js';
import { presentModelSet } from '../../presenters/model-presenter.js';

export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelSet',
  access: 'read',
  body: S.obj({ modelSetId: S.str(1, 64), modelSetName: S.str(1, 50) }),
  async handle({ principal, services }, body) {
    if (body.modelSetId === undefined && body.modelSetName === undefined) {
      throw ERRORS.ModelSetIdOrNameRequired();
    }
    const view = await services.modelSets.describe(principal.accountId, { id: body.modelSetId, name: body.modelSetName });
    const aliases = (await services.aliases.listForSet(view.id)).map(({ alias, modelId, modelName }) => ({ alias, modelId, modelName }));
    return { ...presentModelSet(view), aliases };
  },
});
