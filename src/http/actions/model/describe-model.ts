import { defineAction } from '../action.js';
import { MODEL_ID_BODY } from './model-id-body.js';
import { presentModel } from '../../presenters/model-presenter.js';

export default defineAction({
  route: '/v2/model',
  name: 'DescribeModel',
  access: 'read',
  body: MODEL_ID_BODY,
  async handle({ principal, services }, body) {
    const view = await services.modelVersions.describe(principal.accountId, body.modelId);
    // modelreg's key/value tags (UpdateModel) and aliases, after Qianfan's fields.
    const tags = await services.metadata.tagsOf(view.id);
    return {
      ...presentModel(view),
      aliases: await services.aliases.listForVersion(view.id),
      ...(Object.keys(tags).length ? { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) } : {}),
    };
  },
});
