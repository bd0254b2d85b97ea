// Throughput and latency of three signed actions (DescribeModel, DescribeCustomModelSets with a
// page of 10, CreateCustomModelSet) against two references measured in the same run with the same
// load (autocannon, 50 connections by default):
//   - bare: node:http answering the very bytes modelreg answers (no signature, no database);
//   - floor: bench/floor-server.ts, node:http doing only the work the action needs (issue 14).
//   npm run bench:http                      (10 s per target, 50 connections, 1 round)
//   BENCH_ROUNDS=3 BENCH_DURATION=5 npm run bench:http   (medians over rounds)
//   BENCH_JSON=1 npm run bench:http         (one JSON line instead of the tables)
//   BENCH_PROFILE=/tmp/prof npm run bench:http   (a V8 CPU profile of the modelreg server)
//   BENCH_ACTIONS=DescribeModel npm run bench:http (some of the actions only)
//   BENCH_MODELREG_ROOT=<checkout> npm run bench:http (the modelreg server of another checkout, e.g. before a change)
// Every server is a child process so that the load generator does not share its event loop.
// The modelreg server is the real CLI (`serve`) on SQLite in a temp dir with a bootstrap key and
// one Ready model version; its request log goes to /dev/null at the default level (info).
// Signatures: autocannon cannot sign each request, so each action's request is signed at the start
// (valid for 1800 s) and replayed; the servers still verify it on every request. CreateCustomModelSet
// needs a new name per request: autocannon's [<id>] replacement gives fixed-length unique names,
// so the signed content-length stays right.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { bceTimestamp } from '../src/protocol/bce-v1/canonical-request.js';
import { signRequest } from '../src/protocol/bce-v1/signer.js';
import { writeTinyCausalLM } from '../test/fixtures/model-builder.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

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

