// Model versions (amv-…): creation with gap-free V1, V2, … numbering, describe, delete.
// A version starts Creating; a background job (src/jobs) moves it to Ready or Fail.
import { ERRORS } from '../errors/catalogue.js';
import { checkQuota, UNLIMITED_QUOTAS, type Quotas } from '../quotas.js';
import { newId } from '../ids.js';
import { nowIso } from '../time.js';
import { checkCreateModelInput, type CreateModelInput } from './create-model-rules.js';
import type { VersionSources } from './version-sources.js';
import { describeImportProgress } from './import-progress.js';
import { boundAdapterView, modelVersionView, type ModelVersionView } from './model-views.js';
import type { ModelVersionRow, ModelsRepo } from '../../store/repos/models-repo.js';
import type { AdaptersRepo } from '../../store/repos/adapters-repo.js';
import type { JobQueue } from '../../jobs/job-queue.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.js';

/** What ModelVersionService stores and reads through (src/store implements each). */
export interface ModelVersionPorts {
  models: Pick<ModelsRepo, 'findSet' | 'lockAccount' | 'lockSet' | 'takeVersionNumber' | 'liveVersionsOfSet' | 'insertVersion' | 'touchSet' | 'versionUsage' | 'findVersionWithSet' | 'findVersion' | 'deleteVersion' | 'transaction'>;
  adapters: Pick<AdaptersRepo, 'adaptersOf' | 'lockVersion' | 'forget'>;
  jobs: Pick<JobQueue, 'enqueue' | 'cancelFor' | 'liveJobOf'>;
  sources: VersionSources;
  quotas?: Quotas;
  /** Called after a create commits, so a worker can start without waiting for its poll. */
  onJobQueued?: () => void;
  /**
   * Called after a delete commits, to release what the version owns outside the database (its
   * registry copy). Failures are the hook's to log: the version is gone either way.
   */
  onVersionDeleted?: (row: ModelVersionRow) => Promise<void>;
  /** Runs inside DeleteModel's transaction, after the version's row is locked; throws to refuse (a version an alias points at). */
  beforeDelete?: (accountId: string, row: ModelVersionRow, tx: Transaction<Database>) => Promise<void>;
}

export class ModelVersionService {
  private readonly repo: ModelVersionPorts['models'];
  private readonly adapters: ModelVersionPorts['adapters'];
  private readonly jobs: ModelVersionPorts['jobs'];
  private readonly sources: VersionSources;
  private readonly quotas: Quotas;
  private readonly onJobQueued: () => void;
  private readonly onVersionDeleted: (row: ModelVersionRow) => Promise<void>;
  private readonly beforeDelete: NonNullable<ModelVersionPorts['beforeDelete']>;

  constructor(ports: ModelVersionPorts) {
    this.repo = ports.models;
    this.adapters = ports.adapters;
    this.jobs = ports.jobs;
    this.sources = ports.sources;
    this.quotas = ports.quotas ?? UNLIMITED_QUOTAS;
    this.onJobQueued = ports.onJobQueued ?? (() => {});
    this.onVersionDeleted = ports.onVersionDeleted ?? (async () => {});
    this.beforeDelete = ports.beforeDelete ?? (async () => {});
  }

