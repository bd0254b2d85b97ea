// The import job: read and validate a version's files (src/domain/import), copy them into
// registry storage on the way (staged, then promoted to content-addressed blobs: blob-store.ts),
// and move the version from Creating to Ready or Fail.
// Ready is written in the same transaction that finishes the job, and only while this worker
// still holds the job's lease: a half-done import is never visible as Ready.
import type { Logger } from 'pino';
import { inspectModel, ModelValidationError, type InspectModelInput, type ModelInspection } from '../domain/import/inspect-model.js';
import { reason as coded, storableReason, type CodedReason } from '../domain/import/failure-codes.js';
import { AdapterBaseResolver, type AdapterBinding } from '../domain/model/adapter-base.js';
import { ProgressPublisher } from '../domain/model/import-progress.js';
import { commitIdOf } from '../domain/hub/commit-id.js';
import type { AdaptersRepo } from '../store/repos/adapters-repo.js';
import { unstorableText } from '../store/dialect.js';
import type { ObjectStore } from '../objects/object-store.js';
import type { CustomConfsRepo } from '../store/repos/custom-confs-repo.js';
import type { ImportJobPayload } from './job-payloads.js';
import type { ClaimedJob, Job, JobQueue } from './job-queue.js';
import type { ModelsRepo } from '../store/repos/models-repo.js';
import { shapesFromStoredFiles } from './base-shapes.js';
import { StorageQuotaError, VersionGoneError, type BlobStore } from './blob-store.js';
import { CopyingSource, deletePrefix, versionPrefix, type RegistryLocation } from './registry-copy.js';
import type { JobContext, JobHandler } from './worker.js';

/** Attempts before an import that keeps dying (crash, store outage) is failed for good. */
export const MAX_IMPORT_ATTEMPTS = 3;

export class ImportJobHandler implements JobHandler<'import'> {
  readonly kind = 'import';
  private readonly adapters: AdaptersRepo;
  private readonly adapterBases: AdapterBaseResolver;

  constructor(
    private readonly deps: {
      models: ModelsRepo;
      adapters: AdaptersRepo;
      jobs: JobQueue;
      confs: CustomConfsRepo;
      source: ObjectStore;
      registry: RegistryLocation;
      blobs: BlobStore;
      logger: Logger;
      /** Delay before retrying after an infrastructure error. */
      retryDelayMs: number;
      /** Least time between two progress writes of one job (default 1 s). */
      progressEveryMs?: number;
      /** Files larger than this are refused (SECURITY.md, class 6). */
      maxFileBytes?: number;
    },
  ) {
    this.adapters = deps.adapters;
    // The third argument is the SET@alias lookup (base-ref.ts AliasLookup); none until aliases exist.
    this.adapterBases = new AdapterBaseResolver(deps.models, this.adapters, undefined, (base) => shapesFromStoredFiles(deps.blobs, base));
  }

