// Table shapes as Kysely sees them. JSON documents are stored as text and booleans as 0/1
// integers so that one set of queries runs unchanged on SQLite and PostgreSQL.
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface AccessKeysTable {
  access_key: string;
  account_id: string;
  /** AES-256-GCM ciphertext of the secret key (see domain/iam/secret-box.ts). */
  secret_enc: string;
  /** JSON array of policy names. */
  policies: string;
  status: 'enabled' | 'disabled';
  description: string | null;
  created_at: string;
  modified_at: string;
}

export interface ModelSetsTable {
  id: string;
  account_id: string;
  name: string;
  model_type: string;
  /** JSON array of strings. */
  labels: string;
  source: string;
  /** Next version number to hand out; bumped inside the create transaction. */
  next_version: number;
  /** Markdown, editable with UpdateModelSet (migration 0011). */
  description?: string | null;
  created_at: string;
  modified_at: string;
}

export interface ModelVersionsTable {
  id: string;
  account_id: string;
  model_set_id: string;
  version_no: number;
  name: string;
  description: string | null;
  source_type: 'Train' | 'Import';
  status: 'Creating' | 'Ready' | 'Fail';
  failure_reason: string | null;
  /** The reason's stable code and its parameters as JSON (failure-codes.ts; migration 0012). */
  failure_code?: string | null;
  failure_params?: string | null;
  model_application_type: string | null;
  /** JSON: the request's trainMeta / importMeta exactly as accepted. */
  source_meta: string;
  /** JSON: the top-level resourceConfig, when given. */
  resource_config: string | null;
  /** The advanced config as the JSON string DescribeModelCustomAdvancedConf returns. */
  advance_conf: string | null;
  /** JSON: what the import/publish recorded (token limits, files, capabilities, …). */
  details: string | null;
  /**
   * The Hub commit of a Ready version's manifest (commitIdOf; migration 0017), written when it
   * becomes Ready. NULL for versions made Ready before 0017 until the resolver fills it in.
   */
  commit_id?: string | null;
  created_at: string;
  modified_at: string;
}

export interface JobsTable {
  id: string;
  kind: string;
  /** The resource the job works on (a model version id for imports). */
  subject_id: string;
  account_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  /** JSON payload. */
  payload: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  /** A queued job waiting to be retried: claimable from this time (ISO); null for a first run. */
  run_after?: string | null;
  /** JSON ImportProgress the running job publishes (about once a second); null before it starts. */
  progress?: string | null;
}

export interface FineTuningJobsTable {
  id: string;
  account_id: string;
  name: string;
  description: string | null;
  /** The base model the job trains, as the caller named it (e.g. ERNIE-Speed-8K, Qwen2-7B). */
  model: string;
  train_mode: string;
  created_at: string;
  modified_at: string;
  /** The job-level parameterScale and hyperParameterConfig (JSON) the Python SDK may send; tasks inherit them. */
  parameter_scale: string | null;
  hyper_parameter_config: string | null;
}

export interface FineTuningTasksTable {
  id: string;
  account_id: string;
  job_id: string;
  parameter_scale: string | null;
  /** JSON: the CreateFineTuningTask fields the registry stores but does not interpret. */
  params: string;
  run_status: 'Waiting' | 'Running' | 'Done' | 'Failed' | 'Stopped';
  /** 0-100, shown as "40%". */
  run_progress: number;
  failure_reason: string | null;
  /** JSON object reported by the trainer, or null. */
  metrics: string | null;
  /** The checkpoint a Done task publishes when no step is named; null means the highest step. */
  final_step: number | null;
  created_at: string;
  modified_at: string;
  finished_at: string | null;
}

export interface FineTuningCheckpointsTable {
  task_id: string;
  step: number;
  account_id: string;
  bucket: string;
  object_path: string;
  model_format: string;
  model_application_type: string;
  transformer_version: string | null;
  created_at: string;
  /** What the trainer reported with the checkpoint, when it did (DescribeFineTuningTask's checkpointList). */
  training_loss: number | null;
  perplexity: number | null;
}

