// The listing of model sets pages by marker in one index range scan on both databases, so a
// page deep in a long listing costs what the first page costs (bench/scale.ts measures it at 1M
// versions; this test pins the plan that makes it so). Also: DescribeModel's lookup is by key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { openDatabase, type OpenedStore } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { ModelsRepo } from '../../src/store/repos/models-repo.js';
import { tempDir } from '../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../helpers/pg.js';

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

/** The SQL the repo's pageSets runs, captured by a plugin that compiles each query it sees. */
async function pageQuerySql(reverse: boolean): Promise<{ sql: string; parameters: readonly unknown[] }> {
  let captured: { sql: string; parameters: readonly unknown[] } | undefined;
  const spy = store.db.withPlugin({
    transformQuery: (args) => {
      captured = store.db.getExecutor().compileQuery(args.node, args.queryId);
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const repo = new ModelsRepo(spy);
  const rows = await repo.pageSets({ accountId: 'acct-a', marker: { createdAt: '2024-01-01T01:00:00.000Z', id: 'am-p00000010801' }, limit: 11, reverse });
  assert.equal(rows.length, 11);
  return captured!;
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
