// Scale benchmark (issue 4, item 5). Two parts, each figure reported as a ratio against a baseline
// measured in the same run, on the same machine:
//  1. DescribeModel and CreateCustomModel throughput and latency (p50, p99) on SQLite and
//     PostgreSQL, with 1 and 2 `modelreg serve` replicas on one database. Baseline: SQLite, 1 replica.
//  2. Depth: DescribeModel latency for random ids, and DescribeCustomModelSets pages at the start,
//     the middle and the end of the listing (by marker), with 1k and then 1M stored versions
//     (rows bulk-inserted with SQL, not through the API). Baseline: the same database at 1k.
//     Also the idle job-claim poll every replica runs each second, which scans the jobs table.
//
//   npm run bench:scale
//   BENCH_LARGE=200000 BENCH_SECONDS=3 npm run bench:scale        (a quicker run)
// Environment (all optional):
//   BENCH_DATABASES=sqlite,postgres   which databases to measure
//   BENCH_PG_URL=postgres://…         a cluster whose role may CREATE DATABASE (else MODELREG_TEST_DATABASE,
//                                     else a scratch cluster started with scripts/pg-start.sh and removed after)
//   BENCH_SECONDS=5 BENCH_WARMUP=1    per throughput measurement
//   BENCH_CONNECTIONS=16              requests in flight (closed loop), spread over the replicas
//   BENCH_SMALL=1000 BENCH_LARGE=1000000 BENCH_VERSIONS_PER_SET=10 BENCH_SAMPLES=1000
//   BENCH_WRITE_README=0              do not rewrite the Scale section of bench/README.md
//
// Method: replicas are real `modelreg serve` child processes (info logging, discarded), rate limits
// off, import workers off (MODELREG_IMPORT_CONCURRENCY=0) so that CreateCustomModel measures the
// API path (validation, numbering transaction, job enqueue) and not imports. Every request is
// signed (BCE v1) by the load generator; each of the connections sticks to one replica (round robin).
import { writeReadmeBlock } from './lib/readme-section.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { bceTimestamp, signRequest } from '../src/http/auth/bce-v1.js';
import { openDatabase } from '../src/store/database.js';
import { JobsRepo } from '../src/store/repos/jobs-repo.js';
import { writeTinyCausalLM } from '../test/fixtures/model-builder.js';
import { createRandomDatabase, dropTestDatabase } from '../test/helpers/pg.js';
import { clusterSecrets, spawnServer, type ChildServer, type ClusterSecrets } from '../test/integration/scale/cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};
const SECONDS = num('BENCH_SECONDS', 5);
const WARMUP = num('BENCH_WARMUP', 1);
const CONNECTIONS = num('BENCH_CONNECTIONS', 16);
const SMALL = num('BENCH_SMALL', 1000);
const LARGE = num('BENCH_LARGE', 1_000_000);
const PER_SET = num('BENCH_VERSIONS_PER_SET', 10);
const SAMPLES = num('BENCH_SAMPLES', 1000);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as Db[];
type Db = 'sqlite' | 'postgres';

