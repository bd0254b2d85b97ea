// Content-addressed blobs, version manifests and named leases: queries only. The protocol that
// makes them safe against concurrent imports and collectors lives in src/jobs/blob-store.ts.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import { dialectOf, lockAccount, lockRows } from '../dialect.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface ManifestRow {
  path: string;
  size: number;
  sha256: string;
  scope: string;
}

export class BlobsRepo {
  constructor(readonly db: Kysely<Database>) {}

  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** Holds the account's quota lock (the counted quotas' lock, src/store/dialect.ts) until `tx` ends. */
  lockAccount(accountId: string, tx: Transaction<Database>): Promise<void> {
    return lockAccount(tx, accountId);
  }

  /**
   * Inserts each blob as pending, or pins an existing one (claimed_at = now); returns their states
   * by sha256. Pass distinct blobs of one scope, sorted by sha256: transactions claiming
   * overlapping sets then lock their rows in one order (PostgreSQL), so they cannot deadlock.
   * Waits on PostgreSQL while a collector holds a row, then sees the row gone and inserts it.
   */
  async claim(scope: string, blobs: readonly { sha256: string; size: number }[], now: string, db: Db): Promise<Map<string, 'pending' | 'ready'>> {
    const states = new Map<string, 'pending' | 'ready'>();
    for (let i = 0; i < blobs.length; i += 200) {
      const rows = await db
        .insertInto('blobs')
        .values(blobs.slice(i, i + 200).map((b) => ({ scope, sha256: b.sha256, size: b.size, state: 'pending' as const, claimed_at: now })))
        .onConflict((oc) => oc.columns(['scope', 'sha256']).doUpdateSet({ claimed_at: now }))
        .returning(['sha256', 'state'])
        .execute();
      for (const r of rows) states.set(r.sha256, r.state);
    }
    return states;
  }

  async markReady(scope: string, sha256: string): Promise<void> {
    await this.db.updateTable('blobs').set({ state: 'ready' }).where('scope', '=', scope).where('sha256', '=', sha256).execute();
  }

  /** Records (or re-records, for a retried attempt) the version's manifest rows for `files`. */
  async addFiles(versionId: string, files: readonly ManifestRow[], db: Db): Promise<void> {
    for (let i = 0; i < files.length; i += 200) {
      await db
        .insertInto('version_files')
        .values(files.slice(i, i + 200).map((f) => ({ version_id: versionId, path: f.path, size: f.size, sha256: f.sha256, scope: f.scope })))
        .onConflict((oc) =>
          oc.columns(['version_id', 'path']).doUpdateSet((eb) => ({ size: eb.ref('excluded.size'), sha256: eb.ref('excluded.sha256'), scope: eb.ref('excluded.scope') })),
        )
        .execute();
    }
  }

  /** Replaces the version's manifest with exactly `files` (in the transaction that marks it Ready). */
  async replaceManifest(versionId: string, files: ManifestRow[], db: Db): Promise<void> {
    await this.deleteManifest(versionId, db);
    for (let i = 0; i < files.length; i += 200) {
      await db
        .insertInto('version_files')
        .values(files.slice(i, i + 200).map((f) => ({ version_id: versionId, path: f.path, size: f.size, sha256: f.sha256, scope: f.scope })))
        .execute();
    }
  }

  deleteManifest(versionId: string, db: Db = this.db): Promise<unknown> {
    return db.deleteFrom('version_files').where('version_id', '=', versionId).execute();
  }

  /** The manifest of a Ready version, sorted by path. */
  async readyManifest(versionId: string): Promise<ManifestRow[]> {
    const rows = await this.db
      .selectFrom('version_files as f')
      .innerJoin('model_versions as v', 'v.id', 'f.version_id')
      .select(['f.path', 'f.size', 'f.sha256', 'f.scope'])
      .where('f.version_id', '=', versionId)
      .where('v.status', '=', 'Ready')
      .orderBy('f.path')
      .execute();
    return rows.map((r) => ({ ...r, size: Number(r.size) }));
  }

  async hasManifest(versionId: string): Promise<boolean> {
    return (await this.db.selectFrom('version_files').select('path').where('version_id', '=', versionId).limit(1).executeTakeFirst()) !== undefined;
  }

  async blobState(scope: string, sha256: string): Promise<'pending' | 'ready' | undefined> {
    return (await this.db.selectFrom('blobs').select('state').where('scope', '=', scope).where('sha256', '=', sha256).executeTakeFirst())?.state;
  }

  /**
   * Bytes of the distinct blobs the account's versions reference (the stored-bytes quota's
   * measure). Read from the account's manifests, not from every blob of every tenant: it runs
   * under the account's lock, on SQLite the file's write lock.
   */
  async storedBytes(accountId: string, db: Db = this.db): Promise<number> {
    const r = await db
      .selectFrom((eb) =>
        eb
          .selectFrom('version_files as f')
          .innerJoin('model_versions as v', 'v.id', 'f.version_id')
          .select(['f.scope', 'f.sha256'])
          .distinct()
          .where('v.account_id', '=', accountId)
          .as('r'),
      )
      .innerJoin('blobs as b', (j) => j.onRef('b.scope', '=', 'r.scope').onRef('b.sha256', '=', 'r.sha256'))
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('b.size'), sql<number>`0`).as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Of the given hashes, those some version of the account already references. */
  async referencedByAccount(accountId: string, scope: string, hashes: string[], db: Db = this.db): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < hashes.length; i += 500) {
      const rows = await db
        .selectFrom('version_files as f')
        .innerJoin('model_versions as v', 'v.id', 'f.version_id')
        .select('f.sha256')
        .distinct()
        .where('v.account_id', '=', accountId)
        .where('f.scope', '=', scope)
        .where('f.sha256', 'in', hashes.slice(i, i + 500))
        .execute();
      for (const r of rows) out.add(r.sha256);
    }
    return out;
  }

  /** Blobs no manifest references whose last claim is older than `cutoff` (candidates only). */
  unreferenced(cutoff: string, limit: number): Promise<{ scope: string; sha256: string }[]> {
    return this.db
      .selectFrom('blobs as b')
      .select(['b.scope', 'b.sha256'])
      .where('b.claimed_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('version_files as f').select('f.path').whereRef('f.scope', '=', 'b.scope').whereRef('f.sha256', '=', 'b.sha256'))),
      )
      .limit(limit)
      .execute();
  }

  /**
   * Locks the blob row if it is still collectable (PostgreSQL: FOR UPDATE, so a concurrent claim
   * waits for the collector's transaction; its claimed_at re-check then sees the new claim).
   */
  async lockCollectable(scope: string, sha256: string, cutoff: string, tx: Transaction<Database>): Promise<boolean> {
    const q = tx
      .selectFrom('blobs as b')
      .select('b.sha256')
      .where('b.scope', '=', scope)
      .where('b.sha256', '=', sha256)
      .where('b.claimed_at', '<', cutoff);
    const row = await lockRows(q, dialectOf(tx)).executeTakeFirst();
    if (!row) return false;
    const ref = await tx.selectFrom('version_files').select('path').where('scope', '=', scope).where('sha256', '=', sha256).limit(1).executeTakeFirst();
    return ref === undefined;
  }

  deleteBlob(scope: string, sha256: string, tx: Transaction<Database>): Promise<unknown> {
    return tx.deleteFrom('blobs').where('scope', '=', scope).where('sha256', '=', sha256).execute();
  }

  /**
   * Takes or renews the named lease for `owner` until `until`; false when another owner holds an
   * unexpired one. One statement each way, so two replicas can never both win.
   */
  async acquireLease(name: string, owner: string, now: string, until: string): Promise<boolean> {
    const taken = await this.db
      .updateTable('leases')
      .set({ owner, expires_at: until })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('owner', '=', owner), eb('expires_at', '<', now)]))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) > 0) return true;
    const inserted = await this.db
      .insertInto('leases')
      .values({ name, owner, expires_at: until })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async hasLease(name: string): Promise<boolean> {
    return (await this.db.selectFrom('leases').select('name').where('name', '=', name).executeTakeFirst()) !== undefined;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
  }

  /** Ready versions whose files still live in the per-version layout of earlier releases. */
  async versionsToUpgrade(afterId: string, limit: number): Promise<{ id: string; account_id: string; details: string | null }[]> {
    return this.db
      .selectFrom('model_versions')
      .select(['id', 'account_id', 'details'])
      .where('status', '=', 'Ready')
      .where('id', '>', afterId)
      .where('details', 'like', '%"prefix"%')
      .orderBy('id')
      .limit(limit)
      .execute();
  }
}
