// SQLite statements on the request path, in process (issue 14, fifth round): DescribeModel's four
// statements alone, in sequence, in one read transaction, after a stretch of other JS; the
// listing's parts one by one; and the time spent inside each statement during whole requests
// (Fastify inject) next to the same statements alone. CPU µs per call, median of 5 rounds.
//   node --import tsx bench/statement-costs.ts          (ONLY=stmt,list by default; BENCH_PARTS_N calls per round)
//   ONLY=timed node --import tsx bench/statement-costs.ts      (inside the request vs alone, per statement; wall clock)
//   ONLY=listwhole node --cpu-prof --import tsx bench/statement-costs.ts   (the listing's request alone, for a profile)
//   KEEP_DB=1 …                                          (keeps the database, e.g. for EXPLAIN)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { sqliteHandleOf } from '../src/store/prepared.js';
import { presentModelSet } from '../src/http/presenters/model-presenter.js';
import { presentPageInfo } from '../src/http/presenters/page-info-presenter.js';
import { writeTinyCausalLM } from '../test/fixtures/model-builder.js';
import { median, post, signedHeaders, waitReady } from './lib/servers.js';

const N = Number(process.env.BENCH_PARTS_N ?? 20_000);
const ROUNDS = 5;
async function measure(name: string, fn: () => unknown): Promise<number> {
  const per: number[] = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    const t = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const p = fn() as { then?: unknown } | undefined;
      if (typeof p?.then === 'function') await p;
    }
    const d = process.cpuUsage(t);
    if (r > 0) per.push((d.user + d.system) / N);
  }
  const us = median(per);
  console.log(`| ${name} | ${us.toFixed(2)} |`);
  return us;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-stmt-'));
