// DescribeCustomModelSets with a label filter (migration 0016): what a page costs (the page's read
// and its totalCount, as the service runs them) as the account grows, against the LIKE over the
// sets' labels it replaced, measured in the same run on the same database. In process, through the
// repo (no HTTP): the figures are the store's part of a request.
//
//   node --import tsx bench/set-label-filter.ts
// Environment (all optional):
//   BENCH_DATABASES=sqlite,postgres   which databases (postgres needs BENCH_PG_URL or MODELREG_TEST_DATABASE)
//   BENCH_SIZES=20000,200000          sets in the listed account (another account holds as many)
//   BENCH_SAMPLES=200                 pages per figure (median reported)
//
// Labels: `common` on half of each account's sets; `rare` on 50 sets of each account whatever its
// size. Pages of 10 (11 rows read, the service's look-ahead), by creation, from the start and from a
// marker in the middle of the label's sets.
// What the triggers cost the writes: a set created (the repo's insert, as CreateCustomModelSet with
// quotas off) without and with 3 labels, and its modification time moved (a new version, a
// description), on a database migrated to 0015 (before) and to the latest (after).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import { openDatabase, type OpenedStore } from '../src/store/database.js';
import { migrateToLatest, migrations } from '../src/store/migrate.js';
import { ModelsRepo, type ModelSetRow } from '../src/store/repos/models-repo.js';
import { createRandomDatabase, dropTestDatabase } from '../test/helpers/pg.js';

const SIZES = (process.env.BENCH_SIZES ?? '20000,200000').split(',').map(Number);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const pgCluster = process.env.BENCH_PG_URL || process.env.MODELREG_TEST_DATABASE;
const DATABASES = (process.env.BENCH_DATABASES ?? (pgCluster ? 'sqlite,postgres' : 'sqlite')).split(',');
const RARE = 50;

const labelsOf = (i: number, n: number): string => {
  const l = [];
  if (i % 2 === 0) l.push('common');
  if (i % Math.floor(n / RARE) === 1) l.push('rare');
  return JSON.stringify(l);
};

async function fill(store: OpenedStore, n: number): Promise<void> {
  const db = store.db as unknown as Kysely<any>;
  await sql`insert into accounts (id, name, created_at) values ('a', 'a', '2024-01-01T00:00:00.000Z'), ('b', 'b', '2024-01-01T00:00:00.000Z')`.execute(db);
  const rows = [];
  for (let i = 0; i < 2 * n; i++) {
    rows.push({
      id: `am-b${String(i).padStart(11, '0')}`,
      account_id: i % 2 ? 'a' : 'b',
      name: `s${i}`,
      model_type: 'Text2Text',
      labels: labelsOf(Math.floor(i / 2), n),
      source: 'UserCreate',
      next_version: 1,
      created_at: new Date(Date.UTC(2024, 0, 1) + i * 10).toISOString(),
      modified_at: new Date(Date.UTC(2024, 0, 1) + i * 10).toISOString(),
    });
    if (rows.length === 1000) await db.insertInto('model_sets').values(rows.splice(0)).execute();
  }
  if (rows.length) await db.insertInto('model_sets').values(rows).execute();
  await sql`analyze`.execute(db);
}

/** What the filter was before migration 0016: a LIKE over the labels' JSON text. */
async function oldPage(store: OpenedStore, label: string, marker?: ModelSetRow): Promise<void> {
  const like = `%${JSON.stringify(label)}%`;
  let q = store.db.selectFrom('model_sets').selectAll().where('account_id', '=', 'a').where(sql<boolean>`labels like ${like} escape '!'`);
  if (marker) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>=', eb.tuple(marker.created_at, marker.id)));
  await q.orderBy('created_at').orderBy('id').limit(11).execute();
  await store.db.selectFrom('model_sets').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', 'a').where(sql<boolean>`labels like ${like} escape '!'`).executeTakeFirstOrThrow();
}

async function newPage(repo: ModelsRepo, label: string, marker?: ModelSetRow): Promise<void> {
  await repo.listSets({ accountId: 'a', sortBy: 'created_at', marker, limit: 11, reverse: false, filter: { label } });
  await repo.countSetsMatching('a', { label });
}

async function median(fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 10; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
}

type Row = { db: string; size: number; label: string; depth: string; old: number; new: number };

