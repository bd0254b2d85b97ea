// Where a version's files come from: a bucket of the users' object store granted to the caller's
// account (MODELREG_BUCKET_GRANTS), that exists, with files under the path. One check for every
// source — an Import, a trainer's checkpoint report, publishing a checkpoint — so that training is
// never a way around bucket grants. Every dependency is required: there is no unwired, open mode.
import { ERRORS } from '../errors/catalogue.js';
import { normalizeObjectPath, validateBucketName } from '../../objects/object-path.js';
import { transformersVersionFor } from '../import/transformers-versions.js';
import type { ObjectStore } from '../../objects/object-store.js';

/** bucket → account names allowed to read it ('*' = every account). Empty: all buckets open to all. */
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

/** How an account is found by id: its name is what grants list. */
export interface AccountNames {
  findAccountById(accountId: string): Promise<{ name: string } | undefined>;
}

export class SourceLocations {
  constructor(
    private readonly store: ObjectStore,
    private readonly grants: BucketGrants,
    private readonly accounts: AccountNames,
    /**
     * The registry's own bucket when it lives in the users' store (S3): it holds every account's
     * registered files, so it is never a source, whatever the grants say.
     */
    private readonly registryBucket?: string,
  ) {}

  /**
   * CheckBucketAccess: the grant check on its own, so that a client (the CLI's `import --replace`)
   * can ask before it writes into a bucket. Throws AccessDenied when not granted. With an
   * objectPath, also what an import form can default from the model's config.json there.
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
   * The Transformers version that saved the model (config.json) and the supported transformerVersion
   * to pick. Read-only and bounded: a config.json larger than CONFIG_PEEK_BYTES, or not JSON, is
   * "not readable" here; the import itself will say why.
   */
  private async modelConfigFacts(bucket: string, objectPath: string): Promise<Pick<BucketAccess, 'configFound' | 'configTransformersVersion' | 'suggestedTransformerVersion'>> {
    const key = objectPath ? `${objectPath}/config.json` : 'config.json';
    const info = await this.store.stat(bucket, key).catch(() => null);
    if (!info) return { configFound: false };
    if (info.size > CONFIG_PEEK_BYTES) return { configFound: true };
    let raw: unknown;
    try {
      // Bounded again while reading: the object may have grown since it was stat'ed.
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const c of await this.store.read(bucket, key)) {
        chunks.push(Buffer.from(c as Buffer));
        bytes += chunks[chunks.length - 1]!.length;
        if (bytes > CONFIG_PEEK_BYTES) return { configFound: true };
      }
      raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return { configFound: true };
    }
    const v = (raw as { transformers_version?: unknown } | null)?.transformers_version;
    if (typeof v !== 'string' || v.length > 64) return { configFound: true };
    const suggested = transformersVersionFor(v);
    return { configFound: true, configTransformersVersion: v, ...(suggested ? { suggestedTransformerVersion: suggested } : {}) };
  }

  async requireGrant(accountId: string, bucket: string): Promise<void> {
    if (bucket === this.registryBucket) throw ERRORS.RegistryBucketNotASource(bucket);
    const account = await this.accounts.findAccountById(accountId);
    if (!account || !bucketGranted(this.grants, bucket, account.name)) {
      throw ERRORS.BucketNotGranted(bucket);
    }
  }

  /**
   * Granted, existing, and something there: a directory, or (`orObject`) one object, such as a
   * single-file text-to-image checkpoint. `advice` ends each refusal with what to do.
   */
  async requireFiles(accountId: string, bucket: string, objectPath: string, advice: string, opts: { orObject?: boolean } = {}): Promise<void> {
    await this.requireGrant(accountId, bucket);
    if (!(await this.store.bucketExists(bucket))) {
      throw ERRORS.BucketNotInRegistry(bucket, this.store.kind, advice);
    }
    for await (const _first of this.store.list(bucket, objectPath)) return;
    if (opts.orObject && (await this.store.stat(bucket, objectPath))) return;
    throw ERRORS.NoFilesUnder(bucket, objectPath, advice);
  }
}
