// Model versions (amv-…): creation with gap-free V1, V2, … numbering, describe, delete.
// A version starts Creating; a background job (src/jobs) moves it to Ready or Fail.
import { ApiError } from '../errors.js';
import { checkQuota, UNLIMITED_QUOTAS, type Quotas } from '../quotas.js';
import { newId } from '../ids.js';
import { nowIso } from '../time.js';
import { checkCreateModelInput, type CreateModelInput } from './create-model-rules.js';
import type { VersionSources } from './version-sources.js';
import { describeImportProgress, type ImportProgress } from './import-progress.js';
import type { ModelSetRow, ModelVersionRow, ModelsRepo } from '../../store/repos/models-repo.js';
import { AdaptersRepo, type BoundAdapter } from '../../store/repos/adapters-repo.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.js';

export const JOB_KIND_IMPORT = 'import';

export interface VersionView {
  row: ModelVersionRow;
  set: Pick<ModelSetRow, 'id' | 'name'>;
  /** Adapter versions bound to this one (it is their base). */
  adapters: BoundAdapter[];
  /** While Creating: where the import is (queued, copying, …). */
  importProgress?: ImportProgress;
}

export class ModelVersionService {
  private readonly adapters: AdaptersRepo;

  constructor(
    private readonly repo: ModelsRepo,
    private readonly sources: VersionSources,
    /** Called after a create commits, so a worker can start without waiting for its poll. */
    private readonly onJobQueued: () => void = () => {},
    /**
     * Called after a delete commits, to release what the version owns outside the database (its
     * registry copy). Failures are the hook's to log: the version is gone either way.
     */
    private readonly onVersionDeleted: (row: ModelVersionRow) => Promise<void> = async () => {},
    private readonly quotas: Quotas = UNLIMITED_QUOTAS,
    /** Runs inside DeleteModel's transaction, after the version's row is locked; throws to refuse (a version an alias points at). */
    private readonly beforeDelete: (accountId: string, row: ModelVersionRow, tx: Transaction<Database>) => Promise<void> = async () => {},
  ) {
    this.adapters = new AdaptersRepo(repo.db);
  }

  async create(accountId: string, input: CreateModelInput): Promise<{ modelSetId: string; modelId: string }> {
    checkCreateModelInput(input);
    const set = await this.repo.findSet(accountId, { id: input.modelSetId });
    if (!set) throw new ApiError('ModelSetNotFound', `model set not found: no modelSetId ${input.modelSetId} in this account`);

    const ctx = { accountId, modelSetId: set.id };
    const prepared = input.sourceType === 'Train'
      ? await this.sources.Train.prepare(ctx, input.trainMeta!)
      : await this.sources.Import.prepare(ctx, input.importMeta!);

    const id = newId.modelVersion();
    const meta = input.sourceType === 'Train' ? input.trainMeta! : input.importMeta!;
    await this.repo.transaction(async (tx) => {
      // The set may have been deleted since the read above. Locked (PostgreSQL) until commit,
      // so a concurrent DeleteModelSet waits and then counts this version.
      const stillThere = await this.repo.lockSet(accountId, set.id, tx);
      if (!stillThere) throw new ApiError('ModelSetNotFound', `model set ${set.id} was deleted`);
      await this.checkQuotas(accountId, set.id, !prepared.immediate, tx);
      const versionNo = await this.repo.takeVersionNumber(set.id, tx);
      if (prepared.unique) {
        for (const v of await this.repo.liveVersionsOfSet(set.id, input.sourceType, tx)) {
          const info = (JSON.parse(v.source_meta) as { sourceInfo?: Record<string, unknown> }).sourceInfo ?? {};
          if (prepared.unique.matches(info)) throw prepared.unique.conflict(v);
        }
      }
      const at = nowIso();
      const immediate = prepared.immediate;
      await this.repo.insertVersion(
        {
          id,
          account_id: accountId,
          model_set_id: set.id,
          version_no: versionNo,
          name: `V${versionNo}`,
          description: input.description ?? null,
          source_type: input.sourceType,
          status: immediate?.status ?? 'Creating',
          failure_reason: immediate?.failureReason ?? null,
          failure_code: null,
          failure_params: null,
          model_application_type: input.importMeta?.modelApplicationType ?? prepared.modelApplicationType ?? null,
          source_meta: JSON.stringify({ ...meta, ...(prepared.baseModel !== undefined && { baseModel: prepared.baseModel }), sourceInfo: prepared.sourceInfo }),
          resource_config: input.resourceConfig ? JSON.stringify(input.resourceConfig) : null,
          advance_conf: input.importMeta?.advanceConf ?? null,
          details: immediate?.details ? JSON.stringify(immediate.details) : null,
          created_at: at,
          modified_at: at,
        },
        tx,
      );
      await this.repo.touchSet(set.id, at, tx);
      if (!immediate) {
        await this.repo.insertJob(
          {
            id: newId.importJob(),
            kind: JOB_KIND_IMPORT,
            subject_id: id,
            account_id: accountId,
            status: 'queued',
            attempts: 0,
            payload: JSON.stringify({ sourceType: input.sourceType, ...prepared.jobPayload }),
            lease_owner: null,
            lease_expires_at: null,
            last_error: null,
            created_at: at,
            updated_at: at,
          },
          tx,
        );
      }
    });
    if (!prepared.immediate) this.onJobQueued();
    return { modelSetId: set.id, modelId: id };
  }

