// Issue 15 ("speak the user's language"): a failed version keeps the stable code and parameters of
// its reason (src/domain/import/failure-codes.ts) beside the English sentence, so clients can
// say it in the user's language. Versions failed before this migration have neither (NULL).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('model_versions').addColumn('failure_code', 'varchar(64)').execute();
  await db.schema.alterTable('model_versions').addColumn('failure_params', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('model_versions').dropColumn('failure_params').execute();
  await db.schema.alterTable('model_versions').dropColumn('failure_code').execute();
}