const log = (msg: string) => process.stderr.write(`[bench:scale ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------- load generation

interface Stats {
  rps: number;
  p50: number;
  p99: number;
  n: number;
  errors: number;
  errorKinds: string[];
}

const pct = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

function summarize(ms: number[], errors: Map<string, number>, seconds: number): Stats {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    rps: ms.length / seconds,
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    n: ms.length,
    errors: [...errors.values()].reduce((a, b) => a + b, 0),
    errorKinds: [...errors].map(([k, v]) => `${k}×${v}`),
  };
}

const agents = new Map<string, http.Agent>();

/** One signed POST /v2/model?Action=…; resolves to the HTTP status and the envelope's code. */
function post(url: string, key: ClusterSecrets['key'], action: string, body: unknown): Promise<{ status: number; code?: string; result?: any }> {
  const text = JSON.stringify(body);
  const u = new URL(url);
  const headers: Record<string, string> = {
    host: u.host,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'x-bce-date': bceTimestamp(),
  };
  const query = `Action=${action}`;
  headers.authorization = signRequest({ accessKey: key.accessKey, secretKey: key.secretKey, method: 'POST', path: '/v2/model', rawQuery: query, headers });
  let agent = agents.get(u.host);
  if (!agent) agents.set(u.host, (agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: `/v2/model?${query}`, method: 'POST', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: any = {};
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString());
        } catch {
          // counted by status
        }
        resolve({ status: res.statusCode ?? 0, code: parsed.code, result: parsed.result });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

async function mustPost(url: string, key: ClusterSecrets['key'], action: string, body: unknown): Promise<any> {
  const r = await post(url, key, action, body);
  if (r.status !== 200) throw new Error(`${action} answered ${r.status} ${r.code}`);
  return r.result;
}

/** A closed loop: `connections` workers, each sending its next request when the last one answers. */
async function closedLoop(
  urls: string[],
  key: ClusterSecrets['key'],
  seconds: number,
  connections: number,
  next: () => { action: string; body: unknown },
): Promise<Stats> {
  const ms: number[] = [];
  const errors = new Map<string, number>();
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      const url = urls[w % urls.length]!;
      while (performance.now() < until) {
        const { action, body } = next();
        const t0 = performance.now();
        try {
          const r = await post(url, key, action, body);
          if (r.status === 200) ms.push(performance.now() - t0);
          else errors.set(`${r.status} ${r.code}`, (errors.get(`${r.status} ${r.code}`) ?? 0) + 1);
        } catch (err) {
          const k = (err as NodeJS.ErrnoException).code ?? 'network';
          errors.set(k, (errors.get(k) ?? 0) + 1);
        }
      }
    }),
  );
  return summarize(ms, errors, (performance.now() - start) / 1000);
}

async function measure(urls: string[], key: ClusterSecrets['key'], next: () => { action: string; body: unknown }): Promise<Stats> {
  await closedLoop(urls, key, WARMUP, CONNECTIONS, next);
  return closedLoop(urls, key, SECONDS, CONNECTIONS, next);
}

/** Latency of `samples` requests, 4 in flight (sampling, not loading, the server), after a warm-up. */
async function sample(url: string, key: ClusterSecrets['key'], samples: number, next: () => { action: string; body: unknown }): Promise<Stats> {
  await sampleOnce(url, key, Math.min(200, samples), next);
  return sampleOnce(url, key, samples, next);
}

async function sampleOnce(url: string, key: ClusterSecrets['key'], samples: number, next: () => { action: string; body: unknown }): Promise<Stats> {
  const ms: number[] = [];
  const errors = new Map<string, number>();
  let left = samples;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (left-- > 0) {
        const { action, body } = next();
        const t0 = performance.now();
        const r = await post(url, key, action, body);
        if (r.status === 200) ms.push(performance.now() - t0);
        else errors.set(`${r.status} ${r.code}`, (errors.get(`${r.status} ${r.code}`) ?? 0) + 1);
      }
    }),
  );
  return summarize(ms, errors, (performance.now() - start) / 1000);
}

// ---------------------------------------------------------------- databases and replicas

let pgCluster: string | undefined;
let startedScratch: string | undefined;

function postgresCluster(): string {
  if (pgCluster) return pgCluster;
  pgCluster = process.env.BENCH_PG_URL || process.env.MODELREG_TEST_DATABASE || undefined;
  if (!pgCluster) {
    startedScratch = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-bench-pg-'));
    fs.chmodSync(startedScratch, 0o755);
    pgCluster = execFileSync('bash', [path.join(ROOT, 'scripts/pg-start.sh')], { env: { ...process.env, MODELREG_PG_DIR: path.join(startedScratch, 'pg') }, encoding: 'utf8' }).trim();
    log(`started a scratch PostgreSQL at ${pgCluster}`);
  }
  return pgCluster;
}

async function freshDatabase(db: Db, dir: string): Promise<string> {
  return db === 'postgres' ? createRandomDatabase(postgresCluster(), 'modelreg_test_bench_') : path.join(dir, 'bench.sqlite');
}

async function dropDatabase(db: Db, database: string): Promise<void> {
  if (db === 'postgres') await dropTestDatabase(postgresCluster(), database);
}

async function startReplicas(database: string, n: number, dir: string, secrets: ClusterSecrets, buckets: string): Promise<ChildServer[]> {
  const env = {
    MODELREG_BUCKETS_DIR: buckets,
    MODELREG_IMPORT_CONCURRENCY: '0',
    MODELREG_RATE_LIMIT_PER_SECOND: '0',
    MODELREG_AUTH_FAILURE_LIMIT_PER_SECOND: '0',
  };
  // One after the other: the first runs the migrations, as a deploy's first replica would.
  const out: ChildServer[] = [];
  for (let i = 0; i < n; i++) out.push(await spawnServer({ database, dataDir: path.join(dir, `replica-${i}`), secrets, env, keepOutput: false }));
  return out;
}

const importBody = (modelSetId: string) => ({
  modelSetId,
  sourceType: 'Import',
  importMeta: { bucket: 'models', objectPath: 'tiny', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' },
});

// ---------------------------------------------------------------- part 1: throughput

interface ThroughputRow {
  db: Db;
  replicas: number;
  action: string;
  stats: Stats;
}

async function throughput(work: string, buckets: string): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const db of DATABASES) {
    for (const replicas of [1, 2]) {
      const dir = fs.mkdtempSync(path.join(work, `tp-${db}-${replicas}-`));
      const database = await freshDatabase(db, dir);
      const secrets = clusterSecrets();
      const servers = await startReplicas(database, replicas, dir, secrets, buckets);
      try {
        const urls = servers.map((s) => s.url);
        const sets: string[] = [];
        for (let i = 0; i < 8; i++) sets.push((await mustPost(urls[0]!, secrets.key, 'CreateCustomModelSet', { modelSetName: `bench${i}`, modelType: 'Text2Text' })).modelSetId);
        const ids: string[] = [];
        for (let i = 0; i < 200; i++) ids.push((await mustPost(urls[0]!, secrets.key, 'CreateCustomModel', importBody(sets[i % 8]!))).modelId);
        log(`${db}, ${replicas} replica(s): DescribeModel`);
        const describe = await measure(urls, secrets.key, () => ({ action: 'DescribeModel', body: { modelId: ids[Math.floor(Math.random() * ids.length)] } }));
        rows.push({ db, replicas, action: 'DescribeModel', stats: describe });
        log(`${db}, ${replicas} replica(s): CreateCustomModel`);
        let k = 0;
        const create = await measure(urls, secrets.key, () => ({ action: 'CreateCustomModel', body: importBody(sets[k++ % 8]!) }));
        rows.push({ db, replicas, action: 'CreateCustomModel', stats: create });
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
        await dropDatabase(db, database);
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------- part 2: depth

const BASE_MS = Date.parse('2024-01-01T00:00:00.000Z');
const setId = (s: number) => `am-z${String(s).padStart(11, '0')}`;
const versionId = (i: number) => `amv-z${String(i).padStart(11, '0')}`;
const jobId = (i: number) => `ij-z${String(i).padStart(11, '0')}`;
const at = (i: number) => new Date(BASE_MS + i * 10).toISOString();
const SOURCE_META = JSON.stringify({ bucket: 'models', objectPath: 'tiny', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' });
const DETAILS = JSON.stringify({ modelFormat: 'HuggingFace.Transformers', architecture: 'LlamaForCausalLM', parameterCount: 8_000_000_000, files: [{ path: 'model.safetensors', size: 1, sha256: '0'.repeat(64) }] });

/**
 * Adds versions [from, to) to `accountId`, PER_SET to a set, every version Ready and its import
 * job done, as if they had gone through the API. Sets are whole (from and to multiples of PER_SET).
 */
async function bulkInsert(db: Db, database: string, accountId: string, from: number, to: number): Promise<void> {
  const s0 = from / PER_SET;
  const s1 = to / PER_SET;
  if (db === 'postgres') {
    const store = await openDatabase(database);
    const k = store.db as unknown as Kysely<any>;
    try {
      const ts = (expr: string) => sql.raw(`to_char(timestamp '2024-01-01 00:00:00' + (${expr}) * interval '10 milliseconds', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
      await sql`insert into model_sets (id, account_id, name, model_type, labels, source, next_version, created_at, modified_at)
        select 'am-z' || lpad(s::text, 11, '0'), ${accountId}, 'set' || s, 'Text2Text', '[]', 'UserCreate', ${PER_SET + 1}, ${ts(`s * ${PER_SET}`)}, ${ts(`s * ${PER_SET}`)}
        from generate_series(${s0}::int, ${s1 - 1}::int) s`.execute(k);
      await sql`insert into model_versions (id, account_id, model_set_id, version_no, name, description, source_type, status, failure_reason,
          model_application_type, source_meta, resource_config, advance_conf, details, created_at, modified_at)
        select 'amv-z' || lpad(i::text, 11, '0'), ${accountId}, 'am-z' || lpad((i / ${PER_SET})::text, 11, '0'), i % ${PER_SET} + 1, 'V' || (i % ${PER_SET} + 1),
          null, 'Import', 'Ready', null, 'chat', ${SOURCE_META}, null, null, ${DETAILS}, ${ts('i')}, ${ts('i')}
        from generate_series(${from}::int, ${to - 1}::int) i`.execute(k);
      await sql`insert into jobs (id, kind, subject_id, account_id, status, attempts, payload, lease_owner, lease_expires_at, last_error, created_at, updated_at)
        select 'ij-z' || lpad(i::text, 11, '0'), 'import', 'amv-z' || lpad(i::text, 11, '0'), ${accountId}, 'done', 1, '{}', null, null, null, ${ts('i')}, ${ts('i')}
        from generate_series(${from}::int, ${to - 1}::int) i`.execute(k);
      await sql`analyze`.execute(k);
    } finally {
      await store.db.destroy();
    }
    return;
  }
  // SQLite: prepared statements in one transaction, straight through better-sqlite3.
  const { default: SQLite } = await import('better-sqlite3');
  const lite = new SQLite(database);
  try {
    lite.pragma('busy_timeout = 10000');
    const set = lite.prepare(`insert into model_sets (id, account_id, name, model_type, labels, source, next_version, created_at, modified_at) values (?, ?, ?, 'Text2Text', '[]', 'UserCreate', ?, ?, ?)`);
    const version = lite.prepare(`insert into model_versions (id, account_id, model_set_id, version_no, name, description, source_type, status, failure_reason,
        model_application_type, source_meta, resource_config, advance_conf, details, created_at, modified_at)
      values (?, ?, ?, ?, ?, null, 'Import', 'Ready', null, 'chat', ?, null, null, ?, ?, ?)`);
    const job = lite.prepare(`insert into jobs (id, kind, subject_id, account_id, status, attempts, payload, lease_owner, lease_expires_at, last_error, created_at, updated_at)
      values (?, 'import', ?, ?, 'done', 1, '{}', null, null, null, ?, ?)`);
    lite.transaction(() => {
      for (let s = s0; s < s1; s++) set.run(setId(s), accountId, `set${s}`, PER_SET + 1, at(s * PER_SET), at(s * PER_SET));
      for (let i = from; i < to; i++) {
        const t = at(i);
        version.run(versionId(i), accountId, setId(Math.floor(i / PER_SET)), (i % PER_SET) + 1, `V${(i % PER_SET) + 1}`, SOURCE_META, DETAILS, t, t);
        job.run(jobId(i), versionId(i), accountId, t, t);
      }
    })();
    lite.exec('analyze');
  } finally {
    lite.close();
  }
}

