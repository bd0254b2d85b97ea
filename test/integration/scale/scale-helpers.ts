// Small pieces shared by the cross-process tests in test/integration/scale.
import { openDatabase, type OpenedStore } from '../../../src/store/database.js';
import { call, type Key } from '../../helpers/harness.js';

/** A CreateCustomModel body importing bos://models/<objectPath> (a directory in the shared buckets dir). */
export function importBody(modelSetId: string, description: string, objectPath = 'tiny'): Record<string, unknown> {
  return {
    modelSetId,
    sourceType: 'Import',
    description,
    importMeta: {
      bucket: 'models',
      objectPath,
      modelFormat: 'HuggingFace.Transformers',
      modelApplicationType: 'chat',
      transformerVersion: '4.36.2',
    },
  };
}

export interface VersionLine {
  modelId: string;
  modelName: string;
  status: string;
  failureReason?: string;
  modifyTime: string;
}

/** The set's versions as DescribeModelSet lists them, in version-number order. */
export async function versionsOf(server: { url: string }, key: Key, modelSetId: string): Promise<VersionLine[]> {
  const set = await call(server, key, 'DescribeModelSet', { modelSetId });
  const list = set.modelVersionList as VersionLine[];
  const no = (v: VersionLine) => Number(v.modelName.slice(1));
  return list
    .map(({ modelId, modelName, status, failureReason, modifyTime }) => ({ modelId, modelName, status, ...(failureReason ? { failureReason } : {}), modifyTime }))
    .sort((x, y) => no(x) - no(y));
}

/** A direct connection to the store the processes share, to look at rows the API does not show. */
export function openStore(database: string): Promise<OpenedStore> {
  return openDatabase(database);
}
