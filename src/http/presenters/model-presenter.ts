// Model views → the JSON shapes of Qianfan's documented results (seeds/describe-model.txt).
import { toApiTime } from '../../domain/time.js';
import type { FailureParams, ModelSetView, ModelVersionView, VersionSummary } from '../../domain/model/model-views.js';

/** failureCode and failureParams beside failureReason (the English sentence stays as it was). */
const failureCodeFields = (v: { failureCode: string | null; failureParams: FailureParams | null }) =>
  v.failureCode ? { failureCode: v.failureCode, failureParams: v.failureParams ?? {} } : {};

export function presentVersionSummary(v: VersionSummary) {
  return {
    modelId: v.modelId,
    modelName: v.modelName,
    status: v.status,
    sourceType: v.sourceType,
    ...(v.description ? { description: v.description } : {}),
    ...(v.failureReason ? { failureReason: v.failureReason } : {}),
    ...failureCodeFields(v),
    createTime: toApiTime(v.createdAt),
    modifyTime: toApiTime(v.modifiedAt),
  };
}

export function presentModelSet(v: ModelSetView) {
  return {
    modelSetId: v.id,
    modelSetName: v.name,
    source: v.source,
    modelType: v.modelType,
    labels: v.labels,
    ...(v.description ? { description: v.description } : {}),
    createTime: toApiTime(v.createdAt),
    modifyTime: toApiTime(v.modifiedAt),
    modelCount: v.versions.length,
    modelIds: v.versions.map((x) => x.modelId),
    modelNames: v.versions.map((x) => x.modelName),
    modelVersionList: v.versions.map(presentVersionSummary),
  };
}

/** Fields the import recorded in `details` that DescribeModel shows as they are. */
const DETAIL_FIELDS = [
  'tokenLimitations',
  'isSupportDeploy',
  'isSupportModelComp',
  'isSupportEvaluation',
  'modelCompConfigs',
  'modelFormat',
  'architecture',
  'modelType',
  'parameterCount',
  'dtype',
  'contextLength',
  'totalBytes',
  'files',
  'chatTemplateSource',
  'chatTemplate',
  'chatTemplatePreview',
  'family',
  'adapter',
  'warnings',
  'storage',
] as const;

export function presentModel(v: ModelVersionView) {
  const meta = v.source;
  const details = v.details;
  const sourceInfo: Record<string, unknown> = { sourceType: v.sourceType, ...(meta.sourceInfo ?? {}) };
  const picked = Object.fromEntries(DETAIL_FIELDS.filter((k) => details[k] !== undefined).map((k) => [k, details[k]]));
  return {
    modelSetId: v.modelSetId,
    modelSetName: v.modelSetName,
    modelId: v.id,
    modelName: v.name,
    // Import: the basicModelName given; Train: the base model of the task's job.
    ...(meta.basicModelName ? { model: meta.basicModelName } : meta.baseModel ? { model: meta.baseModel } : {}),
    ...(v.description ? { description: v.description } : {}),
    sourceInfo,
    status: v.status,
    ...(v.failureReason ? { failureReason: v.failureReason } : {}),
    ...failureCodeFields(v),
    ...(v.importProgress ? { importProgress: v.importProgress } : {}),
    modelApplicationType: v.modelApplicationType ?? undefined,
    endpointType: v.modelApplicationType ?? undefined,
    createTime: toApiTime(v.createdAt),
    modifyTime: toApiTime(v.modifiedAt),
    isSupportDeploy: false,
    isSupportModelComp: false,
    isSupportEvaluation: false,
    modelCompConfigs: [],
    ...picked,
    ...(meta.advancedSettings ? { advancedSettings: meta.advancedSettings } : {}),
    ...(meta.chatConf ? { chatConf: meta.chatConf } : {}),
    ...(meta.customSpec ? { customSpec: meta.customSpec } : {}),
    ...(meta.transformerVersion ? { transformerVersion: meta.transformerVersion } : {}),
    ...(meta.vLLMVersion ? { vLLMVersion: meta.vLLMVersion } : {}),
    ...(meta.enablePromptAutoConcat !== undefined ? { enablePromptAutoConcat: meta.enablePromptAutoConcat } : {}),
    ...(meta.baseModelId ? { baseModelId: meta.baseModelId } : {}),
    // The views are DescribeModel's own shape (model-views.ts BoundAdapterView).
    ...(v.adapters.length > 0 ? { adapters: v.adapters } : {}),
    ...(v.resourceConfig !== null ? { resourceConfig: v.resourceConfig } : {}),
  };
}