interface DepthRow {
  db: Db;
  versions: number;
  describe: Stats;
  firstPage: Stats;
  middlePage: Stats;
  lastPage: Stats;
  /** Median ms of one idle claim (no claimable job among all the done ones). */
  claimMs: number;
}

async function claimPollMs(database: string): Promise<number> {
  const store = await openDatabase(database);
  try {
    const jobs = new JobsRepo(store.db, store.dialect);
    const ms: number[] = [];
    for (let i = 0; i < 30; i++) {
      const now = new Date().toISOString();
      const t0 = performance.now();
      const got = await jobs.claim('import', 'bench', now, now);
      ms.push(performance.now() - t0);
      if (got) throw new Error('the bench found a claimable job: the bulk data is wrong');
    }
    return ms.sort((a, b) => a - b)[15]!;
  } finally {
    await store.db.destroy();
  }
}

async function depth(work: string, buckets: string): Promise<DepthRow[]> {
  const rows: DepthRow[] = [];
  const small = Math.ceil(SMALL / PER_SET) * PER_SET;
  const large = Math.ceil(LARGE / PER_SET) * PER_SET;
  for (const db of DATABASES) {
    const dir = fs.mkdtempSync(path.join(work, `depth-${db}-`));
    const database = await freshDatabase(db, dir);
    const secrets = clusterSecrets();
    const [server] = await startReplicas(database, 1, dir, secrets, buckets);
    try {
      const store = await openDatabase(database);
      const account = await store.db.selectFrom('access_keys').select('account_id').where('access_key', '=', secrets.key.accessKey).executeTakeFirstOrThrow();
      await store.db.destroy();
      let stored = 0;
      for (const size of [small, large]) {
        const t0 = Date.now();
        await bulkInsert(db, database, account.account_id, stored, size);
        stored = size;
        log(`${db}: ${size} versions stored (bulk insert ${((Date.now() - t0) / 1000).toFixed(1)} s); sampling`);
        const sets = size / PER_SET;
        const url = server!.url;
        const page = (startAt: number | undefined) => () => ({
          action: 'DescribeCustomModelSets',
          body: startAt === undefined ? { maxKeys: 10 } : { maxKeys: 10, marker: setId(startAt) },
        });
        const describe = await sample(url, secrets.key, SAMPLES, () => ({ action: 'DescribeModel', body: { modelId: versionId(Math.floor(Math.random() * size)) } }));
        const firstPage = await sample(url, secrets.key, SAMPLES, page(undefined));
        const middlePage = await sample(url, secrets.key, SAMPLES, page(Math.floor(sets / 2)));
        const lastPage = await sample(url, secrets.key, SAMPLES, page(sets - 10));
        const check = await mustPost(url, secrets.key, 'DescribeCustomModelSets', { maxKeys: 10, marker: setId(sets - 10) });
        if (check.customModelSetList.length !== 10 || check.pageInfo.isTruncated) throw new Error(`the last page is not the last 10 sets: ${JSON.stringify(check.pageInfo)}`);
        rows.push({ db, versions: size, describe, firstPage, middlePage, lastPage, claimMs: await claimPollMs(database) });
      }
    } finally {
      await server!.stop();
      await dropDatabase(db, database);
    }
  }
  return rows;
}

