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
    // Added to the presented object rather than spread into a copy of it (the same keys in the
    // same order; the copy was a measurable share of the request, bench/README.md).
    const tags = await services.metadata.tagsOf(view.id);
    const answer: Record<string, unknown> = presentModel(view);
    answer.aliases = await services.aliases.listForVersion(view.id);
    if (Object.keys(tags).length) answer.tags = Object.entries(tags).map(([key, value]) => ({ key, value }));
    return answer;
  },
});
