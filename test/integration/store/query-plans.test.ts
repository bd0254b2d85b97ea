// Every listing pages by marker in one index range scan on both databases, so a page deep in a
// long listing costs what the first page costs (bench/scale.ts measures it at 1M versions; this
// test pins the plans that make it so): model sets in each sortBy order, a set's versions
// (DescribeCustomModels), fine-tuning jobs, tasks, and one job's tasks; and the unpaged lists
// read in index order: the alias history and an account's read tokens. The queries are the
// repos' own (store/keyset.ts builds the marker range); DescribeSystemModelSets pages the
// operator's file in memory and the Hub tree pages a revision's file list, neither in SQL.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { openDatabase, type OpenedStore } from '../../../src/store/database.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { ModelsRepo } from '../../../src/store/repos/models-repo.js';
import { TrainingRepo } from '../../../src/store/repos/training-repo.js';
import { HubRepo } from '../../../src/store/repos/hub-repo.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const pgUrl = testPgUrl();
const dir = tempDir('modelreg-plans-');
let database: string;
let store: OpenedStore;
const SETS = 20_000;

before(async () => {
  database = pgUrl ? await createRandomDatabase(pgUrl) : path.join(dir, 'plans.sqlite');
  store = await openDatabase(database);
  await migrateToLatest(store.db);
  const db = store.db as unknown as Kysely<any>;
  await sql`insert into accounts (id, name, created_at) values ('acct-a', 'a', '2024-01-01T00:00:00.000Z'), ('acct-b', 'b', '2024-01-01T00:00:00.000Z')`.execute(db);
  // Two accounts' sets interleaved in time, so the account condition matters as well.
  const rows = Array.from({ length: SETS }, (_, i) => ({
    id: `am-p${String(i).padStart(11, '0')}`,
    account_id: i % 2 ? 'acct-a' : 'acct-b',
    name: `s${i}`,
    model_type: 'Text2Text',
    // Labels (migration 0016's rows): half of each account's sets are 'gpu', a quarter of acct-a's 'cpu'.
    labels: i % 4 === 1 ? '["gpu","team-a"]' : i % 4 === 3 ? '["cpu"]' : i % 4 === 0 ? '["gpu"]' : '[]',
    source: 'UserCreate',
    next_version: 1,
    created_at: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 3) * 1000).toISOString(), // ties on created_at
    modified_at: '2024-01-01T00:00:00.000Z',
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('model_sets').values(rows.slice(i, i + 500)).execute();
  // Versions: 200 sets of 50 (V1…V50) in acct-a.
  const versions = Array.from({ length: 10_000 }, (_, i) => ({
    id: `amv-p${String(i).padStart(11, '0')}`,
    account_id: 'acct-a',
    model_set_id: `am-p${String(2 * Math.floor(i / 50) + 1).padStart(11, '0')}`,
    version_no: (i % 50) + 1,
    name: `V${(i % 50) + 1}`,
    source_type: 'Import',
    status: 'Ready',
    source_meta: '{}',
    created_at: '2024-01-01T00:00:00.000Z',
    modified_at: '2024-01-01T00:00:00.000Z',
  }));
  for (let i = 0; i < versions.length; i += 500) await db.insertInto('model_versions').values(versions.slice(i, i + 500)).execute();
  // Fine-tuning: 2000 jobs over both accounts, 5 tasks each, ties on created_at.
  const jobs = Array.from({ length: 2_000 }, (_, i) => ({
    id: `job-p${String(i).padStart(11, '0')}`,
    account_id: i % 2 ? 'acct-a' : 'acct-b',
    name: `j${i}`,
    model: 'ERNIE-Speed-8K',
    train_mode: 'SFT',
    created_at: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 3) * 1000).toISOString(),
    modified_at: '2024-01-01T00:00:00.000Z',
  }));
  for (let i = 0; i < jobs.length; i += 500) await db.insertInto('finetuning_jobs').values(jobs.slice(i, i + 500)).execute();
  const tasks = Array.from({ length: 10_000 }, (_, i) => ({
    id: `task-p${String(i).padStart(11, '0')}`,
    account_id: jobs[Math.floor(i / 5)]!.account_id,
    job_id: jobs[Math.floor(i / 5)]!.id,
    params: '{}',
    run_status: 'Done',
    created_at: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 3) * 1000).toISOString(),
    modified_at: '2024-01-01T00:00:00.000Z',
  }));
  for (let i = 0; i < tasks.length; i += 500) await db.insertInto('finetuning_tasks').values(tasks.slice(i, i + 500)).execute();
  // Alias moves: 3000 of one set, interleaved with another's. Read tokens: 2000, one in 20 of
  // acct-a's (the list is unpaged: the index is what reads one account's few among many).
  const events = Array.from({ length: 6_000 }, (_, i) => ({
    id: `ev-p${String(i).padStart(11, '0')}`,
    model_set_id: i % 2 ? 'am-p00000000201' : 'am-p00000000203',
    alias: i % 3 ? 'prod' : 'staging',
    to_model_id: 'amv-p00000000001',
    actor: 'ak',
    at: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 4) * 1000).toISOString(),
  }));
  for (let i = 0; i < events.length; i += 500) await db.insertInto('model_set_alias_events').values(events.slice(i, i + 500)).execute();
  const tokens = Array.from({ length: 2_000 }, (_, i) => ({
    id: `rt-p${String(i).padStart(11, '0')}`,
    account_id: i % 20 ? 'acct-b' : 'acct-a',
    name: `t${i}`,
    token_hash: `h${i}`,
    token_hint: 'x',
    created_by: 'ak',
    created_at: new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 3) * 1000).toISOString(),
  }));
  for (let i = 0; i < tokens.length; i += 500) await db.insertInto('read_tokens').values(tokens.slice(i, i + 500)).execute();
  await sql`analyze`.execute(db);
});

