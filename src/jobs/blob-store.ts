// Content-addressed registry storage. Every stored file is a blob named by its sha256 inside a
// dedup scope (the account by default; "shared" when MODELREG_BLOB_SCOPE=global):
//   <registry bucket>/blobs/<scope>/<sha256[0:2]>/<sha256>
// An import streams each file to a staging key (incoming/<account>/<version>/attempt-N/<path>),
// then, in one transaction, checks the stored-bytes quota under the account's lock, claims the
// blob rows (insert pending, or bump claimed_at of existing ones) and records the manifest rows;
// only after the commit does it promote each staged file (a rename on the local store) or, when
// the blob was already there, drop it. The collector (blob-collector.ts) removes a blob only while
// holding its row with no manifest row and no recent claim, so a blob an import relies on is
// never removed under it.
import type { Readable } from 'node:stream';
import { ERRORS } from '../domain/errors/catalogue.js';
import type { ManifestFile, RegistryFiles } from '../domain/registry/registry-files.js';
import type { Transaction } from 'kysely';
import type { BlobsRepo, ManifestRow } from '../store/repos/blobs-repo.js';
import type { Database } from '../store/schema.js';
import { isForeignKeyViolation } from '../store/dialect.js';
import type { RegistryLocation } from './registry-copy.js';

export type BlobScopeSetting = 'account' | 'global';
export const SHARED_SCOPE = 'shared';

/** The stored-bytes quota would be exceeded: the import fails with this message. */
export class StorageQuotaError extends Error {}
/** The version was deleted while its files were being stored. */
export class VersionGoneError extends Error {}

export interface BlobStoreOptions {
  scope: BlobScopeSetting;
  /** Bytes of distinct blobs an account's versions may reference; 0 = unlimited. */
  quotaBytes: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

export class BlobStore implements RegistryFiles {
  constructor(
    readonly registry: RegistryLocation,
    readonly repo: BlobsRepo,
    private readonly opts: BlobStoreOptions,
  ) {}

  scopeOf(accountId: string): string {
    return this.opts.scope === 'global' ? SHARED_SCOPE : accountId;
  }

  static blobKey(scope: string, sha256: string): string {
    return `blobs/${scope}/${sha256.slice(0, 2)}/${sha256}`;
  }

  static stagingPrefix(accountId: string, versionId: string): string {
    return `incoming/${accountId}/${versionId}`;
  }

