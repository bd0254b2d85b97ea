// Hugging Face Hub-compatible reads: read tokens (stored as sha256 only) and model-set aliases
// with the history of every move.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('read_tokens')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    // sha256 hex of the whole token: the token itself is shown once and never stored.
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('token_hint', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(160)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)')
    .addColumn('revoked_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('read_tokens_account').on('read_tokens').columns(['account_id', 'created_at']).execute();

  await db.schema
    .createTable('model_set_aliases')
    .addColumn('model_set_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('alias', 'varchar(64)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('model_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('modified_by', 'varchar(160)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_set_aliases_pk', ['model_set_id', 'alias'])
    .execute();
  await db.schema.createIndex('model_set_aliases_model').on('model_set_aliases').column('model_id').execute();

  await db.schema
    .createTable('model_set_alias_events')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('model_set_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('alias', 'varchar(64)', (c) => c.notNull())
    .addColumn('from_model_id', 'varchar(64)')
    .addColumn('to_model_id', 'varchar(64)')
    .addColumn('actor', 'varchar(160)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('model_set_alias_events_set').on('model_set_alias_events').columns(['model_set_id', 'at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('model_set_alias_events').execute();
  await db.schema.dropTable('model_set_aliases').execute();
  await db.schema.dropTable('read_tokens').execute();
}
