import { defineAction, S } from '../action.js';
import { pageRequest } from '../../../domain/paging.js';
import { presentVersionSummary } from '../../presenters/model-presenter.js';
import { presentPageInfo } from '../../presenters/page-info-presenter.js';

// modelreg's own addition: a set's versions with their status, oldest first (or newest first
// with pageReverse), paged by modelId marker like the other lists, in the database.
export default defineAction<{ modelSetId: string; marker?: string; maxKeys?: number; pageReverse?: boolean }>({
  route: '/v2/model',
  name: 'DescribeCustomModels',
  access: 'read',
  body: S.obj({ modelSetId: S.str(1, 64), ...S.page() }, ['modelSetId']),
  async handle({ principal, services }, body) {
    const page = await services.modelSets.pageVersions(principal.accountId, body.modelSetId, pageRequest(body));
    return { modelSetId: body.modelSetId, customModelList: page.items.map(presentVersionSummary), pageInfo: presentPageInfo(page) };
  },
});
