// The composition root: config → stores → domain services → HTTP server (and workers).
import path from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { publicHostList, type Config } from './config.js';
import type { Quotas } from './domain/quotas.js';
import { IamService } from './domain/iam/iam-service.js';
import { SecretBox } from './domain/iam/secret-box.js';
import { ModelSetService } from './domain/model/model-set-service.js';
import { ModelVersionService } from './domain/model/model-version-service.js';
import { CustomConfService } from './domain/model/custom-conf-service.js';
import { ObjectStoreImportSource } from './domain/model/import-source.js';
import { SourceLocations } from './domain/model/source-location.js';
import { TrainingTaskSource } from './domain/training/train-source.js';
import { TrainingService } from './domain/training/training-service.js';
import { TrainingRepo } from './store/repos/training-repo.js';
import { ImportJobHandler } from './jobs/import-job.js';
import { deletePrefix, versionPrefix, type RegistryLocation } from './jobs/registry-copy.js';
import { RegistryJanitor } from './jobs/registry-janitor.js';
import { BlobStore } from './jobs/blob-store.js';
import { BlobCollector } from './jobs/blob-collector.js';
import { upgradeRegistryLayout } from './jobs/registry-upgrade.js';
import { BlobsRepo } from './store/repos/blobs-repo.js';
import { ExportsRepo } from './store/repos/exports-repo.js';
import { DownloadGrants } from './domain/registry/download-grants.js';
import { DownloadLinks } from './domain/registry/download-links.js';
import { ModelExportService } from './domain/registry/export-service.js';
import { ExportJobHandler } from './jobs/export-job.js';
import { JobWorker } from './jobs/worker.js';
import { createObjectStore, type ObjectStore } from './objects/index.js';
import { closeSandbox, configureSandbox } from './sandbox/sandbox.js';
import { tightenDataDir } from './store/file-modes.js';
import { CustomConfsRepo } from './store/repos/custom-confs-repo.js';
import { JobsRepo } from './store/repos/jobs-repo.js';
import { AdaptersRepo } from './store/repos/adapters-repo.js';
import type { Services } from './domain/services.js';
import { loadCatalogues } from './domain/catalogue/catalogues.js';
import { buildHttpServer } from './http/server.js';
import { createLogger } from './logger.js';
import { openKeyChanges } from './store/key-changes.js';
import { openDatabase, type OpenedStore } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { AccountsRepo } from './store/repos/accounts-repo.js';
import { ModelsRepo } from './store/repos/models-repo.js';
import { MetadataRepo } from './store/repos/metadata-repo.js';
import { MetadataService } from './domain/model/metadata-service.js';
import { HubRepo } from './store/repos/hub-repo.js';
import { AliasService } from './domain/hub/alias-service.js';
import { HubService } from './domain/hub/hub-service.js';
import { ReadTokenService } from './domain/hub/read-token-service.js';
import { RevisionResolver } from './domain/hub/revisions.js';

export const DEFAULT_ACCOUNT = 'default';

export interface App {
  config: Config;
  store: OpenedStore;
  services: Services;
  logger: Logger;
  http: FastifyInstance;
  worker: JobWorker;
  /** Removes unreferenced blobs (runs every blobGcIntervalMs; tests call collect()). */
  collector: BlobCollector;
  blobs: BlobStore;
  close(): Promise<void>;
}

