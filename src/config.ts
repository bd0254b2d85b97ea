// The one place configuration is read: command-line flags win over environment variables,
// which win over defaults. Everything else receives a typed Config.
import path from 'node:path';

export interface S3Config {
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** sqlite file path, or a postgres:// URL */
  database: string;
  bucketsDir: string;
  /** When set, buckets are served from this S3-compatible endpoint instead of bucketsDir. */
  s3?: S3Config;
  /** Base64 master key for secret encryption; when absent it lives in <dataDir>/master.key. */
  masterKey?: string;
  bootstrapAccessKey?: string;
  bootstrapSecretKey?: string;
  logLevel: string;
  bodyLimitBytes: number;
  /** Accepted clock skew for signed requests whose timestamp lies in the future. */
  maxClockSkewSeconds: number;
  importConcurrency: number;
}

export type ConfigOverrides = Partial<Config>;

const env = (name: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
};

const envInt = (name: string, fallback: number): number => {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
};

export function loadConfig(overrides: ConfigOverrides = {}): Config {
  const dataDir = path.resolve(overrides.dataDir ?? env('MODELREG_DATA_DIR') ?? './data');
  const s3Endpoint = env('MODELREG_S3_ENDPOINT');
  const config: Config = {
    host: env('MODELREG_HOST') ?? '127.0.0.1',
    port: envInt('MODELREG_PORT', 8080),
    dataDir,
    database: env('MODELREG_DATABASE') ?? path.join(dataDir, 'modelreg.sqlite'),
    bucketsDir: path.resolve(env('MODELREG_BUCKETS_DIR') ?? path.join(dataDir, 'buckets')),
    s3: s3Endpoint || env('MODELREG_S3_REGION')
      ? {
          endpoint: s3Endpoint,
          region: env('MODELREG_S3_REGION') ?? 'us-east-1',
          accessKeyId: env('MODELREG_S3_ACCESS_KEY_ID'),
          secretAccessKey: env('MODELREG_S3_SECRET_ACCESS_KEY'),
          forcePathStyle: env('MODELREG_S3_FORCE_PATH_STYLE') !== 'false',
        }
      : undefined,
    masterKey: env('MODELREG_MASTER_KEY'),
    bootstrapAccessKey: env('MODELREG_BOOTSTRAP_ACCESS_KEY'),
    bootstrapSecretKey: env('MODELREG_BOOTSTRAP_SECRET_KEY'),
    logLevel: env('MODELREG_LOG_LEVEL') ?? 'info',
    bodyLimitBytes: envInt('MODELREG_BODY_LIMIT_BYTES', 1024 * 1024),
    maxClockSkewSeconds: envInt('MODELREG_MAX_CLOCK_SKEW_SECONDS', 900),
    importConcurrency: envInt('MODELREG_IMPORT_CONCURRENCY', 2),
  };
  const merged = { ...config, ...stripUndefined(overrides) };
  // Derived paths follow an overridden data dir unless they were set explicitly.
  if (overrides.dataDir && !overrides.database && !env('MODELREG_DATABASE')) {
    merged.database = path.join(merged.dataDir, 'modelreg.sqlite');
  }
  if (overrides.dataDir && !overrides.bucketsDir && !env('MODELREG_BUCKETS_DIR')) {
    merged.bucketsDir = path.join(merged.dataDir, 'buckets');
  }
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//i.test(database);
