// Qianfan's model export tasks: CreateModelExportTask queues a durable job (src/jobs/export-job.ts)
// that packs a Ready version into one tar archive in registry storage; DescribeModelExportTask
// reports the newest task of the version and, once Done, a short-lived download URL.
import { ERRORS } from '../errors/catalogue.js';
import { newId } from '../ids.js';
import { nowIso } from '../time.js';
import type { ModelsRepo } from '../../store/repos/models-repo.js';
import type { ExportRow, ExportsRepo } from '../../store/repos/exports-repo.js';
import type { JobQueue } from '../../jobs/job-queue.js';
import type { DownloadLinks } from './download-links.js';
import type { Principal } from '../iam/iam-service.js';
import type { ManifestFile, RegistryFiles } from './registry-files.js';

/** What ModelExportService stores and reads through (src/store implements each; src/app.ts wires them). */
export type ExportVersions = Pick<ModelsRepo, 'findVersionWithSet' | 'transaction'>;
export type ExportRecords = Pick<ExportsRepo, 'allFor' | 'delete' | 'insert' | 'latestFor'>;

/** Who asks for download URLs: the URLs name its access key. */
export type Asker = Pick<Principal, 'accountId' | 'accessKey'>;

export interface ExportView {
  exportId: string;
  hasRecord: boolean;
  status?: 'Doing' | 'Done' | 'Fail';
  failureReason?: string;
  fileName?: string;
  fileType?: string;
  md5?: string;
  fileSize?: number;
  downloadUrl?: string;
}

export interface VersionFilesView {
  modelId: string;
  modelSetName: string;
  modelName: string;
  totalSize: number;
  expiresInSeconds: number;
  files: (ManifestFile & { downloadUrl: string })[];
}

export class ModelExportService {
  constructor(
    private readonly models: ExportVersions,
    private readonly exports: ExportRecords,
    private readonly jobs: Pick<JobQueue, 'enqueue'>,
    private readonly files: RegistryFiles & { blobKeyOf(accountId: string, sha256: string): string },
    private readonly links: DownloadLinks,
    private readonly onJobQueued: () => void = () => {},
  ) {}

  async create(accountId: string, modelId: string): Promise<{ exportId: string }> {
    await this.readyVersion(accountId, modelId);
    const latest = await this.exports.latestFor(accountId, modelId);
    // One archive per version at a time: asking again while it is being made returns that task.
    if (latest?.status === 'Doing') return { exportId: latest.id };
    const id = newId.exportTask();
    const at = nowIso();
    await this.models.transaction(async (tx) => {
      await this.exports.insert({ id, account_id: accountId, version_id: modelId, status: 'Doing', file_name: null, object_key: null, md5: null, size: null, failure_reason: null, created_at: at, modified_at: at }, tx);
      await this.jobs.enqueue({ id: newId.exportJob(), kind: 'export', subjectId: id, accountId, payload: {} }, at, tx);
    });
    this.onJobQueued();
    return { exportId: id };
  }

  /** `asker`: the key whose URLs these are; disabling it, or deleting the export or version, revokes them (local store). */
  async describe(asker: Asker, modelId: string, origin: string): Promise<ExportView> {
    await this.version(asker.accountId, modelId);
    const e = await this.exports.latestFor(asker.accountId, modelId);
    if (!e) return { exportId: '', hasRecord: false };
    return this.present(e, asker, origin);
  }

  /** Every file of a Ready version with a short-lived download URL (what `modelreg pull` fetches). */
  async versionFiles(asker: Asker, modelId: string, origin: string): Promise<VersionFilesView> {
    const v = await this.readyVersion(asker.accountId, modelId);
    const manifest = await this.files.manifest(modelId);
    const grant = { subject: 'version', id: modelId, accessKey: asker.accessKey } as const;
    const out = [];
    for (const f of manifest) {
      out.push({ ...f, downloadUrl: await this.links.url(origin, this.files.blobKeyOf(asker.accountId, f.sha256), f.path.split('/').pop() ?? f.path, grant) });
    }
    return {
      modelId,
      modelSetName: v.set_name,
      modelName: v.name,
      totalSize: manifest.reduce((n, f) => n + f.size, 0),
      expiresInSeconds: this.links.ttlSeconds,
      files: out,
    };
  }

  /** Archives of a deleted version go with it. */
  async dropFor(versionId: string): Promise<void> {
    for (const e of await this.exports.allFor(versionId)) await this.dropArchive(e);
  }

  async dropArchive(e: ExportRow): Promise<void> {
    if (e.object_key) await this.links.remove(e.object_key);
    await this.exports.delete(e.id);
  }

  private async present(e: ExportRow, asker: Asker, origin: string): Promise<ExportView> {
    const base: ExportView = { exportId: e.id, hasRecord: true, status: e.status };
    if (e.status === 'Fail') return { ...base, failureReason: e.failure_reason ?? 'the export failed' };
    if (e.status !== 'Done' || !e.object_key || !e.file_name) return base;
    return {
      ...base,
      fileName: e.file_name,
      fileType: 'tar',
      md5: e.md5 ?? '',
      fileSize: Number(e.size ?? 0),
      downloadUrl: await this.links.url(origin, e.object_key, e.file_name, { subject: 'export', id: e.id, accessKey: asker.accessKey }),
    };
  }

  private async version(accountId: string, modelId: string) {
    const v = await this.models.findVersionWithSet(accountId, modelId);
    if (!v) throw ERRORS.ModelVersionNotFound(modelId);
    return v;
  }

  private async readyVersion(accountId: string, modelId: string) {
    const v = await this.version(accountId, modelId);
    if (v.status !== 'Ready') {
      throw ERRORS.ModelNotReady(modelId, v.status);
    }
    return v;
  }
}