  async run(job: Job<'import'>, ctx: JobContext): Promise<void> {
    const { models, jobs, registry } = this.deps;
    const now = () => new Date().toISOString();
    const version = await models.findVersionById(job.subjectId);
    if (!version || version.status !== 'Creating') {
      // Deleted meanwhile, or already decided by an earlier attempt: nothing left to do.
      await jobs.finish(job.id, ctx.owner, 'done', version ? null : 'version deleted', now());
      return;
    }
    const payload = job.payload;
    const url = `bos://${payload.bucket}/${payload.objectPath}`;
    const versionDir = versionPrefix(version.account_id, version.id);
    // Each attempt copies into its own folder: a stalled earlier owner that wakes up and cleans
    // after itself can never touch the copy of the attempt that took its job over.
    const dest = `${versionDir}/attempt-${job.attempts}`;
    // Decided before touching any store, so a job whose store stays down still ends.
    if (job.attempts > MAX_IMPORT_ATTEMPTS) {
      await deletePrefix(registry, versionDir).catch(() => undefined);
      await this.fail(job, ctx, version.id, `the import of ${url} was interrupted ${job.attempts - 1} times (${job.lastError ?? 'worker stopped'}); create the version again`, coded('ImportInterrupted', { url, attempts: job.attempts - 1 }));
      return;
    }

    const copying = new CopyingSource(this.deps.source, payload.bucket, payload.objectPath, registry, dest);
    // Progress goes to the job's row at most once a second (and at phase changes), never per chunk.
    const progress = new ProgressPublisher((json) => jobs.setProgress(job.id, ctx.owner, json), this.deps.progressEveryMs ?? 1000);
    let inspection: ModelInspection;
    try {
      // A crashed earlier attempt of this same number (claimed, then died before copying) may
      // have left files: start from an empty folder.
      await deletePrefix(registry, dest);
      const { sourceType: _sourceType, customSpecFile, baseModelId: _base, trainTaskId: _task, checkpointStep: _step, ...input } = payload;
      inspection = await inspectModel(
        copying,
        { ...input, hasCustomSpec: customSpecFile !== undefined },
        {
          account: version.account_id,
          signal: ctx.signal,
          onProgress: (done, total) => progress.bytes(done, total),
          ...(this.deps.maxFileBytes !== undefined ? { maxFileBytes: this.deps.maxFileBytes } : {}),
          beforeRead: async (total) => registry.store.ensureFreeSpace?.(registry.bucket, total),
        },
      );
      progress.phase('finishing');
      await copying.finish(inspection.files);
    } catch (err) {
      await copying.settle();
      await progress.settle();
      if (ctx.signal.aborted) {
        // Shutdown or lease lost: the next owner retries in a folder of its own, so this
        // attempt's partial copy is nobody's.
        await deletePrefix(registry, dest).catch(() => undefined);
        throw err;
      }
      await deletePrefix(registry, dest).catch(() => undefined);
      if (unstorableText(err)) throw err; // the worker ends the job: the same text fails every attempt
      // A write refused for the disk's reserve (FreeSpaceError) will not succeed on a retry either.
      if (err instanceof ModelValidationError || (err as Error)?.name === 'FreeSpaceError') {
        await this.fail(job, ctx, version.id, (err as Error).message, err instanceof ModelValidationError ? err.reason : coded('StorageFull', { detail: (err as Error).message }));
        return;
      }
      const reason = describeInfraError(err, url);
      if (job.attempts < MAX_IMPORT_ATTEMPTS) {
        await this.retryLater(job, ctx, reason);
        return;
      }
      await this.fail(job, ctx, version.id, `${reason} (gave up after ${job.attempts} attempts; create the version again when the store is reachable)`, coded('ImportGaveUp', { url, attempts: job.attempts, detail: reason }));
      return;
    }

    // Adapters: the base is resolved and the fit checked once the files are known to be one.
    let binding: AdapterBinding | null;
    try {
      binding = await this.adapterBases.bind(version.account_id, payload, inspection);
    } catch (err) {
      await deletePrefix(registry, dest).catch(() => undefined);
      if (err instanceof ModelValidationError) {
        await this.fail(job, ctx, version.id, err.message, err.reason);
        return;
      }
      if (ctx.signal.aborted || unstorableText(err)) throw err;
      // Database or registry-store trouble while reading the base: retried like a copy failure.
      const reason = `could not check the adapter against its base: ${(err as Error)?.message ?? String(err)}`;
      if (job.attempts < MAX_IMPORT_ATTEMPTS) await this.retryLater(job, ctx, reason);
      else await this.fail(job, ctx, version.id, `${reason} (gave up after ${job.attempts} attempts; create the version again)`, coded('ImportGaveUp', { url, attempts: job.attempts, detail: reason }));
      return;
    }
    if (binding?.details.inheritedChatTemplate) Object.assign(inspection, binding.details.inheritedChatTemplate);
    const chat = await this.chatTemplateOf(version.account_id, payload, inspection);
    if (typeof chat === 'string') {
      await deletePrefix(registry, dest).catch(() => undefined);
      await this.fail(job, ctx, version.id, chat, coded('CustomSpecGone', { file: payload.customSpecFile }));
      return;
    }
    const details = {
      modelFormat: payload.modelFormat,
      architecture: inspection.architecture,
      modelType: inspection.modelType,
      parameterCount: inspection.parameterCount,
      dtype: inspection.dtype,
      contextLength: inspection.contextLength,
      tokenLimitations: inspection.tokenLimitations,
      ...inspection.capabilities,
      totalBytes: inspection.totalBytes,
      files: inspection.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
      ...chat,
      ...(inspection.family ? { family: inspection.family } : {}),
      warnings: inspection.warnings,
      storage: { kind: registry.store.kind, bucket: registry.bucket, layout: 'blobs', scope: this.deps.blobs.scopeOf(version.account_id) },
    };
    if (binding) {
      const { inheritedChatTemplate: _inherited, ...extra } = binding.details;
      Object.assign(details, extra, { warnings: [...new Set([...inspection.warnings, ...binding.warnings])] });
    }
    const baseGone = binding?.baseId
      ? `base ${binding.baseId} was deleted or left Ready while the adapter was imported; create the adapter version again against a Ready base`
      : null;
    await progress.settle();
    let manifest;
    try {
      manifest = await this.deps.blobs.storeVersion(version.account_id, version.id, dest, inspection.files);
    } catch (err) {
      await deletePrefix(registry, dest).catch(() => undefined);
      if (ctx.signal.aborted || unstorableText(err)) throw err;
      if (err instanceof VersionGoneError) {
        await jobs.finish(job.id, ctx.owner, 'done', 'version deleted', now());
        return;
      }
      if (err instanceof StorageQuotaError) {
        await this.fail(job, ctx, version.id, err.message, coded('StorageQuotaExceeded', { detail: err.message }));
        return;
      }
      const reason = describeInfraError(err, url);
      if (job.attempts < MAX_IMPORT_ATTEMPTS) await this.retryLater(job, ctx, reason);
      else await this.fail(job, ctx, version.id, `${reason} (gave up after ${job.attempts} attempts)`, coded('ImportGaveUp', { url, attempts: job.attempts, detail: reason }));
      return;
    }
    const committed = await models.transaction(async (tx) => {
      // Locked (PostgreSQL) so a DeleteModel of the base waits and then sees the binding.
      const baseOk = binding?.baseId ? await this.adapters.lockReadyVersion(binding.baseId, tx) : true;
      const ours = await jobs.finish(job.id, ctx.owner, baseOk ? 'done' : 'failed', baseOk ? null : baseGone, now(), tx);
      if (!ours) return false;
      const still = await models.findVersionById(version.id, tx);
      if (!still || still.status !== 'Creating') return false;
      if (!baseOk) {
        // The files storeVersion recorded become collectable (they would count against the stored-bytes quota).
        await this.deps.blobs.repo.deleteManifest(version.id, tx);
        await models.updateVersion(version.id, { status: 'Fail', failure_reason: baseGone, ...codedColumns(coded('BaseGone', { base: binding?.baseId ?? undefined })), modified_at: now() }, tx);
        return false;
      }
      // Exactly this attempt's files (an earlier attempt may have recorded others).
      await this.deps.blobs.repo.replaceManifest(version.id, manifest, tx);
      // Its Hub commit with it, so a revision naming the commit is one indexed lookup (migration 0017).
      await models.updateVersion(version.id, { status: 'Ready', commit_id: commitIdOf(manifest), details: JSON.stringify(details), failure_reason: null, failure_code: null, failure_params: null, modified_at: now() }, tx);
      if (binding?.baseId) await this.adapters.bind({ adapter_id: version.id, base_id: binding.baseId, account_id: version.account_id, created_at: now() }, tx);
      if (inspection.tensorShapes && !inspection.adapter) await this.adapters.putShapes(version.id, inspection.tensorShapes, tx);
      return true;
    });
    if (!committed) {
      // Deleted while importing, or taken over: this attempt's copy is nobody's.
      await deletePrefix(registry, dest).catch(() => undefined);
      return;
    }
    // Staged leftovers (earlier attempts' copies after a crash mid-copy) go now that the blobs hold the version.
    await deletePrefix(registry, versionDir).catch((err) => this.deps.logger.warn({ err, versionDir }, 'could not remove staged leftovers'));
  }

