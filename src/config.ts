// The one place configuration is read: command-line flags win over environment variables,
// which win over a JSON config file (--config FILE or MODELREG_CONFIG), which wins over defaults.
// Everything else receives a typed Config.
import fs from 'node:fs';
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
  /** Longest a replica reuses an access key's row (changes announced by the store count at once); 0: read per request. */
  keyCacheMs: number;
  importConcurrency: number;
  /** bucket → account names allowed to import from it ('*' = all). Empty: every bucket open to every account. */
  bucketGrants: Record<string, string[]>;
  /** Bucket for registry-owned model copies when the object store is S3 (local: <dataDir>/registry). */
  registryBucket: string;
  /** How long an import job's lease lasts before another worker may take it over. */
  jobLeaseMs: number;
  jobPollMs: number;
  importRetryDelayMs: number;
  /** Per access key, per process (src/http/rate-limit.ts); 0 disables. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** Failed authentications per client IP, per process; 0 disables. */
  authFailureLimitPerSecond: number;
  authFailureLimitBurst: number;
  /** Time a client has to send a whole request (headers and body), and idle time on a connection. */
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  /** Believe X-Forwarded-For from these proxies: 'true' (any), or comma-separated addresses/CIDRs. */
  trustProxy: boolean | string;
  /** JSON file answered by DescribeFineTuningSupportModels (docs/sdk-compatibility.md); absent: a built-in list. */
  fineTuningModelsFile?: string;
  /** JSON file of preset model sets answered by DescribeSystemModelSets; absent: none. */
  systemModelSetsFile?: string;
  /** Open connections overall / per peer address; 0 = no cap (src/http/connection-limits.ts). */
  maxConnections: number;
  maxConnectionsPerClient: number;
  /** Request body bytes being received at once, overall / per client address; 0 = no cap. */
  maxInflightBodyBytes: number;
  maxInflightBodyBytesPerClient: number;
  /** Refuse requests whose signature does not cover x-bce-content-sha256 (replay with another body). */
  requireContentSha256: boolean;
  /** Comma-separated host names (host or host:port) the Host header must match; '' = not checked. */
  publicHosts: string;
  /** Per-account quotas (src/domain/quotas.ts); 0 = unlimited. */
  quotaModelSets: number;
  quotaVersionsPerSet: number;
  quotaVersionsPerAccount: number;
  quotaTemplates: number;
  quotaTemplateBytes: number;
  quotaTemplateMaxBytes: number;
  quotaConcurrentImports: number;
  quotaFineTuningJobs: number;
  quotaFineTuningTasks: number;
  /** Sandbox for tenant-supplied templates and large JSON (src/sandbox): time per task, heap per process, processes. */
  sandboxTimeoutMs: number;
  sandboxMemoryMb: number;
  sandboxProcesses: number;
  /** Sandbox tasks one account may have waiting for a process (accounts take turns); one more is refused with 429. 0 = no cap. */
  sandboxWaitingPerAccount: number;
  /** A read from a bucket or the registry that delivers nothing for this long fails. */
  readStallTimeoutMs: number;
  /** Imports refuse any file larger than this. */
  maxImportFileBytes: number;
  /** Local registry writes fail rather than leave less free disk space than this. */
  minFreeBytes: number;
  /** Shutdown waits at most this long for running jobs, then hands them back to the queue. */
  shutdownGraceMs: number;
  /** Dedup scope of registry blobs: 'account' (default; tenants cannot probe each other) or 'global'. */
  blobScope: 'account' | 'global';
  /** Bytes of distinct stored files an account's versions may reference; 0 = unlimited. */
  storedBytesQuota: number;
  /** An unreferenced blob claimed within this window is kept (an import may be about to use it). */
  blobGcGraceMs: number;
  /** How often the blob collector runs; 0 = never on its own. */
  blobGcIntervalMs: number;
  /** Lifetime of export download URLs and `modelreg pull` file URLs. */
  downloadUrlTtlSeconds: number;
  /** Export jobs run at once per process. */
  exportConcurrency: number;
  /** Origin put in local download URLs (e.g. https://models.example.com) when clients reach the server through a proxy. */
  publicUrl?: string;
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

const envBool = (name: string, fallback: boolean): boolean => {
  const raw = env(name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
};

/** MODELREG_PUBLIC_HOSTS as a list: lowercase, trimmed, empty entries dropped. */
export const publicHostList = (raw: string): string[] => raw.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);

export function loadConfig(overrides: ConfigOverrides = {}, configFile?: string): Config {
  // The file's settings act as overrides that yield to environment variables (left out of them
  // by readConfigFile) and to flags.
  return buildConfig({ ...readConfigFile(configFile ?? env('MODELREG_CONFIG')), ...stripUndefined(overrides) });
}