function spawnChild(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

/** Headers of a signed request; `bodyLength` is what will be sent (after [<id>] replacement). */
function signedRequest(host: string, key: Key, action: string, bodyLength: number) {
  const headers: Record<string, string> = {
    host,
    'content-type': 'application/json',
    'content-length': String(bodyLength),
    'x-bce-date': bceTimestamp(),
  };
  headers.authorization = signRequest({ accessKey: key.accessKey, secretKey: key.secretKey, method: 'POST', path: '/v2/model', rawQuery: `Action=${action}`, headers });
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
  /** CPU time (user + system) the server process spent per answered request, µs. */
  cpuUsPerRequest?: number;
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

interface Case {
  action: string;
  /** The body template; [<id>] is replaced per request by a 33-character unique id. */
  body: string;
}

/** User + system CPU seconds of a process so far (Linux /proc; 10 ms resolution). */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function load(url: string, key: Key, c: Case, seconds: number, pid?: number): Promise<Measured> {
  const cpuBefore = cpuSeconds(pid);
  const ids = (c.body.match(/\[<id>\]/g) ?? []).length;
  const bodyLength = Buffer.byteLength(c.body) + ids * 27;
  // autocannon sends Host and Content-Length itself (the same values that were signed).
  const { host: _host, 'content-length': _len, ...send } = signedRequest(new URL(url).host, key, c.action, bodyLength);
  const r = await autocannon({
    url: `${url}/v2/model?Action=${c.action}`,
    method: 'POST',
    headers: send,
    body: c.body,
    idReplacement: ids > 0,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
  });
  const cpuAfter = cpuSeconds(pid);
  const cpuUsPerRequest = cpuBefore !== undefined && cpuAfter !== undefined && r.requests.total > 0 ? Math.round(((cpuAfter - cpuBefore) * 1e6) / r.requests.total) : undefined;
  return { cpuUsPerRequest, requestsPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-bench-'));
  try {
    const key: Key = { accessKey: `bench${randomBytes(6).toString('hex')}`, secretKey: randomBytes(24).toString('hex') };
    const masterKey = randomBytes(32).toString('base64');
    const dataDir = path.join(work, 'data');
    await writeTinyCausalLM(path.join(dataDir, 'buckets', 'models', 'tiny'));

    const regPort = await freePort();
    const regUrl = `http://127.0.0.1:${regPort}`;
    // BENCH_PROFILE=<dir>: write a V8 CPU profile of the modelreg server there (see README).
    const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
    const reg = spawnChild([...prof, '--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', String(regPort), '--data-dir', dataDir], {
      MODELREG_BOOTSTRAP_ACCESS_KEY: key.accessKey,
      MODELREG_BOOTSTRAP_SECRET_KEY: key.secretKey,
      MODELREG_MASTER_KEY: masterKey,
      MODELREG_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      // The per-key limit (1000/s by default) would cap the measurement itself; it still runs.
      MODELREG_RATE_LIMIT_PER_SECOND: '1000000000',
      MODELREG_RATE_LIMIT_BURST: '1000000000',
      // The run creates tens of thousands of sets; the sets quota (1000) would refuse them.
      MODELREG_QUOTA_MODEL_SETS: '0',
      MODELREG_JOB_POLL_MS: '100',
    }, process.env.BENCH_MODELREG_ROOT ? path.resolve(process.env.BENCH_MODELREG_ROOT) : ROOT);
    await waitUntilUp(`${regUrl}/healthz`);

    // One Ready version to describe, in the first of ten sets (the listed page).
    const { modelSetId } = await post(regUrl, key, 'CreateCustomModelSet', { modelSetName: 'bench_set', modelType: 'Text2Text' });
    for (let i = 1; i < 11; i++) await post(regUrl, key, 'CreateCustomModelSet', { modelSetName: `bench_set_${i}`, modelType: 'Text2Text', labels: ['bench'] });
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

    // BENCH_ACTIONS=DescribeModel,… measures only those (e.g. for a profile of one action).
    const only = process.env.BENCH_ACTIONS?.split(',');
    const cases: Case[] = [
      { action: 'DescribeModel', body: JSON.stringify({ modelId }) },
      { action: 'DescribeCustomModelSets', body: JSON.stringify({ maxKeys: 10 }) },
      { action: 'CreateCustomModelSet', body: '{"modelSetName":"b[<id>]","modelType":"Text2Text"}' },
    ].filter((c) => !only || only.includes(c.action));

    // The bare server answers, per action, the very bytes modelreg answers.
    const fixed: Record<string, string> = {};
    for (const c of cases) {
      const text = c.body.replace('[<id>]', 'x'.repeat(33));
      const headers = signedRequest(new URL(regUrl).host, key, c.action, Buffer.byteLength(text));
      const { host: _h, 'content-length': _l, ...send } = headers;
      const r = await fetch(`${regUrl}/v2/model?Action=${c.action}`, { method: 'POST', headers: send, body: text });
      fixed[c.action] = await r.text();
      if (r.status !== 200) throw new Error(`signed ${c.action}: ${r.status} ${fixed[c.action]}`);
    }

    const barePort = await freePort();
    const bareUrl = `http://127.0.0.1:${barePort}`;
    const bareScript = `
      const http = require('node:http');
      const answers = JSON.parse(process.env.BENCH_FIXED);
      for (const k of Object.keys(answers)) answers[k] = Buffer.from(answers[k]);
      http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const body = answers[req.url.slice(req.url.indexOf('Action=') + 7)] ?? Buffer.from('ok');
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }); res.end(body);
        });
      }).listen(${barePort}, '127.0.0.1');`;
    const bare = spawnChild(['-e', bareScript], { BENCH_FIXED: JSON.stringify(fixed) });
    await waitUntilUp(bareUrl);

    const floorPort = await freePort();
    const floorUrl = `http://127.0.0.1:${floorPort}`;
    const floor = spawnChild(['--import', 'tsx', 'bench/floor-server.ts'], { FLOOR_DB: path.join(dataDir, 'modelreg.sqlite'), FLOOR_MASTER_KEY: masterKey, FLOOR_PORT: String(floorPort) });
    await waitUntilUp(floorUrl);
    {
      const c = cases[0]!;
      const { host: _h, 'content-length': _l, ...send } = signedRequest(new URL(floorUrl).host, key, c.action, Buffer.byteLength(c.body));
      const r = await fetch(`${floorUrl}/v2/model?Action=${c.action}`, { method: 'POST', headers: send, body: c.body });
      if (r.status !== 200) throw new Error(`floor DescribeModel: ${r.status} ${await r.text()}`);
    }

    const targets = { bare: bareUrl, floor: floorUrl, modelreg: regUrl } as const;
    type Target = keyof typeof targets;
    const pids: Record<Target, number | undefined> = { bare: bare.pid, floor: floor.pid, modelreg: reg.pid };
    const runs: Record<string, Record<Target, Measured[]>> = {};
    // Warm each up (JIT, caches), then measure: per round, per action, the three targets back to back.
    for (const c of cases) for (const t of Object.keys(targets) as Target[]) await load(targets[t], key, c, WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        const cell = (runs[c.action] ??= { bare: [], floor: [], modelreg: [] });
        for (const t of Object.keys(targets) as Target[]) {
          const m = await load(targets[t], key, c, DURATION, pids[t]);
          if (m.non2xx > 0 || m.errors > 0) throw new Error(`${t} ${c.action}: ${m.non2xx} non-2xx answers and ${m.errors} errors`);
          cell[t].push(m);
        }
      }
    }
    if (reg.exitCode !== null) throw new Error('the modelreg server died');

    const summary = Object.fromEntries(
      cases.map(({ action }) => {
        const cell = runs[action]!;
        const med = (t: Target) => ({
          requestsPerSec: Math.round(median(cell[t].map((m) => m.requestsPerSec))),
          cpuUsPerRequest: Math.round(median(cell[t].map((m) => m.cpuUsPerRequest ?? NaN))),
          p50: median(cell[t].map((m) => m.p50)),
          p99: median(cell[t].map((m) => m.p99)),
        });
        return [
          action,
          {
            responseBytes: Buffer.byteLength(fixed[action]!),
            bare: med('bare'),
            floor: med('floor'),
            modelreg: med('modelreg'),
            // Per round (side by side), then the median over rounds.
            vsFloor: round3(median(cell.modelreg.map((m, i) => m.requestsPerSec / cell.floor[i]!.requestsPerSec))),
            vsBare: round3(median(cell.modelreg.map((m, i) => m.requestsPerSec / cell.bare[i]!.requestsPerSec))),
            // The same ratios from CPU time per request (less sensitive to other load on the machine).
            cpuVsFloor: round3(median(cell.modelreg.map((m, i) => (cell.floor[i]!.cpuUsPerRequest ?? NaN) / (m.cpuUsPerRequest ?? NaN)))),
            cpuVsBare: round3(median(cell.modelreg.map((m, i) => (cell.bare[i]!.cpuUsPerRequest ?? NaN) / (m.cpuUsPerRequest ?? NaN)))),
            rounds: cell,
          },
        ];
      }),
    );
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      durationSeconds: DURATION,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      actions: summary,
    };
    if (process.env.BENCH_JSON === '1') {
      console.log(JSON.stringify(result));
    } else {
      console.log(`${CONNECTIONS} connections, ${DURATION} s per target, ${ROUNDS} round(s) (medians), node ${process.version}, ${result.cpus} CPUs, load average ${result.loadAverage.join(' ')}`);
      console.log('| action | answer bytes | bare req/s | floor req/s | modelreg req/s | modelreg p50 / p99 ms | floor p50 / p99 ms | modelreg / floor | modelreg / bare |');
      console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
      for (const [action, s] of Object.entries(summary)) {
        console.log(`| ${action} | ${s.responseBytes} | ${s.bare.requestsPerSec} | ${s.floor.requestsPerSec} | ${s.modelreg.requestsPerSec} | ${s.modelreg.p50} / ${s.modelreg.p99} | ${s.floor.p50} / ${s.floor.p99} | **${s.vsFloor}** | **${s.vsBare}** |`);
      }
      console.log('\nCPU time of the server process per request (µs), and the same ratios from it:');
      console.log('| action | bare µs | floor µs | modelreg µs | modelreg / floor | modelreg / bare |');
      console.log('| --- | --- | --- | --- | --- | --- |');
      for (const [action, s] of Object.entries(summary)) {
        console.log(`| ${action} | ${s.bare.cpuUsPerRequest} | ${s.floor.cpuUsPerRequest} | ${s.modelreg.cpuUsPerRequest} | ${s.cpuVsFloor} | ${s.cpuVsBare} |`);
      }
      console.log('goals: modelreg / floor ≥ 0.8, modelreg / bare ≥ 0.3, modelreg p99 < 10 ms');
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    // Each child exits on its own (a CPU profile is written at exit), within reason.
    await Promise.race([
      Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r))))),
      new Promise((r) => setTimeout(r, 15_000)),
    ]);
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
