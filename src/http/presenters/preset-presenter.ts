// The operator's preset model sets (src/domain/catalogue/system-model-sets.ts) in the shape of
// Qianfan's preset-model answers: source PlatformPreset, the same for every account.
import type { SystemModelSet } from '../../domain/catalogue/system-model-sets.js';
import { toApiTime } from '../../domain/time.js';

/** Times from the file are shown as the API shows times when they parse, as written otherwise. */
const showTime = (t: string): string => (Number.isNaN(Date.parse(t)) ? t : toApiTime(t));

export function presentPreset(s: SystemModelSet) {
  const modified = s.modifyTime ?? s.createTime;
  return {
    modelSetId: s.modelSetId,
    modelSetName: s.modelSetName,
    source: 'PlatformPreset',
    modelType: s.modelType,
    description: s.description,
    labels: s.labels,
    ...(s.createTime ? { createTime: showTime(s.createTime) } : {}),
    ...(modified ? { modifyTime: showTime(modified) } : {}),
    modelCount: s.modelIds.length,
    modelIds: s.modelIds,
    modelNames: s.modelNames,
  };
}
