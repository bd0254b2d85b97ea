// What the model services answer with: model sets and versions as the domain sees them (parsed
// JSON, no column names). src/http/presenters/model-presenter.ts formats them. Parsed documents
// come from stored-json.ts's cache and are shared between answers: read them, never change them.
// DescribeModel is the hot path (bench/http-describe-model.ts): each field is mapped once, here.
import { parseStored } from '../json/stored-json.js';
import type { ImportProgress } from './import-progress.js';
import type { ModelSetRow, ModelVersionRow } from '../../store/repos/models-repo.js';
import type { BoundAdapter } from '../../store/repos/adapters-repo.js';

export type FailureParams = Record<string, string | number>;

export interface VersionSummary {
  modelId: string;
  modelName: string;
  versionNo: number;
  status: string;
  sourceType: string;
  description: string | null;
  failureReason: string | null;
  /** The reason's stable code (failure-codes.ts); null for versions failed before codes were kept. */
  failureCode: string | null;
  /** The code's parameters; {} when the code has none, null when there is no code. */
  failureParams: FailureParams | null;
  createdAt: string;
  modifiedAt: string;
}

export interface ModelSetView {
  id: string;
  name: string;
  source: string;
  modelType: string;
  labels: string[];
  description: string | null;
  createdAt: string;
  modifiedAt: string;
  versions: VersionSummary[];
}

/** What a version's create request left in its record (importMeta or trainMeta, and what the source added). */
export interface VersionSourceMeta {
  sourceInfo?: Record<string, unknown>;
  /** Import: the basicModelName given. */
  basicModelName?: string;
  /** Train: the base model of the task's job. */
  baseModel?: string;
  baseModelId?: string;
  advancedSettings?: unknown;
  chatConf?: unknown;
  customSpec?: unknown;
  transformerVersion?: string;
  vLLMVersion?: string;
  enablePromptAutoConcat?: boolean;
}

/** An adapter version bound to a base, in the shape DescribeModel lists it. */
export interface BoundAdapterView {
  modelId: string;
  modelName: string;
  modelSetId: string;
  modelSetName: string;
  status: string;
}

export interface ModelVersionView {
  id: string;
  name: string;
  modelSetId: string;
  modelSetName: string;
  description: string | null;
  sourceType: string;
  status: string;
  failureReason: string | null;
  failureCode: string | null;
  failureParams: FailureParams | null;
  modelApplicationType: string | null;
  source: VersionSourceMeta;
  /** What the import recorded (format, architecture, files, …); {} until it has. */
  details: Record<string, unknown>;
  resourceConfig: unknown;
  /** DescribeModelCustomAdvancedConf's JSON text, as given. */
  advanceConf: string | null;
  createdAt: string;
  modifiedAt: string;
  /** Adapter versions bound to this one (it is their base). */
  adapters: BoundAdapterView[];
  /** While Creating: where the import is (queued, copying, …). */
  importProgress?: ImportProgress;
}

const failureParams = (code: string | null | undefined, params: string | null | undefined): FailureParams | null =>
  code ? parseStored<FailureParams>(params, {}) : null;

export function versionSummary(v: Pick<ModelVersionRow, 'id' | 'name' | 'version_no' | 'status' | 'source_type' | 'description' | 'failure_reason' | 'failure_code' | 'failure_params' | 'created_at' | 'modified_at'>): VersionSummary {
  return {
    modelId: v.id,
    modelName: v.name,
    versionNo: v.version_no,
    status: v.status,
    sourceType: v.source_type,
    description: v.description,
    failureReason: v.failure_reason,
    failureCode: v.failure_code ?? null,
    failureParams: failureParams(v.failure_code, v.failure_params),
    createdAt: v.created_at,
    modifiedAt: v.modified_at,
  };
}

export function modelSetView(r: ModelSetRow, versions: VersionSummary[]): ModelSetView {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    modelType: r.model_type,
    labels: parseStored<string[]>(r.labels, []),
    description: r.description ?? null,
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
    versions,
  };
}

export function boundAdapterView(a: BoundAdapter): BoundAdapterView {
  return { modelId: a.id, modelName: a.name, modelSetId: a.model_set_id, modelSetName: a.set_name, status: a.status };
}

export function modelVersionView(v: ModelVersionRow, setName: string, adapters: BoundAdapterView[]): ModelVersionView {
  return {
    id: v.id,
    name: v.name,
    modelSetId: v.model_set_id,
    modelSetName: setName,
    description: v.description,
    sourceType: v.source_type,
    status: v.status,
    failureReason: v.failure_reason,
    failureCode: v.failure_code ?? null,
    failureParams: failureParams(v.failure_code, v.failure_params),
    modelApplicationType: v.model_application_type,
    source: parseStored<VersionSourceMeta>(v.source_meta, {}),
    details: parseStored<Record<string, unknown>>(v.details, {}),
    resourceConfig: v.resource_config ? parseStored<unknown>(v.resource_config, {}) : null,
    advanceConf: v.advance_conf,
    createdAt: v.created_at,
    modifiedAt: v.modified_at,
    adapters,
  };
}
