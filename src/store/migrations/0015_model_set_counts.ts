// DescribeCustomModelSets answers `totalCount` on every page. Counting the account's sets there
// made a page's cost grow with the account (an index scan of all its sets; 1.8 ms of CPU at tens
// of thousands, bench/README.md). The count is kept instead, one row per account, by triggers on
// model_sets: every insert and delete, by any code path (DeleteModelSet with deleteVersions
// included) or by hand in SQL, moves it in the statement's own transaction. Concurrent creates
// queue on the account's counter row (PostgreSQL's upsert locks it), so none is lost.
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('model_set_counts')
    .addColumn('account_id', 'varchar(64)', (c) => c.primaryKey().references('accounts.id'))
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  // Triggers first, then the backfill: on PostgreSQL CREATE TRIGGER locks model_sets against
  // writes until this migration commits, so a set is counted either by the backfill or by the
  // trigger, never both or neither (SQLite: the migration holds the write lock throughout).
  if (dialectOf(db) === 'postgres') {
    await sql`
      create or replace function modelreg_model_set_count() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          insert into model_set_counts (account_id, n) values (new.account_id, 1)
            on conflict (account_id) do update set n = model_set_counts.n + 1;
        else
          update model_set_counts set n = n - 1 where account_id = old.account_id;
        end if;
        return null;
      end $$`.execute(db);
    await sql`
      create trigger model_set_count after insert or delete on model_sets
      for each row execute function modelreg_model_set_count()`.execute(db);
  } else {
    await sql`
      create trigger model_set_count_insert after insert on model_sets begin
        insert into model_set_counts (account_id, n) values (new.account_id, 1)
          on conflict (account_id) do update set n = n + 1;
      end`.execute(db);
    await sql`
      create trigger model_set_count_delete after delete on model_sets begin
        update model_set_counts set n = n - 1 where account_id = old.account_id;
      end`.execute(db);
  }
  await sql`insert into model_set_counts (account_id, n) select account_id, count(*) from model_sets group by account_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`drop trigger if exists model_set_count on model_sets`.execute(db);
    await sql`drop function if exists modelreg_model_set_count()`.execute(db);
  } else {
    await sql`drop trigger if exists model_set_count_insert`.execute(db);
    await sql`drop trigger if exists model_set_count_delete`.execute(db);
  }
  await db.schema.dropTable('model_set_counts').execute();
}
