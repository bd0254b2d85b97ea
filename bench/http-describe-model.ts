// Throughput and latency of signed DescribeModel calls, against a bare node:http server answering
// a fixed JSON of the same size, measured in the same run with the same load (autocannon).
//   npm run bench:http                      (10 s per target, 16 connections)
//   BENCH_DURATION=30 BENCH_CONNECTIONS=32 npm run bench:http
//   BENCH_JSON=1 npm run bench:http         (one JSON line instead of the table)
// Both servers run as child processes so that the load generator does not share their event loop.
// The modelreg server is the real CLI (`serve`) on SQLite in a temp dir with a bootstrap key and
// one Ready model version; its request log goes to /dev/null at the default level (info).
// Signatures: autocannon cannot sign each request, so one request is signed at the start (valid
// for 1800 s) and replayed for the whole run; the server still verifies it on every request.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { bceTimestamp, signRequest } from '../src/http/auth/bce-v1.js';
import { writeTinyCausalLM } from '../test/fixtures/model-builder.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

interface Key {
  accessKey: string;
  secretKey: string;
}

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitUntilUp(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnChild(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

function signedRequest(url: string, key: Key, body: string) {
  const u = new URL(url);
  const headers: Record<string, string> = {
    host: u.host,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-bce-date': bceTimestamp(),
  };
  headers.authorization = signRequest({ accessKey: key.accessKey, secretKey: key.secretKey, method: 'POST', path: '/v2/model', rawQuery: 'Action=DescribeModel', headers });
  return headers;
}

async function post(url: string, key: Key, action: string, body: unknown): Promise<any> {
  const text = JSON.stringify(body);
  const u = new URL(url);
  const headers: Record<string, string> = { host: u.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'x-bce-date': bceTimestamp() };
  headers.authorization = signRequest({ accessKey: key.accessKey, secretKey: key.secretKey, method: 'POST', path: '/v2/model', rawQuery: `Action=${action}`, headers });
  const { host: _h, 'content-length': _c, ...send } = headers;
  const r = await fetch(`${url}/v2/model?Action=${action}`, { method: 'POST', headers: send, body: text });
  const json = (await r.json()) as any;
  if (r.status !== 200) throw new Error(`${action}: ${r.status} ${JSON.stringify(json)}`);
  return json.result;
}

interface Measured {
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(url: string, headers: Record<string, string>, body: string, seconds: number): Promise<Measured> {
  // autocannon sends Host and Content-Length itself (the same values that were signed).
  const { host: _host, 'content-length': _len, ...send } = headers;
  const r = await autocannon({
    url: `${url}/v2/model?Action=DescribeModel`,
    method: 'POST',
    headers: send,
    body,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
  });
  return { requestsPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-bench-'));
  try {
    const key: Key = { accessKey: `bench${randomBytes(6).toString('hex')}`, secretKey: randomBytes(24).toString('hex') };
    const dataDir = path.join(work, 'data');
    await writeTinyCausalLM(path.join(dataDir, 'buckets', 'models', 'tiny'));

    const regPort = await freePort();
    const regUrl = `http://127.0.0.1:${regPort}`;
    // BENCH_PROFILE=<dir>: write a V8 CPU profile of the modelreg server there (see README).
    const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
    spawnChild([...prof, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', String(regPort), '--data-dir', dataDir], {
      MODELREG_BOOTSTRAP_ACCESS_KEY: key.accessKey,
      MODELREG_BOOTSTRAP_SECRET_KEY: key.secretKey,
      MODELREG_MASTER_KEY: randomBytes(32).toString('base64'),
      MODELREG_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      // The per-key limit (1000/s by default) would cap the measurement itself; it still runs.
      MODELREG_RATE_LIMIT_PER_SECOND: '1000000000',
      MODELREG_RATE_LIMIT_BURST: '1000000000',
      MODELREG_JOB_POLL_MS: '100',
    });
    await waitUntilUp(`${regUrl}/healthz`);

    // One Ready version to describe.
    const { modelSetId } = await post(regUrl, key, 'CreateCustomModelSet', { modelSetName: 'bench_set', modelType: 'Text2Text' });
    const { modelId } = await post(regUrl, key, 'CreateCustomModel', {
      modelSetId,
      sourceType: 'Import',
      importMeta: { bucket: 'models', objectPath: 'tiny', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' },
    });
    let described: any;
    for (let i = 0; i < 600; i++) {
      described = await post(regUrl, key, 'DescribeModel', { modelId });
      if (described.status !== 'Creating') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (described.status !== 'Ready') throw new Error(`the bench version ended ${described.status}: ${described.failureReason}`);

    // The bare server answers the very bytes modelreg answers (same size, same content type).
    const body = JSON.stringify({ modelId });
    const headers = signedRequest(regUrl, key, body);
    const { host: _h, 'content-length': _l, ...sampleHeaders } = headers;
    const sample = await fetch(`${regUrl}/v2/model?Action=DescribeModel`, { method: 'POST', headers: sampleHeaders, body });
    const fixed = await sample.text();
    if (sample.status !== 200) throw new Error(`signed DescribeModel: ${sample.status} ${fixed}`);

    const barePort = await freePort();
    const bareUrl = `http://127.0.0.1:${barePort}`;
    const bareScript = `
      const http = require('node:http');
      const body = Buffer.from(process.env.BENCH_FIXED);
      http.createServer((req, res) => {
        req.resume();
        req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }); res.end(body); });
      }).listen(${barePort}, '127.0.0.1');`;
    spawnChild(['-e', bareScript], { BENCH_FIXED: fixed });
    await waitUntilUp(bareUrl);

    // For scale: Fastify itself answering the same fixed JSON (no signature, no database).
    const fastifyPort = await freePort();
    const fastifyUrl = `http://127.0.0.1:${fastifyPort}`;
    const fastifyScript = `
      const body = process.env.BENCH_FIXED;
      const app = require('fastify')({ logger: false });
      app.post('/v2/model', (req, reply) => { reply.header('content-type', 'application/json; charset=utf-8').send(body); });
      app.get('/', (req, reply) => reply.send('ok'));
      app.listen({ port: ${fastifyPort}, host: '127.0.0.1' });`;
    spawnChild(['-e', fastifyScript], { BENCH_FIXED: fixed });
    await waitUntilUp(fastifyUrl);

    // Warm each up (JIT, caches), then measure each with the same load, one after the other.
    const bareHeaders = headers;
    await load(regUrl, headers, body, WARMUP);
    await load(bareUrl, bareHeaders, body, WARMUP);
    await load(fastifyUrl, headers, body, WARMUP);
    const bare = await load(bareUrl, bareHeaders, body, DURATION);
    const fastify = await load(fastifyUrl, headers, body, DURATION);
    const reg = await load(regUrl, headers, body, DURATION);
    if (reg.non2xx > 0 || reg.errors > 0) throw new Error(`modelreg answered ${reg.non2xx} non-2xx and ${reg.errors} errors`);

    const ratio = reg.requestsPerSec / bare.requestsPerSec;
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      durationSeconds: DURATION,
      connections: CONNECTIONS,
      responseBytes: Buffer.byteLength(fixed),
      bare,
      fastify,
      modelreg: reg,
      ratio: Math.round(ratio * 1000) / 1000,
    };
    if (process.env.BENCH_JSON === '1') {
      console.log(JSON.stringify(result));
    } else {
      const row = (name: string, m: Measured) => `| ${name} | ${Math.round(m.requestsPerSec)} | ${m.p50} | ${m.p99} | ${m.total} |`;
      console.log(`signed DescribeModel, ${CONNECTIONS} connections, ${DURATION} s each, ${result.responseBytes}-byte answers, node ${process.version}, ${result.cpus} CPUs, load average ${result.loadAverage.join(' ')}`);
      console.log('| target | req/s | p50 ms | p99 ms | requests |');
      console.log('| --- | --- | --- | --- | --- |');
      console.log(row('bare node:http, fixed JSON', bare));
      console.log(row('Fastify alone, fixed JSON (for scale)', fastify));
      console.log(row('modelreg DescribeModel (signed)', reg));
      console.log(`ratio modelreg / bare: ${result.ratio} (goal ≥ 0.5)`);
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
