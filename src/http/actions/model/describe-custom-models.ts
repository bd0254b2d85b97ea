import { ApiError } from '../../../domain/errors.js';
import { defineAction, S } from '../action.js';
import { presentVersionSummary } from '../../presenters/model-presenter.js';

// modelreg's own addition: a set's versions with their status, oldest first (or newest first
// with pageReverse), paged by modelId marker like the other lists.
export default defineAction<{ modelSetId: string; marker?: string; maxKeys?: number; pageReverse?: boolean }>({
  route: '/v2/model',
  name: 'DescribeCustomModels',
  access: 'read',
  body: S.obj({ modelSetId: S.str(1, 64), ...S.page() }, ['modelSetId']),
  async handle({ principal, services }, body) {
    const { versions } = await services.modelSets.describe(principal.accountId, { id: body.modelSetId });
    const ordered = body.pageReverse ? [...versions].reverse() : versions;
    const maxKeys = Math.min(body.maxKeys ?? 10, 100);
    let start = 0;
    if (body.marker) {
      start = ordered.findIndex((v) => v.modelId === body.marker);
      // An unknown marker would otherwise read as an empty, complete list.
      if (start < 0) {
        throw new ApiError('InvalidParameter', `marker ${body.marker} does not name a version of this model set; pass the nextMarker of a previous page`);
      }
    }
    const page = ordered.slice(start, start + maxKeys);
    const next = ordered[start + maxKeys];
    return {
      modelSetId: body.modelSetId,
      customModelList: page.map(presentVersionSummary),
      pageInfo: { marker: body.marker ?? '', maxKeys, isTruncated: next !== undefined, nextMarker: next?.modelId ?? '', pageReverse: body.pageReverse ?? false },
    };
  },
});
