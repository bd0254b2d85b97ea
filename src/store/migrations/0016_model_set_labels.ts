// DescribeCustomModelSets' label filter matched a LIKE over each set's labels (a JSON array stored
// as text): no index serves that, so a page read the account's sets until it found enough with the
// label, and PostgreSQL, misjudging the LIKE's selectivity, read and sorted all of them. Each label
// of a set is now a row of model_set_labels, carrying the set's sort keys (created_at, modified_at,
// name) so that one index per order, (account_id, label, key[, id]), pages a label's sets from the
// marker as every other listing does: the cost of a page no longer depends on the account's size.
// Triggers on model_sets write the rows in the statement's own transaction, whatever writes the set
// (CreateCustomModelSet, UpdateModelSet, a new version touching modified_at, SQL by hand); deleting
// a set deletes its rows by the foreign key's cascade. A label is one string element of the array
// (duplicates once); anything else in the array, or labels that are not an array, give no rows.
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('model_set_labels')
    .addColumn('model_set_id', 'varchar(64)', (c) => c.notNull().references('model_sets.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_set_labels_pk', ['model_set_id', 'label'])
    .execute();
  // One per order of the listing (src/store/repos/models-repo.ts); a name is unique in its account.
  await db.schema.createIndex('model_set_labels_created').on('model_set_labels').columns(['account_id', 'label', 'created_at', 'model_set_id']).execute();
  await db.schema.createIndex('model_set_labels_modified').on('model_set_labels').columns(['account_id', 'label', 'modified_at', 'model_set_id']).execute();
  await db.schema.createIndex('model_set_labels_name').on('model_set_labels').columns(['account_id', 'label', 'name']).unique().execute();

  // Triggers first, then the backfill, as in 0015: no write to model_sets can fall between them
  // (PostgreSQL: CREATE TRIGGER holds off writers until this migration commits; SQLite: the
  // migration holds the write lock throughout).
  if (dialectOf(db) === 'postgres') {
    await sql`
      create or replace function modelreg_model_set_labels() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' then
          delete from model_set_labels where model_set_id = old.id;
        end if;
        insert into model_set_labels (model_set_id, label, account_id, created_at, modified_at, name)
          select distinct new.id, e #>> '{}', new.account_id, new.created_at, new.modified_at, new.name
          from jsonb_array_elements(case when jsonb_typeof(new.labels::jsonb) = 'array' then new.labels::jsonb else '[]'::jsonb end) e
          where jsonb_typeof(e) = 'string';
        return null;
      end $$`.execute(db);
    // Sets without labels (the common case) pay nothing: the WHEN is checked before the call.
    await sql`
      create trigger model_set_labels_insert after insert on model_sets
      for each row when (new.labels <> '[]') execute function modelreg_model_set_labels()`.execute(db);
    await sql`
      create trigger model_set_labels_update after update of labels, account_id, created_at, modified_at, name on model_sets
      for each row when (old.labels <> '[]' or new.labels <> '[]') execute function modelreg_model_set_labels()`.execute(db);
    await sql`
      insert into model_set_labels (model_set_id, label, account_id, created_at, modified_at, name)
      select distinct s.id, e #>> '{}', s.account_id, s.created_at, s.modified_at, s.name
      from model_sets s
      cross join lateral jsonb_array_elements(case when jsonb_typeof(s.labels::jsonb) = 'array' then s.labels::jsonb else '[]'::jsonb end) e
      where s.labels <> '[]' and jsonb_typeof(e) = 'string'`.execute(db);
  } else {
    const rowsOfNew = sql`
      insert into model_set_labels (model_set_id, label, account_id, created_at, modified_at, name)
        select distinct new.id, j.value, new.account_id, new.created_at, new.modified_at, new.name
        from json_each(case when json_type(new.labels) = 'array' then new.labels else '[]' end) j
        where j.type = 'text';`;
    await sql`
      create trigger model_set_labels_insert after insert on model_sets when new.labels <> '[]' begin
        ${rowsOfNew}
      end`.execute(db);
    await sql`
      create trigger model_set_labels_update after update of labels, account_id, created_at, modified_at, name on model_sets
      when old.labels <> '[]' or new.labels <> '[]' begin
        delete from model_set_labels where model_set_id = old.id;
        ${rowsOfNew}
      end`.execute(db);
    await sql`
      insert into model_set_labels (model_set_id, label, account_id, created_at, modified_at, name)
      select distinct s.id, j.value, s.account_id, s.created_at, s.modified_at, s.name
      from model_sets s, json_each(case when json_type(s.labels) = 'array' then s.labels else '[]' end) j
      where s.labels <> '[]' and j.type = 'text'`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists model_set_labels_insert${dialectOf(db) === 'postgres' ? sql` on model_sets` : sql``}`.execute(db);
  await sql`drop trigger if exists model_set_labels_update${dialectOf(db) === 'postgres' ? sql` on model_sets` : sql``}`.execute(db);
  if (dialectOf(db) === 'postgres') await sql`drop function if exists modelreg_model_set_labels()`.execute(db);
  await db.schema.dropTable('model_set_labels').execute();
}
