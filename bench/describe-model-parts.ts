// The per-request costs of a signed DescribeModel, measured one by one in process (issue 14):
// no sockets and no load generator, so the figures are steadier than the HTTP bench's on a shared
// machine. Each part runs alone in a loop (CPU time of this process per call, median of rounds);
// "whole request" is Fastify's inject (its pipeline without a socket) of the signed request.
//   node --import tsx bench/describe-model-parts.ts       (BENCH_PARTS_N=<calls per round>, default 20000)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { authenticate } from '../src/http/auth/authenticate.js';
import { presentModel } from '../src/http/presenters/model-presenter.js';
import { parseJsonBody, validateBody } from '../src/http/validate-body.js';
import { findAction } from '../src/http/actions/index.js';
import { RequestLimits, DEFAULT_RATE_LIMITS } from '../src/http/rate-limit.js';
import { sqliteHandleOf } from '../src/store/prepared.js';
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
      if (typeof p?.then === 'function') await p; // inject answers a thenable
    }
    const d = process.cpuUsage(t);
    if (r > 0) per.push((d.user + d.system) / N); // round 0 warms up
  }
  const us = median(per);
  console.log(`| ${name} | ${us.toFixed(2)} |`);
  return us;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-parts-'));
  await writeTinyCausalLM(path.join(dataDir, 'buckets', 'models', 'tiny'));
  const config = loadConfig({ dataDir, database: path.join(dataDir, 'modelreg.sqlite'), port: 0, host: '127.0.0.1', logLevel: 'info', rateLimitPerSecond: 1e9, rateLimitBurst: 1e9 });
  // The request log at the default level, written to /dev/null as in the HTTP bench.
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const app = await createApp(config, logger as never);
  try {
    const url = await app.http.listen({ host: '127.0.0.1', port: 0 });
    await app.services.iam.ensureAccount('bench');
    const key = await app.services.iam.createKey({ accountName: 'bench', policies: ['QianfanFullControlAccessPolicy'] });
    const { modelSetId } = await post(url, key, 'CreateCustomModelSet', { modelSetName: 'parts', modelType: 'Text2Text' });
    const { modelId } = await post(url, key, 'CreateCustomModel', {
      modelSetId,
      sourceType: 'Import',
      importMeta: { bucket: 'models', objectPath: 'tiny', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' },
    });
    await waitReady(url, key, modelId);

    const body = JSON.stringify({ modelId });
    const headers = signedHeaders('127.0.0.1', key, 'DescribeModel', Buffer.byteLength(body));
    const fakeReq = { headers, url: '/v2/model?Action=DescribeModel', method: 'POST' } as never;
    const s = app.services;
    const account = (await s.iam.resolveKey(key.accessKey))!.principal.accountId;
    const action = findAction('/v2/model', 'DescribeModel')!;
    const raw = Buffer.from(body);
    const view = await s.modelVersions.describe(account, modelId);
    const result = await action.handle({ principal: (await s.iam.resolveKey(key.accessKey))!.principal, services: s, requestId: 'x', origin: url }, { modelId });
    const limits = new RequestLimits({ ...DEFAULT_RATE_LIMITS, perKey: { perSecond: 1e9, burst: 1e9 } });
    const reqLog = logger.child({}, { redact: { paths: [], censor: '[redacted]' } });

    console.log(`N=${N} calls per round, median of ${ROUNDS} rounds; load: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log('| part | µs per call (CPU) |\n| --- | --- |');
    const first = await app.http.inject({ method: 'POST', url: '/v2/model?Action=DescribeModel', headers, payload: body });
    if (first.statusCode !== 200) throw new Error(`DescribeModel: ${first.statusCode} ${first.body}`);
    const bytes = first.body;
    let refused = 0;
    await measure('whole request (Fastify inject)', async () => {
      if ((await app.http.inject({ method: 'POST', url: '/v2/model?Action=DescribeModel', headers, payload: body })).statusCode !== 200) refused++;
    });
    if (refused) throw new Error(`${refused} requests were not answered 200`);
    if (process.env.BENCH_PARTS_ONLY === 'modelreg') return; // (for a CPU profile of the request alone)
    // The same inject of a route answering those bytes and nothing else: light-my-request and Fastify's own share.
    const bare = Fastify();
    bare.post('/v2/model', (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(bytes));
    await measure('  a bare Fastify route answering the same bytes (inject)', () => bare.inject({ method: 'POST', url: '/v2/model?Action=DescribeModel', headers, payload: body }));
    // The same with modelreg's hook layout and nothing in the hooks: a callback onRequest, the
    // route's async onRequest (admit), bodies as bytes, an onResponse; what the pipeline costs.
    const hooked = Fastify();
    hooked.addHook('onRequest', (_req, _reply, done) => done());
    hooked.removeAllContentTypeParsers();
    hooked.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
    hooked.addHook('onResponse', (_req, _reply, done) => done());
    hooked.post('/v2/model', { onRequest: async () => {} }, async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(bytes));
    await measure('  the same route with modelreg\'s hook layout, hooks empty (inject)', () => hooked.inject({ method: 'POST', url: '/v2/model?Action=DescribeModel', headers, payload: body }));
    // And with the request path's chain of awaits and nothing else in it: admit → rate limiters →
    // authenticate → resolveKey, then the handler → action → three reads; what the async layers cost.
    const awaited = Fastify();
    const leaf = async (): Promise<number> => 1;
    const chain = async (depth: number): Promise<number> => (depth <= 1 ? leaf() : (await chain(depth - 1)) + 1);
    awaited.addHook('onRequest', (_req, _reply, done) => done());
    awaited.removeAllContentTypeParsers();
    awaited.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
    awaited.addHook('onResponse', (_req, _reply, done) => done());
    awaited.post('/v2/model', { onRequest: async () => { await chain(3); } }, async (_req, reply) => {
      await Promise.all([leaf(), leaf(), leaf()].map(async (p) => p));
      await chain(2);
      return reply.header('content-type', 'application/json; charset=utf-8').send(bytes);
    });
    await measure('  the same with the request path\'s awaits, nothing else (inject)', () => awaited.inject({ method: 'POST', url: '/v2/model?Action=DescribeModel', headers, payload: body }));
    if (process.env.BENCH_PARTS_ONLY === 'whole') return;
    await measure('authenticate (parse, window, key, two HMAC)', () => authenticate(fakeReq, s.iam, { maxSkewSeconds: 900 }));
    await measure('iam.resolveKey (cached, PRAGMA data_version)', () => s.iam.resolveKey(key.accessKey));
    await measure('rate limiters around a resolved principal', () => limits.authenticate('127.0.0.1', key.accessKey, async () => 1, () => key.accessKey));
    await measure('parseJsonBody + validateBody', () => validateBody(action, parseJsonBody(action, raw)));
    await measure('action.handle (reads + presenter)', () => action.handle({ principal: { accountId: account } as never, services: s, requestId: 'x', origin: url }, { modelId }));
    await measure('modelVersions.describe (version + set + adapter count)', () => s.modelVersions.describe(account, modelId));
    const h = sqliteHandleOf(app.store.db)!;
    const withCount = h.prepare('select v.*, s.name as set_name, (select count(*) from adapter_bindings ab where ab.base_id = v.id) as adapter_count from model_versions v join model_sets s on s.id = v.model_set_id where v.account_id = ? and v.id = ?');
    const without = h.prepare('select v.*, s.name as set_name from model_versions v join model_sets s on s.id = v.model_set_id where v.account_id = ? and v.id = ?');
    await measure('  its statement alone (better-sqlite3)', () => withCount.all(account, modelId));
    await measure('  the same without the adapter count', () => without.all(account, modelId));
    await measure('metadata.tagsOf', () => s.metadata.tagsOf(modelId));
    await measure('aliases.listForVersion', () => s.aliases.listForVersion(modelId));
    await measure('presentModel', () => presentModel(view));
    await measure('answer JSON.stringify (envelope)', () => `{"requestId":"x","result":${JSON.stringify(result)}}`);
    await measure('request log line (pino, /dev/null)', () => reqLog.info({ requestId: 'x', method: 'POST', path: '/v2/model', action: 'DescribeModel', account: 'bench', accessKey: key.accessKey, status: 200, latencyMs: 1.23 }, 'request'));
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