  /** Under the set's lock, so versions per set are exact even on PostgreSQL. */
  private async checkQuotas(accountId: string, setId: string, queuesJob: boolean, tx: Parameters<ModelsRepo['versionUsage']>[2]): Promise<void> {
    const q = this.quotas;
    if (!(q.versionsPerSet > 0 || q.versionsPerAccount > 0 || (queuesJob && q.concurrentImports > 0))) return;
    const use = await this.repo.versionUsage(accountId, setId, tx);
    checkQuota('versions in this model set', 'MODELREG_QUOTA_VERSIONS_PER_SET', use.versionsOfSet, q.versionsPerSet);
    checkQuota('model versions', 'MODELREG_QUOTA_VERSIONS_PER_ACCOUNT', use.versions, q.versionsPerAccount);
    if (queuesJob) checkQuota('imports queued or running', 'MODELREG_QUOTA_CONCURRENT_IMPORTS', use.liveJobs, q.concurrentImports);
  }

  async describe(accountId: string, modelId: string): Promise<VersionView> {
    const found = await this.repo.findVersionWithSet(accountId, modelId);
    if (!found) throw new ApiError('ModelNotFound', `model version not found: no modelId ${modelId} in this account`);
    const { set_name, adapter_count, ...row } = found;
    const adapters = Number(adapter_count) > 0 ? await this.adapters.adaptersOf(row.id) : [];
    const view: VersionView = { row, set: { id: row.model_set_id, name: set_name }, adapters };
    if (row.status === 'Creating') {
      const job = await this.repo.liveJobOf(row.id);
      const progress = describeImportProgress(job && { status: job.status, leaseOwner: job.lease_owner, progress: job.progress, lastError: job.last_error, jobsAhead: job.jobsAhead });
      if (progress) view.importProgress = progress;
    }
    return view;
  }

  /** Deletes the version and any job still queued for it; a running import notices and stops. */
  async delete(accountId: string, modelId: string): Promise<ModelVersionRow> {
    const row = await this.repo.transaction(async (tx) => {
      const row = await this.repo.findVersion(accountId, modelId, tx);
      if (!row) throw new ApiError('ModelNotFound', `model version not found: no modelId ${modelId} in this account`);
      // Jobs first, then the version's row, in the order the import job's own transactions lock them
      // (PostgreSQL would otherwise see a deadlock with an import finishing at this moment).
      await this.repo.deleteJobsOf(modelId, tx);
      // Locked before the bindings are read, so an adapter import binding to this version waits, or is seen.
      await this.adapters.lockVersion(accountId, modelId, tx);
      const bound = await this.adapters.adaptersOf(modelId, tx);
      if (bound.length > 0) {
        const names = bound.map((a) => `${a.set_name}/${a.name} (${a.id})`).join(', ');
        throw new ApiError('BaseHasAdapters', `model version ${modelId} is the base of ${bound.length} adapter version(s): ${names}; delete them first with DeleteModel`);
      }
      await this.beforeDelete(accountId, row, tx);
      await this.adapters.forget(modelId, tx);
      await this.repo.deleteVersion(modelId, tx);
      await this.repo.touchSet(row.model_set_id, nowIso(), tx);
      return row;
    });
    await this.onVersionDeleted(row);
    return row;
  }
}
