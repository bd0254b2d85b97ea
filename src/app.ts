// The composition root: config → stores → domain services → HTTP server (and workers).
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { IamService } from './domain/iam/iam-service.js';
import { SecretBox } from './domain/iam/secret-box.js';
import { ModelSetService } from './domain/model/model-set-service.js';
import { ModelVersionService } from './domain/model/model-version-service.js';
import { noTrainingTasksSource, queuedImportSource } from './domain/model/default-sources.js';
import type { Services } from './domain/services.js';
import { buildHttpServer } from './http/server.js';
import { createLogger } from './logger.js';
import { openDatabase, type OpenedStore } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';
import { AccountsRepo } from './store/repos/accounts-repo.js';
import { ModelsRepo } from './store/repos/models-repo.js';

export const DEFAULT_ACCOUNT = 'default';

export interface App {
  config: Config;
  store: OpenedStore;
  services: Services;
  logger: Logger;
  http: FastifyInstance;
  close(): Promise<void>;
}

/** Opens the store and builds the services, without HTTP (the admin CLI uses this). */
export async function openCore(config: Config, logger: Logger = createLogger(config.logLevel)) {
  const store = await openDatabase(config.database);
  await migrateToLatest(store.db);
  const box = config.masterKey ? SecretBox.fromBase64(config.masterKey) : SecretBox.fromDataDir(config.dataDir);
  const modelsRepo = new ModelsRepo(store.db);
  const services: Services = {
    iam: new IamService(new AccountsRepo(store.db), box),
    modelSets: new ModelSetService(modelsRepo),
    modelVersions: new ModelVersionService(modelsRepo, { Import: queuedImportSource, Train: noTrainingTasksSource }),
  };
  return { store, services, logger, box, modelsRepo };
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
    healthCheck: async () => {
      await sql`select 1`.execute(store.db);
    },
  });
  return {
    config,
    store,
    services,
    logger,
    http,
    async close() {
      await http.close();
      await store.db.destroy();
    },
  };
}