function buildConfig(overrides: ConfigOverrides): Config {
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
    keyCacheMs: envInt('MODELREG_KEY_CACHE_MS', 1000),
    importConcurrency: envInt('MODELREG_IMPORT_CONCURRENCY', 2),
    bucketGrants: parseBucketGrants(env('MODELREG_BUCKET_GRANTS') ?? ''),
    registryBucket: env('MODELREG_REGISTRY_BUCKET') ?? 'modelreg-registry',
    jobLeaseMs: envInt('MODELREG_JOB_LEASE_MS', 30_000),
    jobPollMs: envInt('MODELREG_JOB_POLL_MS', 1_000),
    importRetryDelayMs: envInt('MODELREG_IMPORT_RETRY_DELAY_MS', 5_000),
    rateLimitPerSecond: envInt('MODELREG_RATE_LIMIT_PER_SECOND', 1000),
    rateLimitBurst: envInt('MODELREG_RATE_LIMIT_BURST', 2000),
    authFailureLimitPerSecond: envInt('MODELREG_AUTH_FAILURE_LIMIT_PER_SECOND', 50),
    authFailureLimitBurst: envInt('MODELREG_AUTH_FAILURE_LIMIT_BURST', 500),
    requestTimeoutMs: envInt('MODELREG_REQUEST_TIMEOUT_MS', 30_000),
    connectionTimeoutMs: envInt('MODELREG_CONNECTION_TIMEOUT_MS', 30_000),
    trustProxy: parseTrustProxy(env('MODELREG_TRUST_PROXY')),
    fineTuningModelsFile: env('MODELREG_FINE_TUNING_MODELS_FILE'),
    systemModelSetsFile: env('MODELREG_SYSTEM_MODEL_SETS_FILE'),
    maxConnections: envInt('MODELREG_MAX_CONNECTIONS', 1024),
    maxConnectionsPerClient: envInt('MODELREG_MAX_CONNECTIONS_PER_CLIENT', 256),
    maxInflightBodyBytes: envInt('MODELREG_MAX_INFLIGHT_BODY_BYTES', 256 * 1024 * 1024),
    maxInflightBodyBytesPerClient: envInt('MODELREG_MAX_INFLIGHT_BODY_BYTES_PER_CLIENT', 64 * 1024 * 1024),
    requireContentSha256: envBool('MODELREG_REQUIRE_CONTENT_SHA256', false),
    publicHosts: env('MODELREG_PUBLIC_HOSTS') ?? '',
    quotaModelSets: envInt('MODELREG_QUOTA_MODEL_SETS', 1000),
    quotaVersionsPerSet: envInt('MODELREG_QUOTA_VERSIONS_PER_SET', 1000),
    quotaVersionsPerAccount: envInt('MODELREG_QUOTA_VERSIONS_PER_ACCOUNT', 10_000),
    quotaTemplates: envInt('MODELREG_QUOTA_TEMPLATES', 1000),
    quotaTemplateBytes: envInt('MODELREG_QUOTA_TEMPLATE_BYTES', 64 * 1024 * 1024),
    quotaTemplateMaxBytes: envInt('MODELREG_QUOTA_TEMPLATE_MAX_BYTES', 256 * 1024),
    quotaConcurrentImports: envInt('MODELREG_QUOTA_CONCURRENT_IMPORTS', 100),
    quotaFineTuningJobs: envInt('MODELREG_QUOTA_FINE_TUNING_JOBS', 1000),
    quotaFineTuningTasks: envInt('MODELREG_QUOTA_FINE_TUNING_TASKS', 10_000),
    sandboxTimeoutMs: envInt('MODELREG_SANDBOX_TIMEOUT_MS', 10_000),
    sandboxMemoryMb: envInt('MODELREG_SANDBOX_MEMORY_MB', 256),
    sandboxProcesses: envInt('MODELREG_SANDBOX_PROCESSES', 2),
    sandboxWaitingPerAccount: envInt('MODELREG_SANDBOX_WAITING_PER_ACCOUNT', 16),
    readStallTimeoutMs: envInt('MODELREG_READ_STALL_TIMEOUT_MS', 60_000),
    maxImportFileBytes: envInt('MODELREG_MAX_IMPORT_FILE_BYTES', 128 * 1024 ** 3),
    minFreeBytes: envInt('MODELREG_MIN_FREE_BYTES', 1024 ** 3),
    shutdownGraceMs: envInt('MODELREG_SHUTDOWN_GRACE_MS', 10_000),
    blobScope: parseBlobScope(env('MODELREG_BLOB_SCOPE')),
    storedBytesQuota: envInt('MODELREG_STORED_BYTES_QUOTA', 0),
    blobGcGraceMs: envInt('MODELREG_BLOB_GC_GRACE_MS', 3_600_000),
    blobGcIntervalMs: envInt('MODELREG_BLOB_GC_INTERVAL_MS', 600_000),
    downloadUrlTtlSeconds: envInt('MODELREG_DOWNLOAD_URL_TTL_SECONDS', 3600),
    exportConcurrency: envInt('MODELREG_EXPORT_CONCURRENCY', 1),
    publicUrl: env('MODELREG_PUBLIC_URL'),
  };
  const merged = { ...config, ...stripUndefined(overrides) };
  parseBlobScope(merged.blobScope);
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