  /**
   * Turns staged files into blobs referenced by the version's manifest. Resolves to the manifest
   * rows; throws StorageQuotaError (nothing claimed) or VersionGoneError.
   */
  async storeVersion(accountId: string, versionId: string, stagingPrefix: string, files: readonly ManifestFile[]): Promise<ManifestRow[]> {
    const scope = this.scopeOf(accountId);
    const rows = files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, scope }));
    const states = await this.record(versionId, scope, rows, this.opts.quotaBytes > 0 ? accountId : undefined);
    await pool(rows, 4, (row) => this.promote(row, `${stagingPrefix}/${row.path}`, states.get(row.sha256)!));
    return rows;
  }

  /**
   * Claims `row`'s blob for the version, then makes sure its bytes are at the blob key, taking
   * them from `stagedKey` (moved) or dropping the staged copy when the blob already exists.
   * Idempotent, so an interrupted upgrade or retried import can run it again. No quota check:
   * the registry upgrade adopts what earlier releases already stored.
   */
  async adopt(versionId: string, row: ManifestRow, stagedKey: string): Promise<void> {
    const states = await this.record(versionId, row.scope, [row]);
    await this.promote(row, stagedKey, states.get(row.sha256)!);
  }

  /**
   * One transaction: claims the rows' blobs and records the version's manifest rows, which is what
   * makes their bytes count against the account. With the quota on, the check runs first in the
   * same transaction under the account's lock (the counted quotas' lock), so imports finishing
   * together pass it one at a time and a refusal records nothing. Only database work happens
   * here; the object store is touched after the commit (promote).
   */
  private async record(
    versionId: string,
    scope: string,
    rows: readonly ManifestRow[],
    /** The account whose stored-bytes quota the rows are checked against; none: no check. */
    quotaAccount?: string,
  ): Promise<Map<string, 'pending' | 'ready'>> {
    const blobs = [...new Map(rows.map((r) => [r.sha256, { sha256: r.sha256, size: r.size }])).values()].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
    const at = new Date().toISOString();
    try {
      return await this.repo.transaction(async (tx) => {
        if (quotaAccount !== undefined) {
          await this.repo.lockAccount(quotaAccount, tx);
          await this.checkQuota(quotaAccount, scope, blobs, tx);
        }
        const states = await this.repo.claim(scope, blobs, at, tx);
        await this.repo.addFiles(versionId, rows, tx);
        return states;
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new VersionGoneError(`version ${versionId} was deleted`);
      throw err;
    }
  }

  /** Puts a claimed blob's bytes at its key (from the staged copy), then marks it ready. */
  private async promote(row: ManifestRow, stagedKey: string, state: 'pending' | 'ready'): Promise<void> {
    const { store, bucket } = this.registry;
    const key = BlobStore.blobKey(row.scope, row.sha256);
    const staged = await store.stat(bucket, stagedKey);
    if (state === 'ready' && (await store.stat(bucket, key))) {
      if (staged) await store.delete(bucket, stagedKey);
      return;
    }
    if (staged) {
      if (store.move) await store.move(bucket, stagedKey, key);
      else {
        await store.write(bucket, key, await store.read(bucket, stagedKey), staged.size);
        await store.delete(bucket, stagedKey);
      }
    } else if (!(await store.stat(bucket, key))) {
      throw new Error(`registry storage lost the staged copy of ${row.path} (${stagedKey}) before it became blob ${row.sha256}`);
    }
    await this.repo.markReady(row.scope, row.sha256);
  }

  /** In `tx`, under the account's lock; `blobs` distinct. Blobs the account already references do not count again. */
  private async checkQuota(accountId: string, scope: string, blobs: readonly { sha256: string; size: number }[], tx: Transaction<Database>): Promise<void> {
    const known = await this.repo.referencedByAccount(accountId, scope, blobs.map((b) => b.sha256), tx);
    let added = 0;
    for (const b of blobs) if (!known.has(b.sha256)) added += b.size;
    if (added === 0) return;
    const used = await this.repo.storedBytes(accountId, tx);
    if (used + added > this.opts.quotaBytes) {
      throw new StorageQuotaError(
        `the account's stored-bytes quota would be exceeded: ${used} bytes stored + ${added} new bytes > quota ${this.opts.quotaBytes} bytes (MODELREG_STORED_BYTES_QUOTA); delete versions you no longer need or ask the operator to raise the quota`,
      );
    }
  }

  // ------------------------------------------------------------------ RegistryFiles

  async manifest(versionId: string): Promise<ManifestFile[]> {
    return (await this.repo.readyManifest(versionId)).map(({ path, size, sha256 }) => ({ path, size, sha256 }));
  }

  async openBlob(accountId: string, sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    const key = await this.existingKey(accountId, sha256);
    return this.registry.store.read(this.registry.bucket, key, range);
  }

  async presignBlob(accountId: string, sha256: string, opts: { expiresSeconds: number; fileName: string }): Promise<string | null> {
    const { store, bucket } = this.registry;
    if (!store.presignGet) return null;
    return store.presignGet(bucket, await this.existingKey(accountId, sha256), opts);
  }

  /** The store key of an account's blob (no check that it exists). */
  blobKeyOf(accountId: string, sha256: string): string {
    return BlobStore.blobKey(this.scopeOf(accountId), sha256);
  }

  private async existingKey(accountId: string, sha256: string): Promise<string> {
    if (!SHA256.test(sha256)) throw ERRORS.NotSha256(sha256);
    const scope = this.scopeOf(accountId);
    if ((await this.repo.blobState(scope, sha256)) !== 'ready') {
      throw ERRORS.StoredFileNotFound(sha256);
    }
    return BlobStore.blobKey(scope, sha256);
  }
}

/** Runs fn over items, at most `n` at a time; the first failure rejects (after the others settle). */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  });
  await Promise.all(lanes);
  if (failure !== undefined) throw failure;
}
