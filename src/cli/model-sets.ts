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

/**
 * Sets in the order and with the filters given (DescribeCustomModelSets' modelreg fields, applied
 * by the server), every page or the first `limit`; with the total that matched.
 */
export async function listSets(client: ApiClient, query: Record<string, unknown> = {}, limit = Infinity): Promise<{ sets: any[]; totalCount: number | undefined }> {
  const out: any[] = [];
  let marker = '';
  let totalCount: number | undefined;
  for (;;) {
    const maxKeys = Math.min(100, limit - out.length);
    const page = await client.call(MODEL_ROUTE, 'DescribeCustomModelSets', { ...query, maxKeys, ...(marker ? { marker } : {}) });
    totalCount = page.pageInfo?.totalCount;
    out.push(...page.customModelSetList);
    if (out.length >= limit || !page.pageInfo?.isTruncated || !page.pageInfo.nextMarker) return { sets: out, totalCount };
    marker = page.pageInfo.nextMarker;
  }
}

export async function allSets(client: ApiClient): Promise<any[]> {
  return (await listSets(client)).sets;
}

/**
 * A version reference as people write it: an amv-… id, or SET/VERSION ("qwen2/V3", "am-…/3",
 * "qwen2/latest"). Answers the amv-… id.
 */
export async function resolveVersionId(client: ApiClient, ref: string): Promise<string> {
  const slash = ref.lastIndexOf('/');
  if (slash < 0) return ref;
  const setRef = ref.slice(0, slash);
  const v = ref.slice(slash + 1);
  const set = await findSet(client, setRef);
  const versions: any[] = set.modelVersionList ?? [];
  const found = /^latest$/i.test(v)
    ? versions[versions.length - 1]
    : versions.find((x) => x.modelName.toLowerCase() === v.toLowerCase() || x.modelName === `V${v}` || x.modelId === v);
  if (!found) {
    const known = versions.map((x) => x.modelName).join(', ') || 'none';
    throw new ApiCallError(404, 'ModelNotFound', `model set ${set.modelSetName} has no version ${v} (versions: ${known})`);
  }
  return found.modelId;
}

/** "V3 Ready" for a set's newest version. */
export function latestVersion(set: any): string {
  const v = set.modelVersionList?.[set.modelVersionList.length - 1];
  return v ? `${v.modelName} ${v.status}` : '-';
}
