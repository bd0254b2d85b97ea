// Every listing pages by marker in one index range scan on both databases, so a page deep in a
// long listing costs what the first page costs (bench/scale.ts measures it at 1M versions; this
// test pins the plans that make it so): model sets, a set's versions (DescribeCustomModels),
// fine-tuning jobs, tasks, and one job's tasks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { openDatabase, type OpenedStore } from '../../../src/store/database.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { ModelsRepo } from '../../../src/store/repos/models-repo.js';
import { TrainingRepo } from '../../../src/store/repos/training-repo.js';
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
    labels: '[]',
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

/** The SQL the repo's pageSets runs. */
async function pageQuerySql(reverse: boolean): Promise<Captured> {
  const spy = spyDb();
  const repo = new ModelsRepo(spy.db);
  const rows = await repo.pageSets({ accountId: 'acct-a', marker: { createdAt: '2024-01-01T01:00:00.000Z', id: 'am-p00000010801' }, limit: 11, reverse });
  assert.equal(rows.length, 11);
  return spy.last();
}

for (const reverse of [false, true]) {
  test(`${pgUrl ? 'PostgreSQL' : 'SQLite'}: a page by marker${reverse ? ' (pageReverse)' : ''} is one range scan of (account_id, created_at, id), no sort`, async () => {
    const q = await pageQuerySql(reverse);
    const p = await plan(q);
    if (store.dialect === 'sqlite') {
      assert.match(p, /SEARCH model_sets USING INDEX model_sets_account_created \(account_id=\? AND \(created_at,id\)[<>]=?\(\?,\?\)\)/, p);
      assert.doesNotMatch(p, /TEMP B-TREE/, p);
    } else {
      assert.match(p, /Index Scan( Backward)? using model_sets_account_created/, p);
      assert.match(p, /Index Cond: .*ROW\(\(?created_at\)?(::text)?, \(?id\)?(::text)?\) [<>]= ROW/, p);
      assert.doesNotMatch(p, /Sort|Seq Scan/, p);
    }
  });
}

test(`${pgUrl ? 'PostgreSQL' : 'SQLite'}: the page's rows are the next ones in (created_at, id) order, ties included`, async () => {
  const repo = new ModelsRepo(store.db);
  const all = await store.db.selectFrom('model_sets').select(['id', 'created_at']).where('account_id', '=', 'acct-a').orderBy('created_at').orderBy('id').execute();
  const at = 1234;
  const marker = { createdAt: all[at]!.created_at, id: all[at]!.id };
  const forward = await repo.pageSets({ accountId: 'acct-a', marker, limit: 7, reverse: false });
  assert.deepEqual(forward.map((r) => r.id), all.slice(at, at + 7).map((r) => r.id));
  const backward = await repo.pageSets({ accountId: 'acct-a', marker, limit: 7, reverse: true });
  assert.deepEqual(backward.map((r) => r.id), all.slice(at - 6, at + 1).reverse().map((r) => r.id));
});

const dbName = pgUrl ? 'PostgreSQL' : 'SQLite';

for (const reverse of [false, true]) {
  test(`${dbName}: a page of a set's versions (DescribeCustomModels) by marker${reverse ? ' (pageReverse)' : ''} is one range scan of (model_set_id, version_no), no sort`, async () => {
    const spy = spyDb();
    const rows = await new ModelsRepo(spy.db).pageVersionsOfSet('am-p00000000201', { fromVersionNo: 25, limit: 11, reverse });
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
    const rows = await new TrainingRepo(spy.db).pageJobs({ accountId: 'acct-a', marker: { createdAt: '2024-01-01T00:05:00.000Z', id: 'job-p00000000901' }, limit: 11, reverse });
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
      const marker = { createdAt: created_at, id: markerId };
      const rows = await new TrainingRepo(spy.db).pageTasks({ accountId: 'acct-a', jobId, marker, limit: 3, reverse });
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
  assert.deepEqual((await models.pageVersionsOfSet('am-p00000000201', { fromVersionNo: 48, limit: 10, reverse: false })).map((r) => r.name), ['V48', 'V49', 'V50']);
  const training = new TrainingRepo(store.db);
  const jobs = await store.db.selectFrom('finetuning_jobs').select(['id', 'created_at']).where('account_id', '=', 'acct-a').orderBy('created_at').orderBy('id').execute();
  const at = 333;
  const marker = { createdAt: jobs[at]!.created_at, id: jobs[at]!.id };
  assert.deepEqual((await training.pageJobs({ accountId: 'acct-a', marker, limit: 5, reverse: false })).map((r) => r.id), jobs.slice(at, at + 5).map((r) => r.id));
  assert.deepEqual((await training.pageJobs({ accountId: 'acct-a', marker, limit: 5, reverse: true })).map((r) => r.id), jobs.slice(at - 4, at + 1).reverse().map((r) => r.id));
});