/** Opens the store and builds the services, without HTTP (the admin CLI uses this). */
export async function openCore(config: Config, logger: Logger = createLogger(config.logLevel)) {
  // Everything modelreg creates (data dir, database and WAL, registry files, master key, temp files) is
  // the service user's alone (SECURITY.md, class 5); files of older versions are tightened too.
  tightenDataDir(config, logger);
  configureSandbox({
    timeoutMs: config.sandboxTimeoutMs,
    memoryMb: config.sandboxMemoryMb,
    maxProcesses: config.sandboxProcesses,
    maxWaitingPerAccount: config.sandboxWaitingPerAccount,
  });
  // Before the store opens, so that a bad master key leaves no connection behind.
  const box = config.masterKey ? SecretBox.fromBase64(config.masterKey) : SecretBox.fromDataDir(config.dataDir);
  // Read before the store opens too: a bad catalogue file stops the start with its own message.
  const catalogues = loadCatalogues(config);
  const store = await openDatabase(config.database, { onIdleConnectionError: (err) => logger.warn({ err }, 'database connection lost; reconnecting') });
  await migrateToLatest(store.db);
  const modelsRepo = new ModelsRepo(store.db);
  const accountsRepo = new AccountsRepo(store.db);
  const confsRepo = new CustomConfsRepo(store.db);
  const objects = openObjectStores(config);
  const blobs = new BlobStore(objects.registry, new BlobsRepo(store.db), { scope: config.blobScope, quotaBytes: config.storedBytesQuota });
  // Late-bound: the worker that wants waking exists only in a serving process.
  const hooks = { jobQueued: () => {}, versionDeleted: (_versionId: string) => {}, exportQueued: () => {} };
  const exportsRepo = new ExportsRepo(store.db);
  const iam = new IamService(accountsRepo, box, { changes: openKeyChanges(store.db), keyRowMaxAgeMs: config.keyCacheMs });
  const grants = new DownloadGrants(modelsRepo, exportsRepo, iam);
  const downloads = new DownloadLinks(objects.registry.store, objects.registry.bucket, box.derive('download-urls'), config.publicUrl, config.downloadUrlTtlSeconds, grants);
  const jobsRepo = new JobsRepo(store.db, store.dialect);
  const adaptersRepo = new AdaptersRepo(store.db);
  const exportService = new ModelExportService(modelsRepo, exportsRepo, jobsRepo, blobs, downloads, () => hooks.exportQueued());
  // Imports and checkpoints live in the same users' buckets, under the same grants; never the registry's own.
  const locations = new SourceLocations(objects.source, config.bucketGrants, accountsRepo, objects.registry.store === objects.source ? objects.registry.bucket : undefined);
  const importSource = new ObjectStoreImportSource(locations, confsRepo);
  const trainingRepo = new TrainingRepo(store.db);
  const quotas: Quotas = {
    modelSets: config.quotaModelSets,
    versionsPerSet: config.quotaVersionsPerSet,
    versionsPerAccount: config.quotaVersionsPerAccount,
    templates: config.quotaTemplates,
    templateBytes: config.quotaTemplateBytes,
    templateMaxBytes: config.quotaTemplateMaxBytes,
    concurrentImports: config.quotaConcurrentImports,
    fineTuningJobs: config.quotaFineTuningJobs,
    fineTuningTasks: config.quotaFineTuningTasks,
  };
  const hubRepo = new HubRepo(store.db);
  const aliases = new AliasService(hubRepo, modelsRepo);
  const readTokens = new ReadTokenService(hubRepo, accountsRepo);
  const services: Services = {
    iam,
    modelSets: new ModelSetService(modelsRepo, quotas),
    modelVersions: new ModelVersionService({
      models: modelsRepo,
      adapters: adaptersRepo,
      jobs: jobsRepo,
      sources: { Import: importSource, Train: new TrainingTaskSource(trainingRepo, locations) },
      quotas,
      onJobQueued: () => hooks.jobQueued(),
      onVersionDeleted: async (row) => {
        hooks.versionDeleted(row.id);
        await dropRegistryCopy(objects.registry, row, logger);
        await exportService.dropFor(row.id).catch((err) => logger.warn({ err, modelId: row.id }, 'could not delete the export archives of a deleted version'));
      },
      beforeDelete: (accountId, row, tx) => aliases.refuseDeleteIfAliased(accountId, row, tx),
    }),
    customConfs: new CustomConfService(confsRepo, quotas),
    metadata: new MetadataService(new MetadataRepo(store.db), modelsRepo),
    buckets: locations,
    catalogues,
    training: new TrainingService(trainingRepo, locations, quotas),
    registryFiles: blobs,
    exports: exportService,
    downloads,
    readTokens,
    aliases,
    hub: new HubService(readTokens, hubRepo, new RevisionResolver(modelsRepo, hubRepo, blobs)),
  };
  tightenDataDir(config, logger); // again, now that the database, its WAL and master.key exist
  try {
    await services.iam.checkMasterKey();
  } catch (err) {
    await store.db.destroy();
    throw err;
  }
  return { store, services, logger, box, modelsRepo, confsRepo, jobsRepo, adaptersRepo, objects, hooks, blobs, exportsRepo, exportService };
}

/** The users' buckets (where imports come from) and the registry's own copies. */
function openObjectStores(config: Config): { source: ObjectStore; registry: RegistryLocation } {
  if (config.s3) {
    const s3 = createObjectStore({ kind: 's3', ...config.s3, stallTimeoutMs: config.readStallTimeoutMs });
    return { source: s3, registry: { store: s3, bucket: config.registryBucket } };
  }
  return {
    source: createObjectStore({ kind: 'local', rootDir: config.bucketsDir, untrusted: true, stallTimeoutMs: config.readStallTimeoutMs }),
    registry: {
      store: createObjectStore({ kind: 'local', rootDir: path.join(config.dataDir, 'registry'), stallTimeoutMs: config.readStallTimeoutMs, minFreeBytes: config.minFreeBytes }),
      bucket: 'models',
    },
  };
}

