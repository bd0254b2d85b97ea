// Quotas count an account's live jobs, and the fair job claim counts each account's running
// jobs: both read jobs by (account_id, status). The versions quota counts an account's versions.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('jobs_account_status').on('jobs').columns(['account_id', 'status']).execute();
  await db.schema.createIndex('model_versions_account').on('model_versions').column('account_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_account_status').execute();
  await db.schema.dropIndex('model_versions_account').execute();
}
