// A model set for people (modelreg sets describe, versions list): its facts, then its versions.
import { formatTable } from './output.js';

export function setFields(set: any): Array<[string, unknown]> {
  const failed = (set.modelVersionList ?? []).filter((v: any) => v.status === 'Fail').length;
  return [
    ['Model set', `${set.modelSetName} (${set.modelSetId})`],
    ['Type', set.modelType],
    ['Labels', (set.labels ?? []).join(', ') || undefined],
    ['Source', set.source],
    ['Versions', `${set.modelCount ?? (set.modelVersionList ?? []).length}${failed ? ` (${failed} failed)` : ''}`],
    ['Created', set.createTime],
    ['Modified', set.modifyTime],
  ];
}

export function formatVersionList(list: any[]): string {
  if (list.length === 0) return '\n(no versions)\n';
  return '\n' + formatTable(['ID', 'VERSION', 'STATUS', 'SOURCE', 'CREATED', 'NOTE'], list.map((v: any) => [v.modelId, v.modelName, v.status, v.sourceType, v.createTime, v.failureReason ?? v.description ?? '']));
}