// ---------------------------------------------------------------- report

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `×${(a / b).toFixed(2)}` : '—');
const dbName = (db: Db) => (db === 'postgres' ? 'PostgreSQL' : 'SQLite');
const count = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

function report(tp: ThroughputRow[], dp: DepthRow[], meta: string): string {
  const out: string[] = [];
  out.push(meta, '');
  out.push(`### Throughput and latency (${CONNECTIONS} requests in flight, ${SECONDS} s per cell, ratios against SQLite with 1 replica)`, '');
  out.push('| action | database | replicas | req/s | p50 ms | p99 ms | errors | req/s vs baseline | p99 vs baseline |', '|---|---|---|---|---|---|---|---|---|');
  for (const action of ['DescribeModel', 'CreateCustomModel']) {
    const base = tp.find((r) => r.action === action && r.db === 'sqlite' && r.replicas === 1) ?? tp.find((r) => r.action === action);
    for (const r of tp.filter((x) => x.action === action)) {
      const s = r.stats;
      out.push(`| ${action} | ${dbName(r.db)} | ${r.replicas} | ${f(s.rps, 0)} | ${f(s.p50)} | ${f(s.p99)} | ${s.errors}${s.errorKinds.length ? ` (${s.errorKinds.join(', ')})` : ''} | ${ratio(s.rps, base!.stats.rps)} | ${ratio(s.p99, base!.stats.p99)} |`);
    }
  }
  out.push('');
  const lines: string[] = [];
  for (const action of ['DescribeModel', 'CreateCustomModel']) {
    for (const db of DATABASES) {
      const one = tp.find((r) => r.action === action && r.db === db && r.replicas === 1);
      const two = tp.find((r) => r.action === action && r.db === db && r.replicas === 2);
      if (one && two) lines.push(`- ${action} on ${dbName(db)}, 2 replicas vs 1: req/s ${ratio(two.stats.rps, one.stats.rps)}, p99 ${ratio(two.stats.p99, one.stats.p99)}`);
    }
    const lite = tp.find((r) => r.action === action && r.db === 'sqlite' && r.replicas === 1);
    const pg = tp.find((r) => r.action === action && r.db === 'postgres' && r.replicas === 1);
    if (lite && pg) lines.push(`- ${action}, PostgreSQL vs SQLite (1 replica): req/s ${ratio(pg.stats.rps, lite.stats.rps)}, p99 ${ratio(pg.stats.p99, lite.stats.p99)}`);
  }
  out.push(...lines, '');
  out.push(`### Depth: ${count(Math.ceil(SMALL / PER_SET) * PER_SET)} vs ${count(Math.ceil(LARGE / PER_SET) * PER_SET)} stored versions (${PER_SET} per set; ${SAMPLES} samples per cell, 4 in flight)`, '');
  out.push('| database | versions | DescribeModel p50 / p99 ms | first page p50 / p99 | middle page p50 / p99 | last page p50 / p99 | idle job claim ms |', '|---|---|---|---|---|---|---|');
  for (const r of dp) {
    const pp = (s: Stats) => `${f(s.p50)} / ${f(s.p99)}${s.errors ? ` (${s.errors} errors)` : ''}`;
    out.push(`| ${dbName(r.db)} | ${count(r.versions)} | ${pp(r.describe)} | ${pp(r.firstPage)} | ${pp(r.middlePage)} | ${pp(r.lastPage)} | ${f(r.claimMs, 2)} |`);
  }
  out.push('');
  for (const db of DATABASES) {
    const [small, large] = dp.filter((r) => r.db === db);
    if (!small || !large) continue;
    out.push(
      `- ${dbName(db)}, ${count(large.versions)} vs ${count(small.versions)}: DescribeModel p50 ${ratio(large.describe.p50, small.describe.p50)}, p99 ${ratio(large.describe.p99, small.describe.p99)}; ` +
        `last page vs first page at ${count(large.versions)}: p50 ${ratio(large.lastPage.p50, large.firstPage.p50)}, p99 ${ratio(large.lastPage.p99, large.firstPage.p99)}; ` +
        `last page ${count(large.versions)} vs ${count(small.versions)}: p50 ${ratio(large.lastPage.p50, small.lastPage.p50)}; idle job claim ${ratio(large.claimMs, small.claimMs)}`,
    );
  }
  return out.join('\n');
}

