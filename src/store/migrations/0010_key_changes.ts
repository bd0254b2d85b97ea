// Replicas keep access-key rows in memory (src/domain/iam/iam-service.ts). On PostgreSQL every
// change to a key row, by this code or by hand in psql, NOTIFYs the channel they LISTEN on
// (src/store/key-changes.ts), so a disabled or deleted key stops working on every replica at once.
// SQLite needs nothing: its data_version tells each process that another one wrote.
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`
    create or replace function modelreg_access_keys_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('modelreg_access_keys', old.access_key);
      return null;
    end $$`.execute(db);
  await sql`
    create trigger access_keys_notify after update or delete on access_keys
    for each row execute function modelreg_access_keys_notify()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`drop trigger if exists access_keys_notify on access_keys`.execute(db);
  await sql`drop function if exists modelreg_access_keys_notify()`.execute(db);
}