  /**
   * The chat template the version is served with: customSpec's uploaded file, or chatConf (shown as
   * given), or, when neither is given and enablePromptAutoConcat is on, the tokenizer's own
   * chat_template. A string is a failure reason.
   */
  private async chatTemplateOf(
    accountId: string,
    payload: ImportJobPayload,
    inspection: ModelInspection,
  ): Promise<string | { chatTemplateSource?: string; chatTemplate?: string; chatTemplatePreview?: string }> {
    if (payload.customSpecFile) {
      const conf = await this.deps.confs.find(accountId, payload.customSpecFile);
      if (!conf) return `customSpec file ${payload.customSpecFile} no longer exists; upload it again with CreateModelCustomConf and create the version again`;
      return { chatTemplateSource: 'customSpec', chatTemplate: conf.content };
    }
    if (payload.hasChatConf) return { chatTemplateSource: 'chatConf' };
    if (payload.enablePromptAutoConcat && inspection.chatTemplate !== undefined) {
      return {
        chatTemplateSource: 'tokenizer',
        chatTemplate: inspection.chatTemplate,
        ...(inspection.chatTemplatePreview !== undefined ? { chatTemplatePreview: inspection.chatTemplatePreview } : {}),
      };
    }
    return {};
  }

  /** A stored payload that does not fit: the version fails with the reason, like any invalid import. */
  async reject(job: Omit<ClaimedJob<'import'>, 'payload'>, reason: string, ctx: JobContext): Promise<void> {
    await this.fail(job, ctx, job.subjectId, reason, coded('InvalidModel', { detail: reason }));
  }

