// The migrations give SQLite and PostgreSQL the same schema: the same tables, columns (declared
// type, nullability, default), primary keys, unique constraints and indexes. Needs both, so it
// runs in the PostgreSQL run of npm test.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const pgUrl = testPgUrl();

interface Column {
  type: string;
  notNull: boolean;
  hasDefault: boolean;
}
interface Shape {
  columns: Record<string, Record<string, Column>>;
  /** Per table: "unique (a, b)" / "index (a, b)", primary keys included as unique. */
  indexes: Record<string, string[]>;
}

async function sqliteShape(db: Kysely<any>): Promise<Shape> {
  const shape: Shape = { columns: {}, indexes: {} };
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(db);
  for (const { name } of tables.rows) {
    const cols = await sql<{ name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>`select * from pragma_table_info(${name})`.execute(db);
    shape.columns[name] = Object.fromEntries(
      cols.rows.map((c) => [c.name, { type: c.type.toLowerCase(), notNull: c.notnull === 1 || c.pk > 0, hasDefault: c.dflt_value !== null }]),
    );
    const list = await sql<{ name: string; unique: number }>`select name, "unique" from pragma_index_list(${name})`.execute(db);
    const out: string[] = [];
    for (const idx of list.rows) {
      const info = await sql<{ name: string; seqno: number }>`select name, seqno from pragma_index_info(${idx.name}) order by seqno`.execute(db);
      out.push(`${idx.unique ? 'unique' : 'index'} (${info.rows.map((r) => r.name).join(', ')})`);
    }
    shape.indexes[name] = out.sort();
  }
  return shape;
}

async function postgresShape(db: Kysely<any>): Promise<Shape> {
  const shape: Shape = { columns: {}, indexes: {} };
  const cols = await sql<{ table_name: string; column_name: string; data_type: string; character_maximum_length: number | null; is_nullable: string; column_default: string | null }>`
    select table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
    from information_schema.columns where table_schema = 'public' and table_name not like 'kysely_%'`.execute(db);
  for (const c of cols.rows) {
    const type = c.data_type === 'character varying' ? `varchar(${c.character_maximum_length})` : c.data_type;
    (shape.columns[c.table_name] ??= {})[c.column_name] = { type, notNull: c.is_nullable === 'NO', hasDefault: c.column_default !== null };
  }
  const idx = await sql<{ table: string; unique: boolean; cols: string[] }>`
    select t.relname as table, i.indisunique as unique,
           array(select a.attname::text from unnest(i.indkey) with ordinality k(attnum, ord)
                 join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum order by k.ord) as cols
    from pg_index i join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = 'public' and t.relname not like 'kysely_%'`.execute(db);
  for (const r of idx.rows) (shape.indexes[r.table] ??= []).push(`${r.unique ? 'unique' : 'index'} (${r.cols.join(', ')})`);
  for (const t of Object.keys(shape.indexes)) shape.indexes[t]!.sort();
  return shape;
}

test('SQLite and PostgreSQL get the same schema from the migrations', { skip: pgUrl ? false : 'needs PostgreSQL (MODELREG_TEST_DATABASE)' }, async () => {
  const dir = tempDir('modelreg-schema-');
  const pgDb = await createRandomDatabase(pgUrl!);
  const lite = await openDatabase(path.join(dir, 'schema.sqlite'));
  const pg = await openDatabase(pgDb);
  try {
    await migrateToLatest(lite.db);
    await migrateToLatest(pg.db);
    const a = await sqliteShape(lite.db);
    const b = await postgresShape(pg.db);
    assert.ok(Object.keys(a.columns).length >= 5, `tables: ${Object.keys(a.columns).join(', ')}`);
    assert.deepEqual(b.columns, a.columns);
    assert.deepEqual(b.indexes, a.indexes);
  } finally {
    await lite.db.destroy();
    await pg.db.destroy();
    await dropTestDatabase(pgUrl!, pgDb);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
