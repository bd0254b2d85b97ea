// DescribeCustomModelSets' label filter matched a LIKE over each set's labels (a JSON array stored
// as text): no index serves that, so a page read the account's sets until it found enough with the
// label, and PostgreSQL, misjudging the LIKE's selectivity, read and sorted all of them. Each label
// of a set is now a row of model_set_labels, carrying the set's sort keys (created_at, modified_at,
// name) so that one index per order, (account_id, label, key[, id]), pages a label's sets from the
// marker as every other listing does; and each (account, label) has its count of sets in
// model_set_label_counts, the label's totalCount in one primary-key read (as 0015 for the account).
// Triggers on model_sets keep both in the statement's own transaction, whatever writes the set
// (CreateCustomModelSet, UpdateModelSet, a new version touching modified_at, DeleteModelSet, SQL by
// hand); deleting a set deletes its rows by the foreign key's cascade. A label is one string element
// of the array (duplicates once); anything else in the array, or labels that are not an array, give
// no rows. A count that drops to 0 keeps its row.
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
  await db.schema
    .createTable('model_set_label_counts')
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_set_label_counts_pk', ['account_id', 'label'])
    .execute();

  // Triggers first, then the backfill, as in 0015: no write to model_sets can fall between them
  // (PostgreSQL: CREATE TRIGGER holds off writers until this migration commits; SQLite: the
  // migration holds the write lock throughout).
  if (dialectOf(db) === 'postgres') {
    // A set's labels as a sorted array of distinct strings.
    await sql`
      create or replace function modelreg_label_array(labels text) returns text[] language sql immutable as $$
        select coalesce(array_agg(distinct e #>> '{}' order by e #>> '{}'), '{}')
        from jsonb_array_elements(case when jsonb_typeof(labels::jsonb) = 'array' then labels::jsonb else '[]'::jsonb end) e
        where jsonb_typeof(e) = 'string' $$`.execute(db);
    // The counts move in one upsert whose rows come in (account, label) order, so concurrent
    // writers take the count rows' locks in the same order and never deadlock.
    await sql`
      create or replace function modelreg_model_set_labels() returns trigger language plpgsql as $$
      declare
        was text[] := '{}';
        is_now text[] := '{}';
        was_account text;
        now_account text;
      begin
        -- The common update (a new version, a description): the same labels, only the sort keys move.
        if tg_op = 'UPDATE' and old.labels = new.labels and old.account_id = new.account_id then
          update model_set_labels set created_at = new.created_at, modified_at = new.modified_at, name = new.name where model_set_id = new.id;
          return null;
        end if;
        if tg_op <> 'INSERT' then was := modelreg_label_array(old.labels); was_account := old.account_id; end if;
        if tg_op <> 'DELETE' then is_now := modelreg_label_array(new.labels); now_account := new.account_id; end if;
        if tg_op = 'UPDATE' and was = is_now and was_account = now_account then
          update model_set_labels set created_at = new.created_at, modified_at = new.modified_at, name = new.name where model_set_id = new.id;
          return null;
        end if;
        if tg_op = 'UPDATE' then
          delete from model_set_labels where model_set_id = old.id;
        end if;
        if tg_op <> 'DELETE' then
          insert into model_set_labels (model_set_id, label, account_id, created_at, modified_at, name)
            select new.id, l, new.account_id, new.created_at, new.modified_at, new.name from unnest(is_now) l;
        end if;
        insert into model_set_label_counts (account_id, label, n)
          select account_id, label, sum(d) from (
            select was_account as account_id, unnest(was) as label, -1 as d
            union all
            select now_account, unnest(is_now), 1
          ) moves
          group by account_id, label having sum(d) <> 0
          order by account_id, label
        on conflict (account_id, label) do update set n = model_set_label_counts.n + excluded.n;
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
      create trigger model_set_labels_delete after delete on model_sets
      for each row when (old.labels <> '[]') execute function modelreg_model_set_labels()`.execute(db);
    await sql`
      insert into model_set_labels (model_set_id, label, account_id, created_at, modified_at, name)
      select s.id, l, s.account_id, s.created_at, s.modified_at, s.name
      from model_sets s cross join lateral unnest(modelreg_label_array(s.labels)) l
      where s.labels <> '[]'`.execute(db);
  } else {
    const labelsOf = (labels: string) => sql.raw(`(select distinct j.value from json_each(case when json_type(${labels}) = 'array' then ${labels} else '[]' end) j where j.type = 'text')`);
    const rowsOfNew = sql`
      insert into model_set_labels (model_set_id, label, account_id, created_at, modified_at, name)
        select new.id, value, new.account_id, new.created_at, new.modified_at, new.name from ${labelsOf('new.labels')};
      insert into model_set_label_counts (account_id, label, n)
        select account_id, label, 1 from model_set_labels where model_set_id = new.id
        on conflict (account_id, label) do update set n = n + 1;`;
    await sql`
      create trigger model_set_labels_insert after insert on model_sets when new.labels <> '[]' begin
        ${rowsOfNew}
      end`.execute(db);
    // New labels (or account): the old rows and their counts out, the new ones in.
    await sql`
      create trigger model_set_labels_relabel after update of labels, account_id on model_sets
      when old.labels <> new.labels or old.account_id <> new.account_id begin
        update model_set_label_counts set n = n - 1
          where account_id = old.account_id and label in (select label from model_set_labels where model_set_id = old.id);
        delete from model_set_labels where model_set_id = old.id;
        ${rowsOfNew}
      end`.execute(db);
    // The same labels: the rows follow the set's sort keys.
    await sql`
      create trigger model_set_labels_update after update of labels, account_id, created_at, modified_at, name on model_sets
      when old.labels = new.labels and old.account_id = new.account_id and new.labels <> '[]' begin
        update model_set_labels set created_at = new.created_at, modified_at = new.modified_at, name = new.name where model_set_id = new.id;
      end`.execute(db);
    await sql`
      create trigger model_set_labels_delete after delete on model_sets when old.labels <> '[]' begin
        update model_set_label_counts set n = n - 1 where account_id = old.account_id and label in ${labelsOf('old.labels')};
      end`.execute(db);
    await sql`
      insert into model_set_labels (model_set_id, label, account_id, created_at, modified_at, name)
      select distinct s.id, j.value, s.account_id, s.created_at, s.modified_at, s.name
      from model_sets s, json_each(case when json_type(s.labels) = 'array' then s.labels else '[]' end) j
      where s.labels <> '[]' and j.type = 'text'`.execute(db);
  }
  await sql`insert into model_set_label_counts (account_id, label, n) select account_id, label, count(*) from model_set_labels group by account_id, label`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    for (const t of ['insert', 'update', 'delete']) await sql`drop trigger if exists ${sql.raw(`model_set_labels_${t}`)} on model_sets`.execute(db);
    await sql`drop function if exists modelreg_model_set_labels()`.execute(db);
    await sql`drop function if exists modelreg_label_array(text)`.execute(db);
  } else {
    for (const t of ['insert', 'relabel', 'update', 'delete']) await sql`drop trigger if exists ${sql.raw(`model_set_labels_${t}`)}`.execute(db);
  }
  await db.schema.dropTable('model_set_label_counts').execute();
  await db.schema.dropTable('model_set_labels').execute();
}