  private async fail(job: { id: string }, ctx: JobContext, versionId: string, text: string, code: CodedReason): Promise<void> {
    const { models, jobs } = this.deps;
    const reason = storableReason(text);
    const at = new Date().toISOString();
    await models.transaction(async (tx) => {
      const ours = await jobs.finish(job.id, ctx.owner, 'failed', reason, at, tx);
      if (!ours) return;
      const still = await models.findVersionById(versionId, tx);
      if (still?.status === 'Creating') {
        // Blobs claimed by earlier attempts become collectable.
        await this.deps.blobs.repo.deleteManifest(versionId, tx);
        await models.updateVersion(versionId, { status: 'Fail', failure_reason: reason, ...codedColumns(code), modified_at: at }, tx);
      }
    });
  }

  /** Queues the job again after a delay growing with its attempts; any worker then claims it. */
  private async retryLater(job: Job<'import'>, ctx: JobContext, text: string): Promise<void> {
    const reason = storableReason(text);
    const at = Date.now();
    await this.deps.jobs.retry(job.id, ctx.owner, reason, new Date(at).toISOString(), new Date(at + this.deps.retryDelayMs * job.attempts).toISOString());
    this.deps.logger.warn({ jobId: job.id, reason, attempt: job.attempts }, 'import failed on infrastructure; will retry');
  }
}

/** The columns that keep a reason's code and parameters (migration 0012). */
const codedColumns = (r: CodedReason) => ({ failure_code: r.code, failure_params: JSON.stringify(r.params) });

/** A failure reason for the tenant: bucket-relative (the url), never the server's own paths. */
export function describeInfraError(err: unknown, url: string): string {
  const e = err as NodeJS.ErrnoException & { name?: string };
  if (e?.code === 'ENOSPC') return `registry storage is full (ENOSPC) while copying ${url}; free disk space and create the version again`;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `permission denied while reading ${url} or writing registry storage (${e.code}${e.syscall ? ` in ${e.syscall}` : ''})`;
  return `could not import ${url}: ${withoutServerPaths(e)}`;
}

/**
 * File system errors name absolute paths ("ENOENT: no such file or directory, open '/srv/…'"):
 * keep the code and the call, drop the path; in other messages, absolute paths become "<path>".
 */
function withoutServerPaths(e: (NodeJS.ErrnoException & { dest?: string }) | undefined): string {
  if (e === undefined || e === null) return 'unknown error';
  if (typeof e !== 'object') return String(e).replace(ABSOLUTE_PATH, '<path>');
  if (e.path !== undefined || e.dest !== undefined) return `${e.code ?? 'error'}${e.syscall ? ` in ${e.syscall}` : ''}`;
  return String(e.message ?? e).replace(ABSOLUTE_PATH, '<path>');
}

// Two or more /segments not after a letter, colon or slash (so bos://bucket/key keeps its form); linear.
const ABSOLUTE_PATH = /(?<![\w:/])(?:\/[^\s'"/]+){2,}/g;