  async create(accountId: string, input: CreateModelInput): Promise<{ modelSetId: string; modelId: string }> {
    checkCreateModelInput(input);
    const set = await this.repo.findSet(accountId, { id: input.modelSetId });
    if (!set) throw ERRORS.ModelSetNotFound(input.modelSetId);

    const ctx = { accountId, modelSetId: set.id };
    const prepared = input.sourceType === 'Train'
      ? await this.sources.Train.prepare(ctx, input.trainMeta!)
      : await this.sources.Import.prepare(ctx, input.importMeta!);

    const id = newId.modelVersion();
    const meta = input.sourceType === 'Train' ? input.trainMeta! : input.importMeta!;
    const q = this.quotas;
    const perAccount = q.versionsPerAccount > 0 || q.concurrentImports > 0;
    await this.repo.transaction(async (tx) => {
      // Account before set, the one lock order: the per-account counts below are then exact too.
      if (perAccount) await this.repo.lockAccount(accountId, tx);
      // The set may have been deleted since the read above. Locked (PostgreSQL) until commit,
      // so a concurrent DeleteModelSet waits and then counts this version.
      const stillThere = await this.repo.lockSet(accountId, set.id, tx);
      if (!stillThere) throw ERRORS.ModelSetDeleted(set.id);
      await this.checkQuotas(accountId, set.id, tx);
      const versionNo = await this.repo.takeVersionNumber(set.id, tx);
      if (prepared.unique) {
        for (const v of await this.repo.liveVersionsOfSet(set.id, input.sourceType, tx)) {
          const info = (JSON.parse(v.source_meta) as { sourceInfo?: Record<string, unknown> }).sourceInfo ?? {};
          if (prepared.unique.matches(info)) throw prepared.unique.conflict(v);
        }
      }
      const at = nowIso();
      await this.repo.insertVersion(
        {
          id,
          account_id: accountId,
          model_set_id: set.id,
          version_no: versionNo,
          name: `V${versionNo}`,
          description: input.description ?? null,
          source_type: input.sourceType,
          status: 'Creating',
          failure_reason: null,
          failure_code: null,
          failure_params: null,
          commit_id: null,
          model_application_type: input.importMeta?.modelApplicationType ?? prepared.modelApplicationType ?? null,
          source_meta: JSON.stringify({ ...meta, ...(prepared.baseModel !== undefined && { baseModel: prepared.baseModel }), sourceInfo: prepared.sourceInfo }),
          resource_config: input.resourceConfig ? JSON.stringify(input.resourceConfig) : null,
          advance_conf: input.importMeta?.advanceConf ?? null,
          details: null,
          created_at: at,
          modified_at: at,
        },
        tx,
      );
      await this.repo.touchSet(set.id, at, tx);
      await this.jobs.enqueue({ id: newId.importJob(), kind: 'import', subjectId: id, accountId, payload: { sourceType: input.sourceType, ...prepared.jobPayload } }, at, tx);
    });
    this.onJobQueued();
    return { modelSetId: set.id, modelId: id };
  }

  /** Under the set's lock (and the account's, when a per-account quota is on): exact on both databases. */
  private async checkQuotas(accountId: string, setId: string, tx: Parameters<ModelsRepo['versionUsage']>[2]): Promise<void> {
    const q = this.quotas;
    if (!(q.versionsPerSet > 0 || q.versionsPerAccount > 0 || q.concurrentImports > 0)) return;
    const use = await this.repo.versionUsage(accountId, setId, tx);
    checkQuota('versions in this model set', 'MODELREG_QUOTA_VERSIONS_PER_SET', use.versionsOfSet, q.versionsPerSet);
    checkQuota('model versions', 'MODELREG_QUOTA_VERSIONS_PER_ACCOUNT', use.versions, q.versionsPerAccount);
    checkQuota('imports queued or running', 'MODELREG_QUOTA_CONCURRENT_IMPORTS', use.liveJobs, q.concurrentImports);
  }

  async describe(accountId: string, modelId: string): Promise<ModelVersionView> {
    const found = await this.repo.findVersionWithSet(accountId, modelId);
    if (!found) throw ERRORS.ModelVersionNotFound(modelId);
    const adapters = Number(found.adapter_count) > 0 ? (await this.adapters.adaptersOf(found.id)).map(boundAdapterView) : [];
    const view = modelVersionView(found, found.set_name, adapters);
    if (found.status === 'Creating') {
      const progress = describeImportProgress(await this.jobs.liveJobOf(found.id));
      if (progress) view.importProgress = progress;
    }
    return view;
  }

  /** Deletes the version and any job still queued for it; a running import notices and stops. */
  async delete(accountId: string, modelId: string): Promise<void> {
    const row = await this.repo.transaction(async (tx) => {
      const row = await this.repo.findVersion(accountId, modelId, tx);
      if (!row) throw ERRORS.ModelVersionNotFound(modelId);
      // Jobs first, then the version's row, in the order the import job's own transactions lock them
      // (PostgreSQL would otherwise see a deadlock with an import finishing at this moment).
      await this.jobs.cancelFor(modelId, tx);
      // Locked before the bindings are read, so an adapter import binding to this version waits, or is seen.
      await this.adapters.lockVersion(accountId, modelId, tx);
      const bound = await this.adapters.adaptersOf(modelId, tx);
      if (bound.length > 0) {
        const names = bound.map((a) => `${a.set_name}/${a.name} (${a.id})`).join(', ');
        throw ERRORS.BaseHasAdapters(modelId, bound.length, names);
      }
      await this.beforeDelete(accountId, row, tx);
      await this.adapters.forget(modelId, tx);
      await this.repo.deleteVersion(modelId, tx);
      await this.repo.touchSet(row.model_set_id, nowIso(), tx);
      return row;
    });
    await this.onVersionDeleted(row);
  }
}
