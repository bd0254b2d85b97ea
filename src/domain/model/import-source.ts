// Create-time checks of an Import: the path is safe, the bucket exists and is granted to the
// caller's account, something is there to import, a customSpec names an uploaded file.
// The files themselves are validated by the import job (src/jobs/import-job.ts).
import { ApiError } from '../errors.js';
import { normalizeObjectPath, validateBucketName } from '../../objects/object-path.js';
import type { ObjectStore } from '../../objects/object-store.js';
import type { AccountsRepo } from '../../store/repos/accounts-repo.js';
import type { CustomConfsRepo } from '../../store/repos/custom-confs-repo.js';
import type { ImportMeta } from './create-model-rules.js';
import type { ImportSource, PreparedSource, VersionSourceContext } from './version-sources.js';

/** bucket → account names allowed to import from it ('*' = every account). Empty: all buckets open to all. */
export type BucketGrants = Record<string, string[]>;

export function bucketGranted(grants: BucketGrants, bucket: string, accountName: string): boolean {
  if (Object.keys(grants).length === 0) return true;
  const allowed = Object.hasOwn(grants, bucket) ? grants[bucket]! : [];
  return allowed.includes('*') || allowed.includes(accountName);
}

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
  async checkAccess(accountId: string, rawBucket: string): Promise<{ bucket: string; granted: true; exists: boolean }> {
    const bucket = validateBucketName(rawBucket);
    await this.requireGrant(accountId, bucket);
    return { bucket, granted: true, exists: await this.store.bucketExists(bucket) };
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