export interface CustomConfsTable {
  file_name: string;
  account_id: string;
  original_name: string | null;
  size: number;
  sha256: string;
  content: string;
  created_at: string;
}

export interface AdapterBindingsTable {
  /** The adapter version (amv-…); one base each. */
  adapter_id: string;
  /** The Ready version the adapter was checked against. */
  base_id: string;
  account_id: string;
  created_at: string;
}

export interface VersionTensorShapesTable {
  version_id: string;
  /** JSON: tensor name → shape, from the version's safetensors headers. */
  shapes: string;
}

export interface BlobsTable {
  /** An account id, or "shared" when dedup is global. */
  scope: string;
  sha256: string;
  size: number;
  state: 'pending' | 'ready';
  claimed_at: string;
}

export interface VersionFilesTable {
  version_id: string;
  path: string;
  size: number;
  sha256: string;
  scope: string;
}

export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: string;
}

export interface ModelExportsTable {
  id: string;
  account_id: string;
  version_id: string;
  status: 'Doing' | 'Done' | 'Fail';
  file_name: string | null;
  object_key: string | null;
  md5: string | null;
  size: number | null;
  failure_reason: string | null;
  created_at: string;
  modified_at: string;
}

export interface ReadTokensTable {
  id: string;
  account_id: string;
  name: string;
  /** sha256 hex of the token; the token itself is never stored. */
  token_hash: string;
  /** The token's first characters, so a user can tell tokens apart. */
  token_hint: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface ModelSetAliasesTable {
  model_set_id: string;
  alias: string;
  account_id: string;
  model_id: string;
  modified_by: string;
  modified_at: string;
}

export interface ModelSetAliasEventsTable {
  id: string;
  model_set_id: string;
  alias: string;
  /** null when the alias was created by this move. */
  from_model_id: string | null;
  /** null when the alias was deleted. */
  to_model_id: string | null;
  actor: string;
  at: string;
}

/** Key/value tags on model versions (UpdateModel's `tags`), MLflow-style; migration 0011. */
export interface ModelVersionTagsTable {
  model_id: string;
  tag_key: string;
  tag_value: string;
  model_set_id: string;
  account_id: string;
}

/** An account's number of model sets, kept by triggers on model_sets (migration 0015). */
export interface ModelSetCountsTable {
  account_id: string;
  n: number;
}

/**
 * One row per label of a set, written by triggers on model_sets (migration 0016) with the set's
 * sort keys, so the label filter pages by an (account_id, label, key…) index.
 */
export interface ModelSetLabelsTable {
  model_set_id: string;
  label: string;
  account_id: string;
  created_at: string;
  modified_at: string;
  name: string;
}

/** The number of an account's sets with a label, kept by triggers on model_sets (migration 0016). */
export interface ModelSetLabelCountsTable {
  account_id: string;
  label: string;
  n: number;
}

export interface Database {
  accounts: AccountsTable;
  access_keys: AccessKeysTable;
  model_sets: ModelSetsTable;
  model_set_counts: ModelSetCountsTable;
  model_set_labels: ModelSetLabelsTable;
  model_set_label_counts: ModelSetLabelCountsTable;
  model_versions: ModelVersionsTable;
  jobs: JobsTable;
  finetuning_jobs: FineTuningJobsTable;
  finetuning_tasks: FineTuningTasksTable;
  finetuning_checkpoints: FineTuningCheckpointsTable;
  custom_confs: CustomConfsTable;
  adapter_bindings: AdapterBindingsTable;
  version_tensor_shapes: VersionTensorShapesTable;
  blobs: BlobsTable;
  version_files: VersionFilesTable;
  leases: LeasesTable;
  model_exports: ModelExportsTable;
  read_tokens: ReadTokensTable;
  model_set_aliases: ModelSetAliasesTable;
  model_set_alias_events: ModelSetAliasEventsTable;
  model_version_tags: ModelVersionTagsTable;
}

export type { Generated };