/** Replaces this benchmark's generated block of bench/README.md. */
function writeReadme(markdown: string): void {
  writeReadmeBlock('scale', 'Scale', '`npm run bench:scale` (bench/scale.ts; sizes and durations are configurable, see its header).', markdown);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-bench-scale-'));
  const started = Date.now();
  try {
    const buckets = path.join(work, 'buckets');
    await writeTinyCausalLM(path.join(buckets, 'models', 'tiny'));
    let pgVersion = '';
    if (DATABASES.includes('postgres')) {
      const store = await openDatabase(postgresCluster());
      pgVersion = (await sql<{ v: string }>`show server_version`.execute(store.db)).rows[0]!.v;
      await store.db.destroy();
    }
    const tp = await throughput(work, buckets);
    const dp = await depth(work, buckets);
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const meta =
      `Run ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}` +
      `${pgVersion ? `, PostgreSQL ${pgVersion} (local, scratch settings: fsync off)` : ''}; load generator, replicas and database on the same machine; ` +
      `took ${Math.round((Date.now() - started) / 1000)} s.`;
    const md = report(tp, dp, meta);
    process.stdout.write(md + '\n');
    if (process.env.BENCH_WRITE_README !== '0') {
      writeReadme(md);
      log('bench/README.md updated (Scale section)');
    }
  } finally {
    for (const a of agents.values()) a.destroy();
    if (startedScratch) {
      execFileSync('bash', [path.join(ROOT, 'scripts/pg-stop.sh'), '--clean'], { env: { ...process.env, MODELREG_PG_DIR: path.join(startedScratch, 'pg') } });
      fs.rmSync(startedScratch, { recursive: true, force: true });
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:scale failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
