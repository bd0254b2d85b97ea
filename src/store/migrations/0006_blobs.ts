// Content-addressed registry storage: blobs named by sha256 within a dedup scope, a manifest per
// version, named leases (one collector at a time across replicas), and export tasks.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('blobs')
    // An account id (per-account dedup, the default) or "shared" (MODELREG_BLOB_SCOPE=global).
    .addColumn('scope', 'varchar(64)', (c) => c.notNull())
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    // pending: claimed by an import that has not yet promoted its bytes; ready: the object exists.
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    // Bumped by every import that relies on the blob: the collector leaves fresh claims alone.
    .addColumn('claimed_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('blobs_pk', ['scope', 'sha256'])
    .execute();
  await db.schema.createIndex('blobs_claimed').on('blobs').column('claimed_at').execute();

  await db.schema
    .createTable('version_files')
    .addColumn('version_id', 'varchar(64)', (c) => c.notNull().references('model_versions.id').onDelete('cascade'))
    .addColumn('path', 'varchar(1024)', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('scope', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('version_files_pk', ['version_id', 'path'])
    .execute();
  // The collector's "is this blob referenced" probe.
  await db.schema.createIndex('version_files_blob').on('version_files').columns(['scope', 'sha256']).execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('owner', 'varchar(128)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('model_exports')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('version_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('file_name', 'varchar(512)')
    .addColumn('object_key', 'varchar(1024)')
    .addColumn('md5', 'varchar(32)')
    .addColumn('size', 'bigint')
    .addColumn('failure_reason', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_exports_version').on('model_exports').columns(['version_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('model_exports').execute();
  await db.schema.dropTable('leases').execute();
  await db.schema.dropTable('version_files').execute();
  await db.schema.dropTable('blobs').execute();
}
