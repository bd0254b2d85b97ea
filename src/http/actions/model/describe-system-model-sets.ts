import { pagePresets } from '../../../domain/catalogue/system-model-sets.js';
import { presentPreset } from '../../presenters/preset-presenter.js';
import { defineAction, S } from '../action.js';

// The operator's preset catalogue (MODELREG_SYSTEM_MODEL_SETS_FILE; empty by default), paged like
// DescribeCustomModelSets: maxKeys default 10, at most 100. Presets are the same for every account.
export default defineAction({
  route: '/v2/model',
  name: 'DescribeSystemModelSets',
  access: 'read',
  body: S.obj(S.page()),
  async handle({ services }, body) {
    const maxKeys = Math.min(body.maxKeys ?? 10, 100);
    const pageReverse = body.pageReverse ?? false;
    const page = pagePresets(services.catalogues.systemModelSets, { marker: body.marker || undefined, maxKeys, pageReverse });
    return {
      modelSetList: page.items.map(presentPreset),
      pageInfo: { marker: page.marker, maxKeys: page.maxKeys, isTruncated: page.isTruncated, nextMarker: page.nextMarker, pageReverse },
    };
  },
});
