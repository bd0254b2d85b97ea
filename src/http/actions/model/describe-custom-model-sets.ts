import { defineAction, S } from '../action.js';
import { MODEL_TYPES, SET_SORTS, type SetFilter, type SetSort } from '../../../domain/model/model-set-service.js';
import { presentModelSet } from '../../presenters/model-presenter.js';

// maxKeys: default 10; values above 100 are served as 100 (Qianfan's documented behaviour).
export default defineAction({
  route: '/v2/model',
  name: 'DescribeCustomModelSets',
  access: 'read',
  body: S.obj({
    ...S.page(),
    // modelreg extensions (docs/extensions.md); without them the answer is Qianfan's: oldest first.
    sortBy: S.enumOf(Object.keys(SET_SORTS) as SetSort[]),
    nameContains: S.str(0, 64),
    label: S.str(0, 64),
    modelType: S.enumOf(MODEL_TYPES),
    versionStatus: S.enumOf(['Creating', 'Ready', 'Fail']),
    hasFailedVersions: S.bool(),
    // "key" or "key=value": sets with a version carrying that tag (UpdateModel).
    versionTag: S.str(0, 321),
  }),
  async handle({ principal, services }, body) {
    const maxKeys = Math.min(body.maxKeys ?? 10, 100);
    const filter: SetFilter = {
      ...(body.nameContains ? { nameContains: body.nameContains } : {}),
      ...(body.label ? { label: body.label } : {}),
      ...(body.modelType ? { modelType: body.modelType } : {}),
      ...(body.versionStatus ? { versionStatus: body.versionStatus } : body.hasFailedVersions ? { versionStatus: 'Fail' as const } : {}),
      ...(body.versionTag ? { versionTag: parseTag(body.versionTag) } : {}),
    };
    const page = await services.modelSets.page(principal.accountId, {
      marker: body.marker || undefined,
      maxKeys,
      pageReverse: body.pageReverse ?? false,
      ...(body.sortBy ? { sortBy: body.sortBy } : {}),
      filter,
    });
    return {
      customModelSetList: page.items.map(presentModelSet),
      pageInfo: { marker: page.marker, maxKeys: page.maxKeys, isTruncated: page.isTruncated, nextMarker: page.nextMarker, pageReverse: body.pageReverse ?? false, totalCount: page.totalCount },
    };
  },
});

function parseTag(s: string): { key: string; value?: string } {
  const i = s.indexOf('=');
  return i < 0 ? { key: s.trim() } : { key: s.slice(0, i).trim(), value: s.slice(i + 1) };
}