after(async () => {
  await store?.db.destroy();
  if (pgUrl && database) await dropTestDatabase(pgUrl, database);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function plan(compiled: { sql: string; parameters: readonly unknown[] }): Promise<string> {
  const prefix = store.dialect === 'sqlite' ? 'explain query plan ' : 'explain ';
  const r = await store.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]));
  return r.rows.map((row) => String(row.detail ?? row['QUERY PLAN'])).join('\n');
}

type Captured = { sql: string; parameters: readonly unknown[] };

/** A plan without its estimates and values: the same shape at any depth means the same work per page. */
const shape = (p: string): string => p.replace(/\(cost=[^)]*\)/g, '').replace(/'[^']*'/g, "'…'");

/**
 * The last SQL a repo runs: built queries as a plugin sees them, prepared ones (store/prepared.ts)
 * at executeQuery, which they go through as this stand-in is not the SQLite handle's Kysely.
 */
function spyDb(): { db: Kysely<any>; last: () => Captured } {
  let captured: Captured | undefined;
  const real = (store.db as unknown as Kysely<any>).withPlugin({
    transformQuery: (args) => {
      captured = store.db.getExecutor().compileQuery(args.node, args.queryId);
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const db = new Proxy(real, {
    get(target, prop) {
      if (prop === 'executeQuery') {
        return (q: Captured) => {
          captured = q;
          return target.executeQuery(q as never);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { db, last: () => captured! };
}

const dbName = pgUrl ? 'PostgreSQL' : 'SQLite';

// DescribeCustomModelSets in each order it offers (sortBy), each way, unfiltered: a range of the
// (account_id, sort key, id) index from the marker row; by name, of the unique (account_id, name).
const SET_ORDERS = [
  { sortBy: 'created_at', sqlite: /model_sets_account_created \(account_id=\? AND \(created_at,id\)[<>]=?\(\?,\?\)\)/, pg: /model_sets_account_created/, cond: /ROW\(\(?created_at\)?(::text)?, \(?id\)?(::text)?\) [<>]= ROW/ },
  { sortBy: 'modified_at', sqlite: /model_sets_account_modified \(account_id=\? AND \(modified_at,id\)[<>]=?\(\?,\?\)\)/, pg: /model_sets_account_modified/, cond: /ROW\(\(?modified_at\)?(::text)?, \(?id\)?(::text)?\) [<>]= ROW/ },
  { sortBy: 'name', sqlite: /sqlite_autoindex_model_sets_\d \(account_id=\? AND name[<>]=?\?\)/, pg: /model_sets_account_name /, cond: /account_id.*AND \(\(?name\)?(::text)? [<>]= / },
] as const;

for (const { sortBy, sqlite, pg, cond } of SET_ORDERS) {
  for (const reverse of [false, true]) {
    test(`${dbName}: a page of model sets by ${sortBy} from a marker${reverse ? ' (pageReverse)' : ''} is one range scan of the (account_id, ${sortBy}…) index, no sort`, async () => {
      const marker = await store.db.selectFrom('model_sets').selectAll().where('id', '=', 'am-p00000010801').executeTakeFirstOrThrow();
      const spy = spyDb();
      const rows = await new ModelsRepo(spy.db).listSets({ accountId: 'acct-a', sortBy, marker, limit: 11, reverse, filter: {} });
      assert.equal(rows.length, 11);
      assert.equal(rows[0]!.id, marker.id);
      const p = await plan(spy.last());
      // The cost stays flat with depth: a marker at the start is read by the same plan.
      const first = await store.db.selectFrom('model_sets').selectAll().where('id', '=', 'am-p00000000001').executeTakeFirstOrThrow();
      await new ModelsRepo(spy.db).listSets({ accountId: 'acct-a', sortBy, marker: first, limit: 11, reverse, filter: {} });
      assert.equal(shape(await plan(spy.last())), shape(p));
      if (store.dialect === 'sqlite') {
        assert.match(p, new RegExp(`SEARCH model_sets USING INDEX ${sqlite.source}`), p);
        assert.doesNotMatch(p, /TEMP B-TREE/, p);
      } else {
        assert.match(p, new RegExp(`Index Scan( Backward)? using ${pg.source}`), p);
        assert.match(p, new RegExp(`Index Cond: .*${cond.source}`), p);
        assert.doesNotMatch(p, /Sort|Seq Scan/, p);
      }
    });
  }
}

test(`${dbName}: a filtered page of model sets (modelType, nameContains) still seeks from the marker in the order's index`, async () => {
  const marker = await store.db.selectFrom('model_sets').selectAll().where('id', '=', 'am-p00000010801').executeTakeFirstOrThrow();
  for (const filter of [{ modelType: 'Text2Text' }, { nameContains: 's1' }]) {
    const spy = spyDb();
    await new ModelsRepo(spy.db).listSets({ accountId: 'acct-a', sortBy: 'created_at', marker, limit: 11, reverse: false, filter });
    const p = await plan(spy.last());
    if (store.dialect === 'sqlite') {
      assert.match(p, /SEARCH model_sets USING INDEX model_sets_account_created \(account_id=\? AND \(created_at,id\)>=?\(\?,\?\)\)/, p);
      assert.doesNotMatch(p, /TEMP B-TREE/, p);
    } else {
      assert.match(p, /Index Scan using model_sets_account_created/, p);
      assert.match(p, /Index Cond: .*ROW\(\(?created_at\)?(::text)?, \(?id\)?(::text)?\) >= ROW/, p);
      assert.doesNotMatch(p, /Sort|Seq Scan/, p);
    }
  }
});

// A label filter pages through the label's own rows (migration 0016): a range of the
// (account_id, label, sort key…) index from the marker, then each set by its primary key; its
// totalCount is the (account, label) counter row the same migration keeps. The LIKE
// over the labels' JSON it replaced read the account's sets (PostgreSQL: all of them, by bitmap,
// then a sort), so its cost grew with the account, not with the page.
/**
 * A join's plan as its shape: PostgreSQL may put a cache (Memoize) in front of the sets' primary-key
 * reads and read the label's index alone or with the table (as the visibility map allows), by its
 * estimates; neither changes the work per page.
 */
const joinShape = (p: string): string =>
  shape(p)
    .split('\n')
    .filter((l) => !/Memoize|Cache (Key|Mode)/.test(l))
    .map((l) => l.trim().replace('Index Only Scan', 'Index Scan'))
    .join('\n');

const LABEL_ORDERS = [
  { sortBy: 'created_at', sqlite: /model_set_labels_created \(account_id=\? AND label=\? AND \(created_at,model_set_id\)[<>]=?\(\?,\?\)\)/, pg: 'model_set_labels_created', cond: /label.*ROW\(\(?(l\.)?created_at\)?(::text)?, \(?(l\.)?model_set_id\)?(::text)?\) [<>]= ROW/ },
  { sortBy: 'modified_at', sqlite: /model_set_labels_modified \(account_id=\? AND label=\? AND \(modified_at,model_set_id\)[<>]=?\(\?,\?\)\)/, pg: 'model_set_labels_modified', cond: /label.*ROW\(\(?(l\.)?modified_at\)?(::text)?, \(?(l\.)?model_set_id\)?(::text)?\) [<>]= ROW/ },
  { sortBy: 'name', sqlite: /model_set_labels_name \(account_id=\? AND label=\? AND name[<>]=?\?\)/, pg: 'model_set_labels_name', cond: /label.*\(?(l\.)?name\)?(::text)? [<>]= / },
] as const;

for (const { sortBy, sqlite, pg, cond } of LABEL_ORDERS) {
  for (const reverse of [false, true]) {
    test(`${dbName}: a page of model sets with a label, by ${sortBy}${reverse ? ' (pageReverse)' : ''}, is one range scan of the label's (account_id, label, ${sortBy}…) index, no sort, at any depth`, async () => {
      const all = await store.db.selectFrom('model_sets').selectAll().where('account_id', '=', 'acct-a').orderBy(sortBy).orderBy('id').execute();
      const gpu = all.filter((r) => (JSON.parse(r.labels) as string[]).includes('gpu'));
      const spy = spyDb();
      const shapes: string[] = [];
      for (const at of [1, 1234, gpu.length - 2]) {
        const marker = gpu[at]!;
        const rows = await new ModelsRepo(spy.db).listSets({ accountId: 'acct-a', sortBy, marker, limit: 11, reverse, filter: { label: 'gpu' } });
        const expected = reverse ? gpu.slice(Math.max(0, at - 10), at + 1).reverse() : gpu.slice(at, at + 11);
        assert.deepEqual(rows.map((r) => r.id), expected.map((r) => r.id));
        const p = await plan(spy.last());
        shapes.push(joinShape(p));
        if (store.dialect === 'sqlite') {
          assert.match(p, new RegExp(`SEARCH l USING (COVERING )?INDEX ${sqlite.source}`), p);
          assert.match(p, /SEARCH model_sets USING INDEX sqlite_autoindex_model_sets_1 \(id=\?\)/, p);
          assert.doesNotMatch(p, /TEMP B-TREE|SCAN/, p);
        } else {
          assert.match(p, new RegExp(`Index (Only )?Scan( Backward)? using ${pg} on model_set_labels l`), p);
          assert.match(p, new RegExp(`Index Cond: .*${cond.source}`), p);
          assert.match(p, /Index Scan using model_sets_pkey on model_sets/, p);
          assert.doesNotMatch(p, /Sort|Seq Scan|Bitmap/, p);
        }
      }
      // The same plan at the start, in the middle and at the end of the label's sets.
      assert.equal(new Set(shapes).size, 1, shapes.join('\n---\n'));
    });
  }
}

test(`${dbName}: a label combined with other filters still leads with the label's index; a label's totalCount is its counter row`, async () => {
  const marker = await store.db.selectFrom('model_sets').selectAll().where('id', '=', 'am-p00000010801').executeTakeFirstOrThrow();
  for (const filter of [{ label: 'gpu', nameContains: '1' }, { label: 'gpu', modelType: 'Text2Text' }]) {
    const spy = spyDb();
    await new ModelsRepo(spy.db).listSets({ accountId: 'acct-a', sortBy: 'created_at', marker, limit: 11, reverse: false, filter });
    const p = await plan(spy.last());
    if (store.dialect === 'sqlite') assert.match(p, /SEARCH l USING (COVERING )?INDEX model_set_labels_created \(account_id=\? AND label=\? AND \(created_at,model_set_id\)>=?\(\?,\?\)\)/, p);
    else assert.match(p, /Index (Only )?Scan using model_set_labels_created on model_set_labels l/, p);
    assert.doesNotMatch(p, store.dialect === 'sqlite' ? /TEMP B-TREE/ : /Sort|Seq Scan/, p);
  }
  const spy = spyDb();
  assert.equal(await new ModelsRepo(spy.db).countSetsMatching('acct-a', { label: 'gpu' }), SETS / 4);
  assert.equal(await new ModelsRepo(spy.db).countSetsMatching('acct-b', { label: 'gpu' }), SETS / 4);
  assert.equal(await new ModelsRepo(spy.db).countSetsMatching('acct-a', { label: 'cpu' }), SETS / 4);
  assert.equal(await new ModelsRepo(spy.db).countSetsMatching('acct-a', { label: 'none' }), 0);
  const p = await plan(spy.last());
  assert.doesNotMatch(p, /model_sets?\b(?!_)|model_set_labels\b/, p);
  if (store.dialect === 'sqlite') assert.match(p, /SEARCH model_set_label_counts USING (INDEX sqlite_autoindex_model_set_label_counts_1|PRIMARY KEY) \(account_id=\? AND label=\?\)/, p);
  else assert.match(p, /Scan.* on model_set_label_counts|Scan using model_set_label_counts_pk/, p);
  // With another filter too, the label's sets are counted per page, through its rows (PostgreSQL
  // may hash-join them when, as here, the account is half the table).
  const both = { label: 'gpu', nameContains: 's1' };
  const all = await new ModelsRepo(store.db).listSets({ accountId: 'acct-a', sortBy: 'name', limit: SETS, reverse: false, filter: both });
  assert.equal(await new ModelsRepo(spy.db).countSetsMatching('acct-a', both), all.length);
  assert.match(await plan(spy.last()), /model_set_labels/);
});

// The unfiltered listing's totalCount is the account's counter row (migration 0015): a primary-key
// read that never touches model_sets, so a page costs the same with 10 sets or 10 million.
test(`${dbName}: the unfiltered listing's totalCount reads the account's counter row, not its sets`, async () => {
  const spy = spyDb();
  assert.equal(await new ModelsRepo(spy.db).countSetsMatching('acct-a', {}), SETS / 2);
  const p = await plan(spy.last());
  assert.doesNotMatch(p, /model_sets\b(?!_)/, p);
  if (store.dialect === 'sqlite') assert.match(p, /SEARCH model_set_counts USING (INDEX sqlite_autoindex_model_set_counts_1|PRIMARY KEY) \(account_id=\?\)/, p);
  else assert.match(p, /Scan.* on model_set_counts|Scan using model_set_counts_pkey/, p);
  // What it replaced, and what a filtered listing still does: a scan of the account's sets.
  await new ModelsRepo(spy.db).countSetsMatching('acct-a', { modelType: 'Text2Text' });
  assert.match(await plan(spy.last()), /model_sets/);
});

test(`${dbName}: a page of model sets holds the next rows in (sort key, id) order, ties included, each way`, async () => {
  const repo = new ModelsRepo(store.db);
  for (const { sortBy } of SET_ORDERS) {
    const all = await store.db.selectFrom('model_sets').selectAll().where('account_id', '=', 'acct-a').orderBy(sortBy).orderBy('id').execute();
    const at = 1234;
    const marker = all[at]!;
    const forward = await repo.listSets({ accountId: 'acct-a', sortBy, marker, limit: 7, reverse: false, filter: {} });
    assert.deepEqual(forward.map((r) => r.id), all.slice(at, at + 7).map((r) => r.id), sortBy);
    const backward = await repo.listSets({ accountId: 'acct-a', sortBy, marker, limit: 7, reverse: true, filter: {} });
    assert.deepEqual(backward.map((r) => r.id), all.slice(at - 6, at + 1).reverse().map((r) => r.id), sortBy);
  }
});

for (const reverse of [false, true]) {
  test(`${dbName}: a page of a set's versions (DescribeCustomModels) by marker${reverse ? ' (pageReverse)' : ''} is one range scan of (model_set_id, version_no), no sort`, async () => {
    const spy = spyDb();
    const rows = await new ModelsRepo(spy.db).pageVersionsOfSet('am-p00000000201', { marker: { version_no: 25 }, limit: 11, reverse });
    assert.deepEqual(rows.map((r) => r.version_no), reverse ? [25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15] : [25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
    const p = await plan(spy.last());
    if (store.dialect === 'sqlite') {
      assert.match(p, /SEARCH model_versions USING INDEX sqlite_autoindex_model_versions_\d \(model_set_id=\? AND version_no[<>]=?\?\)/, p);
      assert.doesNotMatch(p, /TEMP B-TREE/, p);
    } else {
      assert.match(p, /Index Scan( Backward)? using model_versions_set_no/, p);
      assert.match(p, /Index Cond: .*model_set_id.*version_no [<>]=/s, p);
      assert.doesNotMatch(p, /Sort|Seq Scan/, p);
    }
  });

  test(`${dbName}: a page of fine-tuning jobs by marker${reverse ? ' (pageReverse)' : ''} is one range scan of (account_id, created_at, id), no sort`, async () => {
    const spy = spyDb();
    const rows = await new TrainingRepo(spy.db).pageJobs({ accountId: 'acct-a', marker: { created_at: '2024-01-01T00:05:00.000Z', id: 'job-p00000000901' }, limit: 11, reverse });
    assert.equal(rows.length, 11);
    const p = await plan(spy.last());
    if (store.dialect === 'sqlite') {
      assert.match(p, /SEARCH finetuning_jobs USING INDEX finetuning_jobs_account_created \(account_id=\? AND \(created_at,id\)[<>]=?\(\?,\?\)\)/, p);
      assert.doesNotMatch(p, /TEMP B-TREE/, p);
    } else {
      assert.match(p, /Index Scan( Backward)? using finetuning_jobs_account_created/, p);
      assert.match(p, /Index Cond: .*ROW\(\(?created_at\)?(::text)?, \(?id\)?(::text)?\) [<>]= ROW/, p);
      assert.doesNotMatch(p, /Sort|Seq Scan/, p);
    }
  });

  test(`${dbName}: a page of fine-tuning tasks by marker${reverse ? ' (pageReverse)' : ''}, of the account or of one job, is one range scan, no sort`, async () => {
    for (const jobId of [undefined, 'job-p00000000901']) {
      const spy = spyDb();
      // Job 901's tasks are 4505…4509; the marker is its third.
      const markerId = jobId ? 'task-p00000004507' : 'task-p00000004501';
      const { created_at } = await store.db.selectFrom('finetuning_tasks').select('created_at').where('id', '=', markerId).executeTakeFirstOrThrow();
      const rows = await new TrainingRepo(spy.db).pageTasks({ accountId: 'acct-a', jobId, marker: { created_at, id: markerId }, limit: 3, reverse });
      assert.ok(rows.length >= 1, `rows for ${jobId ?? 'the account'}`);
      const p = await plan(spy.last());
      const index = jobId ? 'finetuning_tasks_job' : 'finetuning_tasks_account_created';
      const lead = jobId ? 'job_id' : 'account_id';
      if (store.dialect === 'sqlite') {
        assert.match(p, new RegExp(`SEARCH t USING INDEX ${index} \\(${lead}=\\? AND \\(created_at,id\\)[<>]=?\\(\\?,\\?\\)\\)`), p);
        assert.match(p, /SEARCH j USING INDEX sqlite_autoindex_finetuning_jobs_1 \(id=\?\)/, p);
        assert.doesNotMatch(p, /TEMP B-TREE/, p);
      } else {
        assert.match(p, new RegExp(`Index Scan( Backward)? using ${index}`), p);
        assert.match(p, new RegExp(`Index Cond: .*${lead}.*ROW\\(\\(?(t\\.)?created_at\\)?(::text)?, \\(?(t\\.)?id\\)?(::text)?\\) [<>]= ROW`), p);
        assert.doesNotMatch(p, /Sort|Seq Scan on finetuning_tasks/, p);
      }
    }
  });
}

test(`${dbName}: pages of versions and of jobs are the next rows in their order, ties included`, async () => {
  const models = new ModelsRepo(store.db);
  const all = await models.pageVersionsOfSet('am-p00000000201', { limit: 100, reverse: false });
  assert.equal(all.length, 50);
  assert.deepEqual((await models.pageVersionsOfSet('am-p00000000201', { marker: { version_no: 48 }, limit: 10, reverse: false })).map((r) => r.name), ['V48', 'V49', 'V50']);
  const training = new TrainingRepo(store.db);
  const jobs = await store.db.selectFrom('finetuning_jobs').select(['id', 'created_at']).where('account_id', '=', 'acct-a').orderBy('created_at').orderBy('id').execute();
  const at = 333;
  const marker = jobs[at]!;
  assert.deepEqual((await training.pageJobs({ accountId: 'acct-a', marker, limit: 5, reverse: false })).map((r) => r.id), jobs.slice(at, at + 5).map((r) => r.id));
  assert.deepEqual((await training.pageJobs({ accountId: 'acct-a', marker, limit: 5, reverse: true })).map((r) => r.id), jobs.slice(at - 4, at + 1).reverse().map((r) => r.id));
});

for (const alias of [undefined, 'prod']) {
  test(`${dbName}: the alias history (DescribeModelSetAliasHistory${alias ? ', one alias' : ''}) reads the newest moves by a backward scan of (model_set_id, at, id), no sort`, async () => {
    const spy = spyDb();
    const rows = await new HubRepo(spy.db).events('am-p00000000201', { alias, limit: 5, reverse: true });
    const all = await store.db.selectFrom('model_set_alias_events').select(['id', 'at', 'alias']).where('model_set_id', '=', 'am-p00000000201').orderBy('at', 'desc').orderBy('id', 'desc').execute();
    assert.deepEqual(rows.map((r) => r.id), all.filter((e) => !alias || e.alias === alias).slice(0, 5).map((e) => e.id));
    const p = await plan(spy.last());
    if (store.dialect === 'sqlite') {
      assert.match(p, /SEARCH model_set_alias_events USING INDEX model_set_alias_events_set \(model_set_id=\?\)/, p);
      assert.doesNotMatch(p, /TEMP B-TREE/, p);
    } else {
      assert.match(p, /Index Scan Backward using model_set_alias_events_set/, p);
      assert.doesNotMatch(p, /Sort|Seq Scan/, p);
    }
  });
}

test(`${dbName}: an account's read tokens (DescribeReadTokens) are read by the (account_id, created_at, id) index`, async () => {
  const spy = spyDb();
  const rows = await new HubRepo(spy.db).listTokens('acct-a');
  assert.deepEqual(rows.map((r) => r.id), Array.from({ length: 100 }, (_, i) => `rt-p${String(20 * i).padStart(11, '0')}`));
  const p = await plan(spy.last());
  if (store.dialect === 'sqlite') {
    assert.match(p, /SEARCH t USING INDEX read_tokens_account_created \(account_id=\?\)/, p);
    assert.doesNotMatch(p, /TEMP B-TREE/, p);
  } else {
    // PostgreSQL may sort the account's rows it found by the index (a bitmap scan): the list is
    // unpaged, so that sort is of one account's tokens, never of the table.
    assert.match(p, /Index Scan (using|on) read_tokens_account_created/, p);
    assert.match(p, /Index Cond: .*account_id/, p);
    assert.doesNotMatch(p, /Seq Scan on read_tokens/, p);
  }
});

// A Hub revision given as a commit (migration 0017): the version is found by one seek of
// (model_set_id, commit_id, version_no), newest first with no sort, and so is a miss; so are the
// versions still without a commit that the resolver fills at a miss. Before, every Ready version
// of the set was read with its manifest. Last in this file: it gives the versions their commits.
test(`${dbName}: a Hub commit (and a commit the set lacks) is one seek of the (model_set_id, commit_id) index`, async () => {
  const db = store.db as unknown as Kysely<any>;
  await db.updateTable('model_versions').set({ commit_id: sql`'c' || id` }).where('model_set_id', '!=', 'am-p00000000003').execute();
  await sql`analyze`.execute(db);
  const spy = spyDb();
  const repo = new HubRepo(spy.db);
  assert.equal((await repo.readyVersionByCommit('am-p00000000001', 'camv-p00000000007'))?.id, 'amv-p00000000007');
  const hit = await plan(spy.last());
  assert.equal(await repo.readyVersionByCommit('am-p00000000001', 'f'.repeat(40)), undefined);
  const miss = await plan(spy.last());
  assert.equal(shape(miss), shape(hit));
  assert.equal((await repo.readyVersionsWithoutCommit('am-p00000000003')).length, 50);
  assert.deepEqual(await repo.readyVersionsWithoutCommit('am-p00000000001'), []);
  const unfilled = await plan(spy.last());
  for (const p of [hit, unfilled]) {
    if (store.dialect === 'sqlite') {
      assert.match(p, /SEARCH model_versions USING INDEX model_versions_set_commit \(model_set_id=\? AND commit_id[= ]/, p);
      assert.doesNotMatch(p, /TEMP B-TREE/, p);
    } else {
      assert.match(p, /Index Scan( Backward)? using model_versions_set_commit/, p);
      assert.match(p, /Index Cond: .*model_set_id.*commit_id/, p);
      // PostgreSQL orders the rows an IS NULL condition found with a sort (it does not take IS NULL
      // as an equality for the index's order): of the set's versions still without a commit, read
      // only on the way to filling them. The lookup by commit itself is not sorted.
      assert.doesNotMatch(p, p === hit ? /Sort|Seq Scan/ : /Seq Scan/, p);
    }
  }
});
