// Issue 16 (one paging rule, every listing pinned by a query-plan test): an account's read tokens
// are listed in (created_at, id) order, and the index stopped at created_at, so both databases
// sorted the list; (account_id, created_at, id) serves the order as it stands.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('read_tokens_account_created').on('read_tokens').columns(['account_id', 'created_at', 'id']).execute();
  await db.schema.dropIndex('read_tokens_account').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('read_tokens_account').on('read_tokens').columns(['account_id', 'created_at']).execute();
  await db.schema.dropIndex('read_tokens_account_created').execute();
}
