// Shared look-ups of the user-side commands: a model set by name or id, every set of the account.
import { ApiCallError, type ApiClient } from '../client/api-client.js';

export const MODEL_ROUTE = '/v2/model';

/** DescribeModelSet by id (am-…) or by name; an id-looking name that is not an id is tried as a name. */
export async function findSet(client: ApiClient, nameOrId: string): Promise<any> {
  if (/^am-[0-9a-z]+$/i.test(nameOrId)) {
    try {
      return await client.call(MODEL_ROUTE, 'DescribeModelSet', { modelSetId: nameOrId });
    } catch (err) {
      if (!(err instanceof ApiCallError && err.code === 'ModelSetNotFound')) throw err;
    }
  }
  return client.call(MODEL_ROUTE, 'DescribeModelSet', { modelSetName: nameOrId });
}

export async function allSets(client: ApiClient): Promise<any[]> {
  const out: any[] = [];
  let marker = '';
  for (;;) {
    const page = await client.call(MODEL_ROUTE, 'DescribeCustomModelSets', { maxKeys: 100, ...(marker ? { marker } : {}) });
    out.push(...page.customModelSetList);
    if (!page.pageInfo?.isTruncated || !page.pageInfo.nextMarker) return out;
    marker = page.pageInfo.nextMarker;
  }
}

/** "V3 Ready" for a set's newest version. */
export function latestVersion(set: any): string {
  const v = set.modelVersionList?.[set.modelVersionList.length - 1];
  return v ? `${v.modelName} ${v.status}` : '-';
}
