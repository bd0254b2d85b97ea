import { pagePresets } from '../../../domain/catalogue/system-model-sets.js';
import { toApiTime } from '../../../domain/time.js';
import { defineAction, S } from '../action.js';

// The operator's preset catalogue (MODELREG_SYSTEM_MODEL_SETS_FILE; empty by default), paged like
// DescribeCustomModelSets: maxKeys default 10, at most 100. Presets are the same for every account.
export default defineAction<{ marker?: string; maxKeys?: number; pageReverse?: boolean }>({
  route: '/v2/model',
  name: 'DescribeSystemModelSets',
  access: 'read',
  body: S.obj(S.page()),
  async handle({ services }, body) {
    const maxKeys = Math.min(body.maxKeys ?? 10, 100);
    const pageReverse = body.pageReverse ?? false;
    const page = pagePresets(services.catalogues.systemModelSets, { marker: body.marker || undefined, maxKeys, pageReverse });
    return {
      modelSetList: page.items.map((s) => ({
        modelSetId: s.modelSetId,
        modelSetName: s.modelSetName,
        source: 'PlatformPreset',
        modelType: s.modelType,
        description: s.description,
        labels: s.labels,
        ...(s.createTime ? { createTime: showTime(s.createTime) } : {}),
        ...(s.modifyTime ?? s.createTime ? { modifyTime: showTime((s.modifyTime ?? s.createTime)!) } : {}),
        modelCount: s.modelIds.length,
        modelIds: s.modelIds,
        modelNames: s.modelNames,
      })),
      pageInfo: { marker: page.marker, maxKeys: page.maxKeys, isTruncated: page.isTruncated, nextMarker: page.nextMarker, pageReverse },
    };
  },
});

/** Times from the file are shown as the API shows times when they parse, as written otherwise. */
const showTime = (t: string): string => (Number.isNaN(Date.parse(t)) ? t : toApiTime(t));
