import { pagePresets } from '../../../domain/catalogue/system-model-sets.js';
import { pageRequest } from '../../../domain/paging.js';
import { presentPreset } from '../../presenters/preset-presenter.js';
import { presentPageInfo } from '../../presenters/page-info-presenter.js';
import { defineAction, S } from '../action.js';

// The operator's preset catalogue (MODELREG_SYSTEM_MODEL_SETS_FILE; empty by default), paged like
// every listing (domain/paging.ts). Presets are the same for every account.
export default defineAction<{ marker?: string; maxKeys?: number; pageReverse?: boolean }>({
  route: '/v2/model',
  name: 'DescribeSystemModelSets',
  access: 'read',
  body: S.obj(S.page()),
  async handle({ services }, body) {
    const page = pagePresets(services.catalogues.systemModelSets, pageRequest(body));
    return { modelSetList: page.items.map(presentPreset), pageInfo: presentPageInfo(page) };
  },
});
