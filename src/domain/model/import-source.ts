// Create-time checks of an Import: the path is safe, the bucket exists and is granted to the
// caller's account, something is there to import, a customSpec names an uploaded file.
// The files themselves are validated by the import job (src/jobs/import-job.ts).
import { ApiError } from '../errors.js';
import { normalizeObjectPath, validateBucketName } from '../../objects/object-path.js';
import type { ObjectStore } from '../../objects/object-store.js';
import type { AccountsRepo } from '../../store/repos/accounts-repo.js';
import type { CustomConfsRepo } from '../../store/repos/custom-confs-repo.js';
import { transformersVersionFor } from '../import/transformers-versions.js';
import type { ImportMeta } from './create-model-rules.js';
import type { ImportSource, PreparedSource, VersionSourceContext } from './version-sources.js';

/** bucket → account names allowed to import from it ('*' = every account). Empty: all buckets open to all. */
export type BucketGrants = Record<string, string[]>;

export function bucketGranted(grants: BucketGrants, bucket: string, accountName: string): boolean {
  if (Object.keys(grants).length === 0) return true;
  const allowed = Object.hasOwn(grants, bucket) ? grants[bucket]! : [];
  return allowed.includes('*') || allowed.includes(accountName);
}

/** CheckBucketAccess's answer; the config facts only when an objectPath was given. */
export interface BucketAccess {
  bucket: string;
  granted: true;
  exists: boolean;
  objectPath?: string;
  configFound?: boolean;
  /** config.json's transformers_version, as written. */
  configTransformersVersion?: string;
  /** The oldest supported transformerVersion that loads it (none when it is newer than all). */
  suggestedTransformerVersion?: string;
}

/** config.json files are a few KiB; a larger one is not peeked at (the import reads it in the sandbox). */
const CONFIG_PEEK_BYTES = 256 * 1024;

export class ObjectStoreImportSource implements ImportSource {
  constructor(
    private readonly store: ObjectStore,
    private readonly grants: BucketGrants,
    private readonly accounts: AccountsRepo,
    private readonly confs: CustomConfsRepo,
  ) {}

  /**
   * CheckBucketAccess: the grant check an import makes, on its own, so that a client (the CLI's
   * `import --replace`) can ask before it writes into a bucket. Throws AccessDenied when not granted.
   */
  async checkAccess(accountId: string, rawBucket: string, rawPath?: string): Promise<BucketAccess> {
    const bucket = validateBucketName(rawBucket);
    const objectPath = rawPath === undefined ? undefined : normalizeObjectPath(rawPath, 'objectPath');
    await this.requireGrant(accountId, bucket);
    const exists = await this.store.bucketExists(bucket);
    if (objectPath === undefined) return { bucket, granted: true, exists };
    return { bucket, granted: true, exists, objectPath, ...(exists ? await this.modelConfigFacts(bucket, objectPath) : { configFound: false }) };
  }

  /**
   * What an import form can default from the model's config.json: the Transformers version that
   * saved it and the supported transformerVersion to pick. Read-only and bounded (a config.json
   * larger than CONFIG_PEEK_BYTES, or not JSON, is "not readable": the import itself will say why).
   */
  private async modelConfigFacts(bucket: string, objectPath: string): Promise<Pick<BucketAccess, 'configFound' | 'configTransformersVersion' | 'suggestedTransformerVersion'>> {
    const key = objectPath ? `${objectPath}/config.json` : 'config.json';
    const info = await this.store.stat(bucket, key).catch(() => null);
    if (!info) return { configFound: false };
    if (info.size > CONFIG_PEEK_BYTES) return { configFound: true };
    let raw: unknown;
    try {
      const chunks: Buffer[] = [];
      for await (const c of await this.store.read(bucket, key)) chunks.push(Buffer.from(c as Buffer));
      raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return { configFound: true };
    }
    const v = (raw as { transformers_version?: unknown } | null)?.transformers_version;
    if (typeof v !== 'string' || v.length > 64) return { configFound: true };
    const suggested = transformersVersionFor(v);
    return { configFound: true, configTransformersVersion: v, ...(suggested ? { suggestedTransformerVersion: suggested } : {}) };
  }

  private async requireGrant(accountId: string, bucket: string): Promise<void> {
    const account = await this.accounts.findAccountById(accountId);
    if (!account || !bucketGranted(this.grants, bucket, account.name)) {
      throw new ApiError('AccessDenied', `access denied: bucket "${bucket}" is not granted to this account`);
    }
  }

  async prepare(ctx: VersionSourceContext, meta: ImportMeta): Promise<PreparedSource> {
    const bucket = validateBucketName(meta.bucket);
    const objectPath = normalizeObjectPath(meta.objectPath);
    await this.requireGrant(ctx.accountId, bucket);
    if (!(await this.store.bucketExists(bucket))) {
      throw new ApiError('BucketNotFound', `bucket "${bucket}" does not exist in the registry's object store (${this.store.kind})`);
    }
    // objectPath is a directory, or one object (a single-file text-to-image checkpoint).
    if (!(await hasAny(this.store.list(bucket, objectPath))) && !(await this.store.stat(bucket, objectPath))) {
      throw new ApiError('InvalidParameter', `no files under bos://${bucket}/${objectPath}: upload the model directory there first`);
    }
    if (meta.customSpec && !(await this.confs.find(ctx.accountId, meta.customSpec.fileName))) {
      throw new ApiError('InvalidParameter', `importMeta.customSpec.fileName "${meta.customSpec.fileName}" is not a file uploaded with CreateModelCustomConf by this account`);
    }
    return {
      jobPayload: {
        bucket,
        objectPath,
        modelFormat: meta.modelFormat,
        modelApplicationType: meta.modelApplicationType,
        transformerVersion: meta.transformerVersion,
        vLLMVersion: meta.vLLMVersion,
        enablePromptAutoConcat: meta.enablePromptAutoConcat,
        hasChatConf: meta.chatConf !== undefined,
        customSpecFile: meta.customSpec?.fileName,
        ...(meta.baseModelId !== undefined ? { baseModelId: meta.baseModelId } : {}),
      },
      sourceInfo: { importModelVersionBosUrl: `bos://${bucket}/${objectPath}` },
    };
  }
}

async function hasAny(it: AsyncIterable<unknown>): Promise<boolean> {
  for await (const _ of it) return true;
  return false;
}
