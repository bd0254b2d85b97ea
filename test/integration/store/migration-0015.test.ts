// Migration 0015 on a database written before it: each account's count of model sets is backfilled
// from the sets it has, and from then on the triggers keep it, whatever writes the rows (here plain
// SQL, as an operator in a shell would). On the backend of the run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { migrations, migrateToLatest } from '../../../src/store/migrate.js';
import { ModelsRepo } from '../../../src/store/repos/models-repo.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const pgUrl = testPgUrl();

test('0015: the sets counted per account are backfilled, then kept by inserts and deletes', async () => {
  const url = pgUrl ? await createRandomDatabase(pgUrl) : path.join(tempDir(), 'old.sqlite');
  const store = await openDatabase(url);
  const d = store.db as Kysely<any>;
  try {
    const { error } = await new Migrator({ db: d, provider: { getMigrations: async () => migrations } }).migrateTo('0014_listing_keysets');
    if (error) throw error;
    const at = '2025-01-01T00:00:00.000Z';
    await d.insertInto('accounts').values(['a', 'b', 'c'].map((id) => ({ id, name: id, created_at: at }))).execute();
    const set = (account: string, i: number) => ({ id: `am-${account}${i}`, account_id: account, name: `s${i}`, model_type: 'Text2Text', labels: '[]', source: 'UserCreate', next_version: 1, created_at: at, modified_at: at });
    await d.insertInto('model_sets').values([...[0, 1, 2, 3, 4].map((i) => set('a', i)), ...[0, 1, 2].map((i) => set('b', i))]).execute();

    await migrateToLatest(store.db);

    const repo = new ModelsRepo(store.db);
    const counts = async () => Promise.all(['a', 'b', 'c'].map((acc) => repo.countSetsMatching(acc, {})));
    assert.deepEqual(await counts(), [5, 3, 0]);
    await d.insertInto('model_sets').values([set('c', 0), set('a', 5)]).execute();
    await d.deleteFrom('model_sets').where('account_id', '=', 'b').where('name', 'in', ['s0', 's1']).execute();
    assert.deepEqual(await counts(), [6, 1, 1]);
    // The quota reads the same count.
    assert.equal(await repo.countSets('a'), 6);
  } finally {
    await store.db.destroy();
    if (pgUrl) await dropTestDatabase(pgUrl, url);
  }
});
