// A job waiting to be retried is queued with the time it may run again (run_after), not a
// `running` job leased by the pseudo-owner 'retry'. Existing postponed jobs are converted.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('run_after', 'varchar(32)').execute();
  await sql`update jobs set status = 'queued', run_after = lease_expires_at, lease_owner = null, lease_expires_at = null
            where status = 'running' and lease_owner = 'retry'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update jobs set status = 'running', lease_owner = 'retry', lease_expires_at = run_after
            where status = 'queued' and run_after is not null`.execute(db);
  await db.schema.alterTable('jobs').dropColumn('run_after').execute();
}
