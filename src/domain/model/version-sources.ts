// Where a version's files come from. Each sourceType plugs in one VersionSource: it checks
// the request before anything is stored (bucket granted, task and checkpoint exist) and
// returns what the background job needs to import the files.
import type { ImportMeta, TrainMeta } from './create-model-rules.js';
import type { ImportJobPayload } from '../../jobs/job-payloads.js';

export interface PreparedSource {
  /** Stored with the import job (besides sourceType); the worker reads it back. */
  jobPayload: Omit<ImportJobPayload, 'sourceType'>;
  /** Shown in DescribeModel's sourceInfo (besides sourceType). */
  sourceInfo: Record<string, unknown>;
  /** modelApplicationType when the source decides it (a training task's model). */
  modelApplicationType?: string;
  /** The base model a Train version was fine-tuned from (its job's model): DescribeModel's `model`. */
  baseModel?: string;
  /**
   * When the same source may be published only once per set: checked again inside the create
   * transaction, after the set's row is locked, so two simultaneous publishes cannot both pass.
   */
  unique?: {
    matches(sourceInfo: Record<string, unknown>): boolean;
    conflict(existing: { id: string; name: string; status: string }): Error;
  };
}

export interface VersionSourceContext {
  accountId: string;
  modelSetId: string;
}

export interface ImportSource {
  prepare(ctx: VersionSourceContext, meta: ImportMeta): Promise<PreparedSource>;
}

export interface TrainSource {
  prepare(ctx: VersionSourceContext, meta: TrainMeta): Promise<PreparedSource>;
}

export interface VersionSources {
  Import: ImportSource;
  Train: TrainSource;
}
