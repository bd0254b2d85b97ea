// Accounts, access keys, model sets, model versions and the durable job queue.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('access_keys')
    .addColumn('access_key', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('policies', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_keys_account').on('access_keys').column('account_id').execute();

  await db.schema
    .createTable('model_sets')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('model_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('source', 'varchar(32)', (c) => c.notNull())
    .addColumn('next_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('model_sets_account_name', ['account_id', 'name'])
    .execute();
  // Pages go by (account, created_at, id), the listing's order: a marker names a row of this index,
  // so a deep page is one range scan from it and costs the same as the first.
  await db.schema.createIndex('model_sets_account_created').on('model_sets').columns(['account_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('model_set_id', 'varchar(64)', (c) => c.notNull().references('model_sets.id'))
    .addColumn('version_no', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(32)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('source_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('model_application_type', 'varchar(32)')
    .addColumn('source_meta', 'text', (c) => c.notNull())
    .addColumn('resource_config', 'text')
    .addColumn('advance_conf', 'text')
    .addColumn('details', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('model_versions_set_no', ['model_set_id', 'version_no'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'varchar(128)')
    .addColumn('lease_expires_at', 'varchar(32)')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_status_created').on('jobs').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('jobs_subject').on('jobs').column('subject_id').execute();
  void sql;
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['jobs', 'model_versions', 'model_sets', 'access_keys', 'accounts']) {
    await db.schema.dropTable(t).execute();
  }
}