async function measure(dbKind: string, size: number): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-labels-bench-'));
  const url = dbKind === 'postgres' ? await createRandomDatabase(pgCluster!, 'modelreg_test_bench_') : path.join(dir, 'bench.sqlite');
  const store = await openDatabase(url);
  try {
    await migrateToLatest(store.db);
    await fill(store, size);
    const repo = new ModelsRepo(store.db);
    const out: Row[] = [];
    for (const label of ['rare', 'common']) {
      const all = await repo.listSets({ accountId: 'a', sortBy: 'created_at', limit: size, reverse: false, filter: { label } });
      for (const [depth, marker] of [['first', undefined], ['middle', all[Math.floor(all.length / 2)]]] as const) {
        out.push({ db: dbKind, size, label, depth, old: await median(() => oldPage(store, label, marker)), new: await median(() => newPage(repo, label, marker)) });
      }
    }
    return out;
  } finally {
    await store.db.destroy();
    if (dbKind === 'postgres') await dropTestDatabase(pgCluster!, url);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type WriteRow = { db: string; what: string; before: number; after: number };

async function measureWrites(dbKind: string): Promise<WriteRow[]> {
  const costs: Record<string, number>[] = [];
  for (const upTo of ['0015_model_set_counts', undefined]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-labels-bench-'));
    const url = dbKind === 'postgres' ? await createRandomDatabase(pgCluster!, 'modelreg_test_bench_') : path.join(dir, 'bench.sqlite');
    const store = await openDatabase(url);
    try {
      if (upTo) {
        const { error } = await new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } }).migrateTo(upTo);
        if (error) throw error;
      } else await migrateToLatest(store.db);
      await sql`insert into accounts (id, name, created_at) values ('a', 'a', '2024-01-01T00:00:00.000Z')`.execute(store.db);
      const repo = new ModelsRepo(store.db);
      let i = 0;
      const create = (labels: string) => async () => {
        const at = new Date(Date.UTC(2024, 0, 1) + i).toISOString();
        await repo.insertSet({ id: `am-w${String(i).padStart(11, '0')}`, account_id: 'a', name: `w${i++}`, model_type: 'Text2Text', labels, source: 'UserCreate', next_version: 1, description: null, created_at: at, modified_at: at });
      };
      const out: Record<string, number> = {};
      out['create, no labels'] = await median(create('[]'));
      out['create, 3 labels'] = await median(create('["chat","prod","team-a"]'));
      const labelled = `am-w${String(i - 1).padStart(11, '0')}`;
      let t = 0;
      out['modification time of a set with 3 labels'] = await median(() => repo.touchSet(labelled, new Date(Date.UTC(2025, 0, 1) + t++).toISOString(), store.db).then(() => undefined));
      costs.push(out);
    } finally {
      await store.db.destroy();
      if (dbKind === 'postgres') await dropTestDatabase(pgCluster!, url);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return Object.keys(costs[0]!).map((what) => ({ db: dbKind, what, before: costs[0]![what]!, after: costs[1]![what]! }));
}

const rows: Row[] = [];
for (const db of DATABASES) for (const size of SIZES) rows.push(...(await measure(db, size)));
console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; median ms per page (read + totalCount) of ${SAMPLES}`);
console.log('| database | sets in the account | label (its sets) | page | LIKE (before) ms | model_set_labels ms | before / after |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const n = r.label === 'rare' ? RARE : r.size / 2;
  console.log(`| ${r.db} | ${r.size} | ${r.label} (${n}) | ${r.depth} | ${r.old.toFixed(3)} | ${r.new.toFixed(3)} | ${(r.old / r.new).toFixed(1)} |`);
}
// Growth with the account: the largest size against the smallest, same database, label and page.
console.log('\n| database | label | page | LIKE: large / small account | model_set_labels: large / small account |');
console.log('| --- | --- | --- | --- | --- |');
for (const db of DATABASES) {
  for (const r of rows.filter((x) => x.db === db && x.size === SIZES[0])) {
    const big = rows.find((x) => x.db === db && x.size === SIZES[SIZES.length - 1] && x.label === r.label && x.depth === r.depth)!;
    console.log(`| ${db} | ${r.label} | ${r.depth} | ${(big.old / r.old).toFixed(1)} | ${(big.new / r.new).toFixed(1)} |`);
  }
}

const writes: WriteRow[] = [];
for (const db of DATABASES) writes.push(...(await measureWrites(db)));
console.log('\n| database | write | 0015 (no triggers) ms | 0016 ms | after / before |');
console.log('| --- | --- | --- | --- | --- |');
for (const w of writes) console.log(`| ${w.db} | ${w.what} | ${w.before.toFixed(3)} | ${w.after.toFixed(3)} | ${(w.after / w.before).toFixed(2)} |`);