export async function createApp(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<App> {
  const core = await openCore(config, logger);
  const { store, services } = core;
  if (config.bootstrapAccessKey || config.bootstrapSecretKey) {
    if (!config.bootstrapAccessKey || !config.bootstrapSecretKey) {
      throw new Error('set both MODELREG_BOOTSTRAP_ACCESS_KEY and MODELREG_BOOTSTRAP_SECRET_KEY, or neither');
    }
    await services.iam.ensureBootstrapKey(DEFAULT_ACCOUNT, config.bootstrapAccessKey, config.bootstrapSecretKey);
  }
  const http = buildHttpServer(services, {
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    maxClockSkewSeconds: config.maxClockSkewSeconds,
    rateLimits: {
      perKey: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
      authFailuresPerIp: { perSecond: config.authFailureLimitPerSecond, burst: config.authFailureLimitBurst },
    },
    requestTimeoutMs: config.requestTimeoutMs,
    connectionTimeoutMs: config.connectionTimeoutMs,
    trustProxy: config.trustProxy,
    connectionLimits: {
      maxConnections: config.maxConnections,
      maxConnectionsPerClient: config.maxConnectionsPerClient,
      maxInflightBodyBytes: config.maxInflightBodyBytes,
      maxInflightBodyBytesPerClient: config.maxInflightBodyBytesPerClient,
    },
    requireContentSha256: config.requireContentSha256,
    publicHosts: publicHostList(config.publicHosts),
    healthCheck: async () => {
      await sql`select 1`.execute(store.db);
    },
  });
  const { jobsRepo } = core;
  const importHandler = new ImportJobHandler({
    models: core.modelsRepo,
    adapters: core.adaptersRepo,
    jobs: jobsRepo,
    confs: core.confsRepo,
    source: core.objects.source,
    registry: core.objects.registry,
    blobs: core.blobs,
    logger,
    retryDelayMs: config.importRetryDelayMs,
    maxFileBytes: config.maxImportFileBytes,
  });
  await ensureRegistryBucket(core.objects.registry);
  const worker = new JobWorker(jobsRepo, importHandler, {
    concurrency: config.importConcurrency,
    leaseMs: config.jobLeaseMs,
    pollMs: config.jobPollMs,
    logger: logger.child({ component: 'import-worker' }),
    shutdownGraceMs: config.shutdownGraceMs,
  });
  core.hooks.jobQueued = () => worker.wake();
  core.hooks.versionDeleted = (versionId) => void worker.cancel(versionId);
  // Exports run on a worker of their own: a long export never holds up imports.
  const exportWorker = new JobWorker(
    jobsRepo,
    new ExportJobHandler({ exports: core.exportsRepo, exportService: core.exportService, models: core.modelsRepo, jobs: jobsRepo, blobs: core.blobs, logger, retryDelayMs: config.importRetryDelayMs }),
    { concurrency: config.exportConcurrency, leaseMs: config.jobLeaseMs, pollMs: config.jobPollMs, logger: logger.child({ component: 'export-worker' }) },
  );
  core.hooks.exportQueued = () => exportWorker.wake();
  // Leftovers of a crash go before new work starts (temp files only once their writer is surely dead).
  const janitor = new RegistryJanitor(core.objects.registry, core.modelsRepo, logger.child({ component: 'registry-janitor' }), {
    staleTempMs: 2 * config.jobLeaseMs,
    intervalMs: config.jobLeaseMs,
  });
  // Copies written by earlier releases become blobs before anything else touches the registry.
  await upgradeRegistryLayout(core.blobs, core.modelsRepo, logger.child({ component: 'registry-upgrade' }), worker.owner);
  const collector = new BlobCollector(core.blobs, logger.child({ component: 'blob-collector' }), {
    graceMs: config.blobGcGraceMs,
    intervalMs: config.blobGcIntervalMs,
    leaseMs: Math.max(60_000, config.jobLeaseMs),
  });
  janitor.start();
  collector.start();
  worker.start();
  exportWorker.start();
  return {
    config,
    store,
    services,
    logger,
    http,
    worker,
    collector,
    blobs: core.blobs,
    async close() {
      await http.close();
      await worker.stop();
      await exportWorker.stop();
      await janitor.stop();
      await collector.stop();
      await services.iam.close();
      await store.db.destroy();
      await closeObjectStores(core.objects);
      closeSandbox();
    },
  };
}

/**
 * DeleteModel's hook: the version's manifest went with its row (ON DELETE CASCADE); its blobs are
 * the collector's once unreferenced. What an import had staged for it goes now (or at the janitor's next start).
 */
async function dropRegistryCopy(registry: RegistryLocation, row: { id: string; account_id: string }, logger: Logger): Promise<void> {
  try {
    await deletePrefix(registry, versionPrefix(row.account_id, row.id));
  } catch (err) {
    logger.warn({ err, modelId: row.id }, 'could not delete the registry copy of a deleted version; it is retried at the next start');
  }
}

async function closeObjectStores(objects: { source: ObjectStore; registry: RegistryLocation }): Promise<void> {
  await objects.source.close?.();
  if (objects.registry.store !== objects.source) await objects.registry.store.close?.();
}

async function ensureRegistryBucket(loc: RegistryLocation): Promise<void> {
  if (!(await loc.store.bucketExists(loc.bucket))) await loc.store.createBucket(loc.bucket);
}