await writeTinyCausalLM(path.join(dataDir, 'buckets', 'models', 'tiny'));
const config = loadConfig({ dataDir, database: path.join(dataDir, 'modelreg.sqlite'), port: 0, host: '127.0.0.1', logLevel: 'info', rateLimitPerSecond: 1e9, rateLimitBurst: 1e9 });
const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
const app = await createApp(config, logger as never);
try {
  const url = await app.http.listen({ host: '127.0.0.1', port: 0 });
  await app.services.iam.ensureAccount('bench');
  const key = await app.services.iam.createKey({ accountName: 'bench', policies: ['QianfanFullControlAccessPolicy'] });
  const { modelSetId } = await post(url, key, 'CreateCustomModelSet', { modelSetName: 'parts', modelType: 'Text2Text' });
  for (let i = 1; i < 11; i++) await post(url, key, 'CreateCustomModelSet', { modelSetName: `bench_set_${i}`, modelType: 'Text2Text', labels: ['bench'] });
  const { modelId } = await post(url, key, 'CreateCustomModel', {
    modelSetId,
    sourceType: 'Import',
    importMeta: { bucket: 'models', objectPath: 'tiny', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' },
  });
  await waitReady(url, key, modelId);
  const s = app.services;
  const account = (await s.iam.resolveKey(key.accessKey))!.principal.accountId;
  const h = sqliteHandleOf(app.store.db)!;
  console.log(`N=${N}; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const only = process.env.ONLY ?? 'stmt,list';

  if (only.includes('stmt')) {
    const dv = h.prepare('pragma data_version').pluck();
    const ver = h.prepare('select "v".*, "s"."name" as "set_name", (select count(*) as "n" from "adapter_bindings" as "ab" where "ab"."base_id" = "v"."id") as "adapter_count" from "model_versions" as "v" inner join "model_sets" as "s" on "s"."id" = "v"."model_set_id" where "v"."account_id" = ? and "v"."id" = ?');
    const al = h.prepare('select * from "model_set_aliases" where "model_id" = ? order by "alias"');
    const tg = h.prepare('select "tag_key", "tag_value" from "model_version_tags" where "model_id" = ? order by "tag_key"');
    const begin = h.prepare('begin');
    const commit = h.prepare('commit');
    const big = JSON.parse((await app.http.inject({ method: 'POST', url: '/v2/model?Action=DescribeModel', headers: signedHeaders('127.0.0.1', key, 'DescribeModel', Buffer.byteLength(JSON.stringify({ modelId }))), payload: JSON.stringify({ modelId }) })).body);
    const pollute = () => {
      // roughly a request's JS: two HMACs, a 1.7 KB JSON out and in, some allocation
      createHmac('sha256', 'k').update('x'.repeat(200)).digest('hex');
      createHmac('sha256', 'k2').update('y'.repeat(200)).digest('hex');
      JSON.parse(JSON.stringify(big));
    };
    const seq = () => { dv.get(); ver.all(account, modelId); al.all(modelId); tg.all(modelId); };
    await measure('data_version alone', () => dv.get());
    await measure('version .all alone', () => ver.all(account, modelId));
    await measure('version .get alone', () => ver.get(account, modelId));
    await measure('version .raw().all alone', () => ver.raw(true).all(account, modelId));
    ver.raw(false);
    await measure('aliases alone', () => al.all(modelId));
    await measure('tags alone', () => tg.all(modelId));
    await measure('the 4 in sequence (autocommit)', seq);
    await measure('the 4 in one read transaction (begin … commit)', () => { begin.run(); try { seq(); } finally { commit.run(); } });
    await measure('3 (no data_version) in sequence', () => { ver.all(account, modelId); al.all(modelId); tg.all(modelId); });
    await measure('polluter alone (2 HMAC + JSON 1.7KB round trip)', pollute);
    await measure('polluter + the 4 in sequence', () => { pollute(); seq(); });
    await measure('polluter + the 4 in one read transaction', () => { pollute(); begin.run(); try { seq(); } finally { commit.run(); } });
    await measure('polluter + data_version', () => { pollute(); dv.get(); });
    await measure('repo path: the 3 prepared reads (async)', async () => { await s.modelVersions.describe(account, modelId); await s.aliases.listForVersion(modelId); await s.metadata.tagsOf(modelId); });
  }
  if (only.startsWith('timed')) {
    // Time inside better-sqlite3's all/get per statement during whole requests (wall clock around
    // each call), then the same statements alone, as often, with the same arguments.
    const proto = Object.getPrototypeOf(h.prepare('select 1')) as Record<string, any>;
    const inside = new Map<unknown, { ns: bigint; n: number; m: string; args: unknown[] }>();
    const origs: Record<string, any> = {};
    for (const m of ['all', 'get']) {
      const orig = (origs[m] = proto[m]);
      proto[m] = function (this: { source: string }, ...a: unknown[]) {
        const t = process.hrtime.bigint();
        try { return orig.apply(this, a); } finally {
          const e = inside.get(this) ?? { ns: 0n, n: 0, m, args: a };
          e.ns += process.hrtime.bigint() - t; e.n++; inside.set(this, e);
        }
      };
    }
    for (const [action, body] of [['DescribeModel', JSON.stringify({ modelId })], ['DescribeCustomModelSets', JSON.stringify({ maxKeys: 10 })]] as const) {
      const headers = signedHeaders('127.0.0.1', key, action, Buffer.byteLength(body));
      for (let i = 0; i < 2000; i++) await app.http.inject({ method: 'POST', url: `/v2/model?Action=${action}`, headers, payload: body });
      const M = 10000;
      for (let round = 0; round < 3; round++) {
        inside.clear();
        for (let i = 0; i < M; i++) await app.http.inject({ method: 'POST', url: `/v2/model?Action=${action}`, headers, payload: body });
        const seen = [...inside];
        let total = 0, totalAlone = 0;
        const parts: string[] = [];
        for (const [stmt, e] of seen) {
          const us = Number(e.ns) / 1000 / M;
          const run = origs[e.m].bind(stmt);
          for (let i = 0; i < 1000; i++) run(...e.args);
          const t = process.hrtime.bigint();
          for (let i = 0; i < e.n; i++) run(...e.args);
          const alone = Number(process.hrtime.bigint() - t) / 1000 / M;
          total += us; totalAlone += alone;
          parts.push(`${(stmt as { source: string }).source.slice(0, 40)}… ${us.toFixed(2)}/${alone.toFixed(2)}`);
        }
        console.log(`${action} round ${round}: inside the request ${total.toFixed(2)} µs, the same statements alone ${totalAlone.toFixed(2)} µs; ${parts.join('; ')}`);
      }
    }
    for (const m of ['all', 'get']) proto[m] = origs[m];
  }
  if (only === 'listwhole') {
    const body = JSON.stringify({ maxKeys: 10 });
    const headers = signedHeaders('127.0.0.1', key, 'DescribeCustomModelSets', Buffer.byteLength(body));
    await measure('listing whole (inject)', () => app.http.inject({ method: 'POST', url: '/v2/model?Action=DescribeCustomModelSets', headers, payload: body }));
  }
  if (only.includes('list') && only !== 'listwhole') {
    const body = JSON.stringify({ maxKeys: 10 });
    const headers = signedHeaders('127.0.0.1', key, 'DescribeCustomModelSets', Buffer.byteLength(body));
    const first = await app.http.inject({ method: 'POST', url: '/v2/model?Action=DescribeCustomModelSets', headers, payload: body });
    if (first.statusCode !== 200) throw new Error(first.body);
    console.log('answer bytes', first.body.length);
    const dbody = JSON.stringify({ modelId });
    const dheaders = signedHeaders('127.0.0.1', key, 'DescribeModel', Buffer.byteLength(dbody));
    await measure('DescribeModel whole (inject)', () => app.http.inject({ method: 'POST', url: '/v2/model?Action=DescribeModel', headers: dheaders, payload: dbody }));
    await measure('listing whole (inject)', () => app.http.inject({ method: 'POST', url: '/v2/model?Action=DescribeCustomModelSets', headers, payload: body }));
    const req = { maxKeys: 10, pageReverse: false };
    await measure('modelSets.page', () => s.modelSets.page(account, req));
    const repo = (s.modelSets as any).repo;
    await measure('  listSets (11 rows)', () => repo.listSets({ accountId: account, sortBy: 'created_at', limit: 11, filter: {} }));
    const rows = await repo.listSets({ accountId: account, sortBy: 'created_at', limit: 11, filter: {} });
    const ids10 = rows.slice(0, 10).map((r: any) => r.id);
    await measure('  countSetsMatching', () => repo.countSetsMatching(account, {}));
    await measure('  listVersions (10 ids)', () => repo.listVersions(ids10));
    const page = await s.modelSets.page(account, req);
    await measure('  presentModelSet × 10 + pageInfo', () => ({ customModelSetList: page.items.map(presentModelSet), pageInfo: { ...presentPageInfo(page), totalCount: page.totalCount } }));
    const result = { customModelSetList: page.items.map(presentModelSet), pageInfo: { ...presentPageInfo(page), totalCount: page.totalCount } };
    await measure('  JSON.stringify of the answer', () => JSON.stringify(result));
    const sp = h.prepare('select * from model_sets where account_id = ? order by created_at, id limit ?');
    await measure('  raw page statement (floor\'s)', () => sp.all(account, 11));
    const vs = h.prepare("select id, name, model_set_id, status, source_type, description, failure_reason, created_at, modified_at from model_versions where model_set_id in (select value from json_each(?)) order by model_set_id, version_no");
    await measure('  raw versions json_each (floor\'s)', () => vs.all(JSON.stringify(ids10)));
  }
} finally {
  await app.close();
  if (process.env.KEEP_DB) console.log("kept", dataDir); else fs.rmSync(dataDir, { recursive: true, force: true });
}
