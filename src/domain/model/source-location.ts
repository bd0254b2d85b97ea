// Where a version's files come from: a bucket of the users' object store granted to the caller's
// account (MODELREG_BUCKET_GRANTS), that exists, with files under the path. One check for every
// source — an Import, a trainer's checkpoint report, publishing a checkpoint — so that training is
// never a way around bucket grants. Every dependency is required: there is no unwired, open mode.
import { ApiError } from '../errors.js';
import { validateBucketName } from '../../objects/object-path.js';
import type { ObjectStore } from '../../objects/object-store.js';

/** bucket → account names allowed to read it ('*' = every account). Empty: all buckets open to all. */
export type BucketGrants = Record<string, string[]>;

export function bucketGranted(grants: BucketGrants, bucket: string, accountName: string): boolean {
  if (Object.keys(grants).length === 0) return true;
  const allowed = Object.hasOwn(grants, bucket) ? grants[bucket]! : [];
  return allowed.includes('*') || allowed.includes(accountName);
}

/** How an account is found by id: its name is what grants list. */
export interface AccountNames {
  findAccountById(accountId: string): Promise<{ name: string } | undefined>;
}

export class SourceLocations {
  constructor(
    private readonly store: ObjectStore,
    private readonly grants: BucketGrants,
    private readonly accounts: AccountNames,
  ) {}

  /**
   * CheckBucketAccess: the grant check on its own, so that a client (the CLI's `import --replace`)
   * can ask before it writes into a bucket. Throws AccessDenied when not granted.
   */
  async checkAccess(accountId: string, rawBucket: string): Promise<{ bucket: string; granted: true; exists: boolean }> {
    const bucket = validateBucketName(rawBucket);
    await this.requireGrant(accountId, bucket);
    return { bucket, granted: true, exists: await this.store.bucketExists(bucket) };
  }

  async requireGrant(accountId: string, bucket: string): Promise<void> {
    const account = await this.accounts.findAccountById(accountId);
    if (!account || !bucketGranted(this.grants, bucket, account.name)) {
      throw new ApiError('AccessDenied', `access denied: bucket "${bucket}" is not granted to this account`);
    }
  }

  /**
   * Granted, existing, and something there: a directory, or (`orObject`) one object, such as a
   * single-file text-to-image checkpoint. `advice` ends each refusal with what to do.
   */
  async requireFiles(accountId: string, bucket: string, objectPath: string, advice: string, opts: { orObject?: boolean } = {}): Promise<void> {
    await this.requireGrant(accountId, bucket);
    if (!(await this.store.bucketExists(bucket))) {
      throw new ApiError('BucketNotFound', `bucket "${bucket}" does not exist in the registry's object store (${this.store.kind}); ${advice}`);
    }
    for await (const _first of this.store.list(bucket, objectPath)) return;
    if (opts.orObject && (await this.store.stat(bucket, objectPath))) return;
    throw new ApiError('InvalidParameter', `no files under bos://${bucket}/${objectPath}; ${advice}`);
  }
}
