// Domain rows → the JSON shapes of Qianfan's documented results (seeds/describe-model.txt).
import { toApiTime } from '../../domain/time.js';
import type { ModelSetView, VersionSummary } from '../../domain/model/model-set-service.js';
import type { VersionView } from '../../domain/model/model-version-service.js';

// Stored JSON documents (a version's details and source) are the same text request after request:
// parsed once per distinct text (bounded: 1000 texts of up to 16 KiB; longer ones are parsed each time). The parsed
// values are shared between answers, so presenters only read them.
const parsed = new Map<string, unknown>();
const parse = <T>(s: string | null | undefined, fallback: T): T => {
  if (!s) return fallback;
  if (s.length > 16_384) return JSON.parse(s) as T;
  let v = parsed.get(s);
  if (v === undefined) {
    v = JSON.parse(s);
    if (parsed.size >= 1000) parsed.clear();
    parsed.set(s, v);
  }
  return v as T;
};

/** failureCode and failureParams beside failureReason (the English sentence stays as it was). */
function failureCodeFields(code: string | null | undefined, params: string | null | undefined) {
  return code ? { failureCode: code, failureParams: parse<Record<string, string | number>>(params ?? null, {}) } : {};
}

export function presentVersionSummary(v: VersionSummary) {
  return {
    modelId: v.modelId,
    modelName: v.modelName,
    status: v.status,
    sourceType: v.sourceType,
    ...(v.description ? { description: v.description } : {}),
    ...(v.failureReason ? { failureReason: v.failureReason } : {}),
    ...failureCodeFields(v.failureCode, v.failureParams),
    createTime: toApiTime(v.createdAt),
    modifyTime: toApiTime(v.modifiedAt),
  };
}

export function presentModelSet(v: ModelSetView) {
  const r = v.row;
  return {
    modelSetId: r.id,
    modelSetName: r.name,
    source: r.source,
    modelType: r.model_type,
    labels: parse<string[]>(r.labels, []),
    ...(r.description ? { description: r.description } : {}),
    createTime: toApiTime(r.created_at),
    modifyTime: toApiTime(r.modified_at),
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

export function presentModel({ row, set, adapters, importProgress }: VersionView) {
  const meta = parse<Record<string, any>>(row.source_meta, {});
  const details = parse<Record<string, unknown>>(row.details, {});
  const sourceInfo: Record<string, unknown> = { sourceType: row.source_type, ...(meta.sourceInfo ?? {}) };
  const picked = Object.fromEntries(DETAIL_FIELDS.filter((k) => details[k] !== undefined).map((k) => [k, details[k]]));
  return {
    modelSetId: set.id,
    modelSetName: set.name,
    modelId: row.id,
    modelName: row.name,
    // Import: the basicModelName given; Train: the base model of the task's job.
    ...(meta.basicModelName ? { model: meta.basicModelName } : meta.baseModel ? { model: meta.baseModel } : {}),
    ...(row.description ? { description: row.description } : {}),
    sourceInfo,
    status: row.status,
    ...(row.failure_reason ? { failureReason: row.failure_reason } : {}),
    ...failureCodeFields(row.failure_code, row.failure_params),
    ...(importProgress ? { importProgress } : {}),
    modelApplicationType: row.model_application_type ?? undefined,
    endpointType: row.model_application_type ?? undefined,
    createTime: toApiTime(row.created_at),
    modifyTime: toApiTime(row.modified_at),
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
    ...(adapters.length > 0
      ? { adapters: adapters.map((a) => ({ modelId: a.id, modelName: a.name, modelSetId: a.model_set_id, modelSetName: a.set_name, status: a.status })) }
      : {}),
    ...(row.resource_config ? { resourceConfig: parse(row.resource_config, {}) } : {}),
  };
}