/** "models=alice,bob;shared=*" → { models: ['alice','bob'], shared: ['*'] } */
export function parseBucketGrants(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of raw.split(';').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`MODELREG_BUCKET_GRANTS: "${entry}" should look like bucket=account1,account2 (or bucket=*)`);
    out[entry.slice(0, eq).trim()] = entry.slice(eq + 1).split(',').map((a) => a.trim()).filter(Boolean);
  }
  return out;
}

function parseBlobScope(raw: string | undefined): 'account' | 'global' {
  if (raw === undefined || raw === 'account') return 'account';
  if (raw === 'global') return 'global';
  throw new Error(`MODELREG_BLOB_SCOPE must be "account" or "global", got "${raw}"`);
}

function parseTrustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === 'false') return false;
  return raw === 'true' ? true : raw;
}

export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//i.test(database);

/**
 * The environment variable of a Config key: dataDir → MODELREG_DATA_DIR, s3 → MODELREG_S3_*.
 * Every key's variable follows this rule; a new key's must too, or its file value would win over it.
 */
const envNameOf = (key: string): string => `MODELREG_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/**
 * Reads a JSON config file whose keys are Config's (the same names as in the code, e.g.
 * {"database": "postgres://…", "s3": {"endpoint": "…", "region": "…"}}). Relative paths are
 * relative to the file. Keys whose environment variable is set are left out: the environment wins.
 */
export function readConfigFile(file: string | undefined): ConfigOverrides {
  if (file === undefined) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`config file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`config file ${file}: must hold a JSON object`);
  // What the environment and defaults alone give tells each key's type; keys that may be
  // unset (masterKey, …) are strings, s3 an object.
  const defaults = buildConfig({}) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const dir = path.dirname(path.resolve(file));
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in defaults)) throw new Error(`config file ${file}: unknown key "${key}"; known keys: ${Object.keys(defaults).join(', ')}`);
    const want = key === 's3' ? 'object' : defaults[key] === undefined ? 'string' : typeof defaults[key];
    const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    if (got !== want) throw new Error(`config file ${file}: "${key}" must be a${want === 'object' ? 'n' : ''} ${want}, got ${got}`);
    if (want === 'number' && !(Number.isInteger(value) && (value as number) >= 0)) {
      throw new Error(`config file ${file}: "${key}" must be a non-negative integer, got ${String(value)}`);
    }
    // bucketGrants: {"bucket": ["account", …]} (the file's form of MODELREG_BUCKET_GRANTS).
    if (want === 'object' && key !== 's3' && !Object.values(value as object).every((v) => Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      throw new Error(`config file ${file}: "${key}" must map names to arrays of strings, e.g. {"models": ["alice", "bob"]}`);
    }
    if (key === 's3') {
      if (Object.keys(process.env).some((k) => k.startsWith('MODELREG_S3_') && env(k) !== undefined)) continue;
      out.s3 = s3FromFile(file, value as Record<string, unknown>);
      continue;
    }
    if (env(envNameOf(key)) !== undefined) continue;
    const isPath = key === 'dataDir' || key === 'bucketsDir' || key === 'fineTuningModelsFile' || key === 'systemModelSetsFile' || (key === 'database' && !isPostgresUrl(value as string));
    out[key] = isPath ? path.resolve(dir, value as string) : value;
  }
  return out as ConfigOverrides;
}

function s3FromFile(file: string, o: Record<string, unknown>): S3Config {
  const fields: Record<string, string> = { endpoint: 'string', region: 'string', accessKeyId: 'string', secretAccessKey: 'string', forcePathStyle: 'boolean' };
  for (const [k, v] of Object.entries(o)) {
    if (!(k in fields)) throw new Error(`config file ${file}: unknown key "s3.${k}"; known keys: ${Object.keys(fields).join(', ')}`);
    if (typeof v !== fields[k]) throw new Error(`config file ${file}: "s3.${k}" must be a ${fields[k]}`);
  }
  return {
    endpoint: o.endpoint as string | undefined,
    region: (o.region as string | undefined) ?? 'us-east-1',
    accessKeyId: o.accessKeyId as string | undefined,
    secretAccessKey: o.secretAccessKey as string | undefined,
    forcePathStyle: (o.forcePathStyle as boolean | undefined) ?? true,
  };
}
