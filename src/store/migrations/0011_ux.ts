// Issue 15 (what registry users expect):
//  - import progress: the import job publishes its phase and bytes (JSON, written at most about once
//    a second per job), and queue positions are counted over (kind, status, created_at);
//  - lists that scale: sets are sorted by name or modified time and filtered by type in the database;
//  - editable metadata: a set's description, and key/value tags on versions (searchable).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('progress', 'text').execute();
  await db.schema.createIndex('jobs_kind_status_created').on('jobs').columns(['kind', 'status', 'created_at']).execute();
  await db.schema.createIndex('model_sets_account_modified').on('model_sets').columns(['account_id', 'modified_at', 'id']).execute();
  await db.schema.createIndex('model_sets_account_type').on('model_sets').columns(['account_id', 'model_type']).execute();
  await db.schema.createIndex('model_versions_set_status').on('model_versions').columns(['model_set_id', 'status']).execute();
  await db.schema.alterTable('model_sets').addColumn('description', 'text').execute();
  await db.schema
    .createTable('model_version_tags')
    .addColumn('model_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('tag_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('tag_value', 'varchar(256)', (c) => c.notNull())
    .addColumn('model_set_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_version_tags_pk', ['model_id', 'tag_key'])
    .execute();
  await db.schema.createIndex('model_version_tags_set_key').on('model_version_tags').columns(['model_set_id', 'tag_key', 'tag_value']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('model_version_tags').execute();
  await db.schema.alterTable('model_sets').dropColumn('description').execute();
  await db.schema.dropIndex('model_versions_set_status').execute();
  await db.schema.dropIndex('model_sets_account_type').execute();
  await db.schema.dropIndex('model_sets_account_modified').execute();
  await db.schema.dropIndex('jobs_kind_status_created').execute();
  await db.schema.alterTable('jobs').dropColumn('progress').execute();
}
