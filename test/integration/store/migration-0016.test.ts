// Migration 0016 on a database written before it: each set's labels become rows of
// model_set_labels (backfill), and from then on the triggers keep them, whatever writes the set
// (here plain SQL, as an operator in a shell would); a deleted set's rows go with it. The label
// filter reads the rows: its answers are checked through the repo. On the backend of the run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { migrations, migrateToLatest } from '../../../src/store/migrate.js';
import { ModelsRepo, type SetFilter } from '../../../src/store/repos/models-repo.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const pgUrl = testPgUrl();

test('0016: labels are backfilled into model_set_labels, then kept by inserts, updates and deletes', async () => {
  const url = pgUrl ? await createRandomDatabase(pgUrl) : path.join(tempDir(), 'old.sqlite');
  const store = await openDatabase(url);
  const d = store.db as Kysely<any>;
  try {
    const { error } = await new Migrator({ db: d, provider: { getMigrations: async () => migrations } }).migrateTo('0015_model_set_counts');
    if (error) throw error;
    await d.insertInto('accounts').values(['a', 'b'].map((id) => ({ id, name: id, created_at: '2025-01-01T00:00:00.000Z' }))).execute();
    const set = (account: string, i: number, labels: string) => {
      const at = `2025-01-01T00:00:0${i}.000Z`;
      return { id: `am-${account}${i}`, account_id: account, name: `s${i}`, model_type: 'Text2Text', labels, source: 'UserCreate', next_version: 1, created_at: at, modified_at: at };
    };
    await d
      .insertInto('model_sets')
      .values([
        set('a', 0, '["gpu","prod","gpu"]'),
        set('a', 1, '[]'),
        set('a', 2, '["gpu"]'),
        set('a', 3, '["Gpu", 7, "say \\"hi\\""]'), // only strings are labels, exactly as written
        set('a', 4, '{"gpu": true}'), // not an array: no labels
        set('b', 0, '["gpu"]'),
      ])
      .execute();

    await migrateToLatest(store.db);

    const repo = new ModelsRepo(store.db);
    const ids = async (accountId: string, filter: SetFilter, sortBy: 'created_at' | 'modified_at' | 'name' = 'created_at') =>
      (await repo.listSets({ accountId, sortBy, limit: 100, reverse: false, filter })).map((r) => r.id);
    const count = (accountId: string, filter: SetFilter) => repo.countSetsMatching(accountId, filter);
    assert.deepEqual(await ids('a', { label: 'gpu' }), ['am-a0', 'am-a2']);
    assert.deepEqual(await ids('a', { label: 'Gpu' }), ['am-a3']);
    assert.deepEqual(await ids('a', { label: 'say "hi"' }), ['am-a3']);
    assert.deepEqual(await ids('a', { label: '7' }), []);
    assert.deepEqual(await ids('b', { label: 'gpu' }), ['am-b0']);
    assert.deepEqual([await count('a', { label: 'gpu' }), await count('a', { label: 'prod' }), await count('b', { label: 'prod' })], [2, 1, 0]);
    const rows = await d.selectFrom('model_set_labels').selectAll().where('model_set_id', '=', 'am-a0').orderBy('label').execute();
    assert.deepEqual(rows, ['gpu', 'prod'].map((label) => ({ model_set_id: 'am-a0', label, account_id: 'a', created_at: '2025-01-01T00:00:00.000Z', modified_at: '2025-01-01T00:00:00.000Z', name: 's0' })));

    // From here on the triggers: a new set, labels replaced, a set modified, a set deleted.
    await d.insertInto('model_sets').values(set('a', 5, '["gpu"]')).execute();
    await d.updateTable('model_sets').set({ labels: '["prod"]' }).where('id', '=', 'am-a2').execute();
    await d.updateTable('model_sets').set({ labels: '["gpu"]' }).where('id', '=', 'am-a1').execute();
    await d.updateTable('model_sets').set({ modified_at: '2025-01-02T00:00:00.000Z' }).where('id', '=', 'am-a0').execute();
    await d.deleteFrom('model_sets').where('id', '=', 'am-b0').execute();
    assert.deepEqual(await ids('a', { label: 'gpu' }), ['am-a0', 'am-a1', 'am-a5']);
    assert.deepEqual(await ids('a', { label: 'gpu' }, 'modified_at'), ['am-a1', 'am-a5', 'am-a0']);
    assert.deepEqual(await ids('a', { label: 'prod' }), ['am-a0', 'am-a2']);
    assert.deepEqual(await ids('b', { label: 'gpu' }), []);
    assert.deepEqual([await count('a', { label: 'gpu' }), await count('a', { label: 'gpu', nameContains: 's5' })], [3, 1]);
    assert.equal((await d.selectFrom('model_set_labels').select('model_set_id').where('model_set_id', '=', 'am-b0').execute()).length, 0);
    // The same labels written again (and a new modification time): the rows follow, counts stay.
    await d.updateTable('model_sets').set({ labels: '["gpu","prod"]', modified_at: '2025-01-04T00:00:00.000Z' }).where('id', '=', 'am-a0').execute();
    assert.deepEqual(await ids('a', { label: 'prod' }, 'modified_at'), ['am-a2', 'am-a0']);
    // Each counter is its label's rows, counted (a count at 0 keeps its row).
    const counted = await d.selectFrom('model_set_labels').select(['account_id', 'label']).select((eb) => eb.fn.countAll().as('n')).groupBy(['account_id', 'label']).execute();
    const kept = await d.selectFrom('model_set_label_counts').selectAll().where('n', '<>', 0).execute();
    const key = (r: Record<string, unknown>) => `${String(r.account_id)}/${String(r.label)}=${Number(r.n)}`;
    assert.deepEqual(kept.map(key).sort(), counted.map(key).sort());
    assert.deepEqual(kept.map(key).sort(), ['a/Gpu=1', 'a/gpu=3', 'a/prod=2', 'a/say "hi"=1']);

    // down removes the table and its triggers: sets are written as before.
    const back = await new Migrator({ db: d, provider: { getMigrations: async () => migrations } }).migrateTo('0015_model_set_counts');
    if (back.error) throw back.error;
    await d.updateTable('model_sets').set({ labels: '["x"]', modified_at: '2025-01-03T00:00:00.000Z' }).where('id', '=', 'am-a0').execute();
    await d.insertInto('model_sets').values(set('a', 6, '["gpu"]')).execute();
  } finally {
    await store.db.destroy();
    if (pgUrl) await dropTestDatabase(pgUrl, url);
  }
});
