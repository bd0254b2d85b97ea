// Prepared reads (src/store/prepared.ts) answer the rows Kysely's own path answers: the same keys
// in the same order, the same values (nulls, numbers, text), a later duplicate column name winning;
// and a `*` read prepared before a column was added names that column afterwards. On SQLite the
// prepared read runs on the better-sqlite3 statement and builds its rows itself; on PostgreSQL it
// goes through Kysely, so the comparison holds trivially there. On the backend of the run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { prepareRead } from '../../../src/store/prepared.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const pgUrl = testPgUrl();

test('prepared reads answer the rows Kysely answers, in column order, and follow an added column', async () => {
  const url = pgUrl ? await createRandomDatabase(pgUrl) : path.join(tempDir(), 'rows.sqlite');
  const store = await openDatabase(url);
  const d = store.db as Kysely<any>;
  try {
    await sql`create table t (id varchar(16) primary key, n integer, note text, label text)`.execute(d);
    await sql`create table u (id varchar(16) primary key, note text)`.execute(d);
    await d.insertInto('t').values([
      { id: 'a', n: 1, note: null, label: 'x' },
      { id: 'b', n: 2, note: 'two', label: '中文' },
      { id: 'c', n: 3, note: '', label: '[]' },
    ]).execute();
    await d.insertInto('u').values([{ id: 'a', note: 'from u' }]).execute();

    const all = prepareRead<Record<string, unknown>>(d, 1, (from) => d.selectFrom('t').selectAll().where('id', '>=', from).orderBy('id'));
    const expected = await d.selectFrom('t').selectAll().where('id', '>=', 'a').orderBy('id').execute();
    const rows = await all('a');
    assert.deepEqual(rows, expected);
    assert.deepEqual(rows.map((r) => Object.keys(r)), expected.map((r) => Object.keys(r)));
    assert.deepEqual(rows[0], { id: 'a', n: 1, note: null, label: 'x' });
    assert.deepEqual(await all('z'), []);

    // Two columns named "note": the later one's value, at the first one's place (as a row object would have it).
    const joined = prepareRead<Record<string, unknown>>(d, 1, (id) => d.selectFrom('t').innerJoin('u', 'u.id', 't.id').select(['t.id', 't.note', 't.n', 'u.note']).where('t.id', '=', id));
    const viaKysely = await d.selectFrom('t').innerJoin('u', 'u.id', 't.id').select(['t.id', 't.note', 't.n', 'u.note']).where('t.id', '=', 'a').execute();
    assert.deepEqual(await joined('a'), viaKysely);
    assert.deepEqual(Object.keys((await joined('a'))[0]!), ['id', 'note', 'n']);
    assert.equal((await joined('a'))[0]!.note, 'from u');

    // A column added after the read was prepared (a newer replica migrating the shared file).
    await sql`alter table t add column extra text`.execute(d);
    await d.updateTable('t').set({ extra: 'new' }).where('id', '=', 'b').execute();
    const after = await all('b');
    assert.deepEqual(after, await d.selectFrom('t').selectAll().where('id', '>=', 'b').orderBy('id').execute());
    assert.equal(after[0]!.extra, 'new');
  } finally {
    await store.db.destroy();
    if (pgUrl) await dropTestDatabase(pgUrl, url);
  }
});
