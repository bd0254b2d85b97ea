import { defineAction, S } from '../action.js';
import { presentModelSet } from '../../presenters/model-presenter.js';

// maxKeys: default 10; values above 100 are served as 100 (Qianfan's documented behaviour).
export default defineAction<{ marker?: string; maxKeys?: number; pageReverse?: boolean }>({
  route: '/v2/model',
  name: 'DescribeCustomModelSets',
  access: 'read',
  body: S.obj(S.page()),
  async handle({ principal, services }, body) {
    const maxKeys = Math.min(body.maxKeys ?? 10, 100);
    const page = await services.modelSets.page(principal.accountId, { marker: body.marker || undefined, maxKeys, pageReverse: body.pageReverse ?? false });
    return {
      customModelSetList: page.items.map(presentModelSet),
      pageInfo: { marker: page.marker, maxKeys: page.maxKeys, isTruncated: page.isTruncated, nextMarker: page.nextMarker, pageReverse: body.pageReverse ?? false },
    };
  },
});
