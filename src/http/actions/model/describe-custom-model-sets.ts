import { defineAction, S } from '../action.js';
import { MODEL_TYPES, SET_SORTS, type SetFilter, type SetSort } from '../../../domain/model/model-set-service.js';
import { pageRequest } from '../../../domain/paging.js';
import { presentModelSet } from '../../presenters/model-presenter.js';
import { presentPageInfo } from '../../presenters/page-info-presenter.js';

interface Body {
  marker?: string;
  maxKeys?: number;
  pageReverse?: boolean;
  // modelreg extensions (docs/extensions.md); without them the answer is Qianfan's: oldest first.
  sortBy?: SetSort;
  nameContains?: string;
  label?: string;
  modelType?: string;
  versionStatus?: 'Creating' | 'Ready' | 'Fail';
  hasFailedVersions?: boolean;
  versionTag?: string;
}

// Paged as every listing (domain/paging.ts): maxKeys default 10, values above 100 served as 100.
export default defineAction<Body>({
  route: '/v2/model',
  name: 'DescribeCustomModelSets',
  access: 'read',
  body: S.obj({
    ...S.page(),
    sortBy: S.enumOf(Object.keys(SET_SORTS)),
    nameContains: S.str(0, 64),
    label: S.str(0, 64),
    modelType: S.enumOf(MODEL_TYPES),
    versionStatus: S.enumOf(['Creating', 'Ready', 'Fail']),
    hasFailedVersions: S.bool(),
    // "key" or "key=value": sets with a version carrying that tag (UpdateModel).
    versionTag: S.str(0, 321),
  }),
  async handle({ principal, services }, body) {
    const filter: SetFilter = {
      ...(body.nameContains ? { nameContains: body.nameContains } : {}),
      ...(body.label ? { label: body.label } : {}),
      ...(body.modelType ? { modelType: body.modelType } : {}),
      ...(body.versionStatus ? { versionStatus: body.versionStatus } : body.hasFailedVersions ? { versionStatus: 'Fail' as const } : {}),
      ...(body.versionTag ? { versionTag: parseTag(body.versionTag) } : {}),
    };
    const page = await services.modelSets.page(principal.accountId, { ...pageRequest(body), ...(body.sortBy ? { sortBy: body.sortBy } : {}), filter });
    return { customModelSetList: page.items.map(presentModelSet), pageInfo: { ...presentPageInfo(page), totalCount: page.totalCount } };
  },
});

function parseTag(s: string): { key: string; value?: string } {
  const i = s.indexOf('=');
  return i < 0 ? { key: s.trim() } : { key: s.slice(0, i).trim(), value: s.slice(i + 1) };
}
