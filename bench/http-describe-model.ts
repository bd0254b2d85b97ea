// Throughput and latency of three signed actions (DescribeModel, DescribeCustomModelSets with a
// page of 10, CreateCustomModelSet) against three references measured in the same run with the same
// load (autocannon, 50 connections by default):
//   - bare: node:http answering the very bytes modelreg answers (no signature, no database);
//   - floor: bench/floor-server.ts, node:http doing only the work the action needs (issue 14);
//   - the floor in Fastify: the same work in one Fastify route (what the framework adds).
//   npm run bench:http                      (10 s per target, 50 connections, 1 round)
//   BENCH_ROUNDS=3 BENCH_DURATION=5 npm run bench:http   (medians over rounds)
//   BENCH_JSON=1 npm run bench:http         (one JSON line instead of the tables)
//   BENCH_PROFILE=/tmp/prof npm run bench:http   (V8 CPU profiles of the modelreg server, and of the floor in /tmp/prof/floor)
//   BENCH_ACTIONS=DescribeModel npm run bench:http (some of the actions only)
//   BENCH_MODELREG_ROOT=<checkout> npm run bench:http (the modelreg server of another checkout)
//   BENCH_FASTIFY_FLOOR=0 npm run bench:http (without the floor's work inside Fastify, measured by default)
//   BENCH_FIXED_RATE=0 npm run bench:http   (without the p99 at a fixed offered rate; BENCH_RATE=<req/s>
//                                   sets that rate, default half the floor's median req/s)
//   BENCH_BASELINE_ROOT=<checkout> npm run bench:http (also that checkout's server, on the same
//                                   database, in the same rounds: before/after side by side)
// Every server is a child process so that the load generator does not share its event loop.
// The modelreg server is the real CLI (`serve`) on SQLite in a temp dir with a bootstrap key and
// one Ready model version in the first of 11 sets; its request log goes to /dev/null at the
// default level (info). CreateCustomModelSet is signed by a key of a second account, so the
// listed account keeps its 11 sets.
// Signatures: autocannon cannot sign each request, so each action's request is signed at the start
// (valid for 1800 s) and replayed; the servers still verify it on every request. CreateCustomModelSet
// needs a new name per request: autocannon's [<id>] replacement gives fixed-length unique names,
// so the signed content-length stays right.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { writeTinyCausalLM } from '../test/fixtures/model-builder.js';
import { cpuSeconds, freePort, median, post, postRaw, ROOT, runNode, signedHeaders, spawnChild, startModelreg, stopChildren, waitReady, waitUntilUp, newKey, type Key } from './lib/servers.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const FIXED_RATE = process.env.BENCH_FIXED_RATE !== '0';

interface Measured {
  /** CPU time (user + system) the server process spent per answered request, µs. */
  cpuUsPerRequest?: number;
  requestsPerSec: number;
  /** Mean latency, ms. */
  mean: number;
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
  /** The key it is signed with. */
  key: Key;
}

/** `rate`: the offered rate over all connections (autocannon's overallRate, latencies corrected for coordinated omission); closed loop without. */
async function load(url: string, c: Case, seconds: number, pid?: number, rate?: number): Promise<Measured> {
  const cpuBefore = cpuSeconds(pid);
  const ids = (c.body.match(/\[<id>\]/g) ?? []).length;
  const bodyLength = Buffer.byteLength(c.body) + ids * 27;
  // autocannon sends Host and Content-Length itself (the same values that were signed).
  const { host: _host, 'content-length': _len, ...send } = signedHeaders(new URL(url).host, c.key, c.action, bodyLength);
  const r = await autocannon({
    url: `${url}/v2/model?Action=${c.action}`,
    method: 'POST',
    headers: send,
    body: c.body,
    idReplacement: ids > 0,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
  });
  const cpuAfter = cpuSeconds(pid);
  const cpuUsPerRequest = cpuBefore !== undefined && cpuAfter !== undefined && r.requests.total > 0 ? Math.round(((cpuAfter - cpuBefore) * 1e6) / r.requests.total) : undefined;
  return { cpuUsPerRequest, requestsPerSec: r.requests.average, mean: r.latency.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-bench-'));
  try {
    const key = newKey();
    const masterKey = randomBytes(32).toString('base64');
    const dataDir = path.join(work, 'data');
    await writeTinyCausalLM(path.join(dataDir, 'buckets', 'models', 'tiny'));

    const regPort = await freePort();
    const regUrl = `http://127.0.0.1:${regPort}`;
    // BENCH_PROFILE=<dir>: write a V8 CPU profile of the modelreg server there (see README).
    const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
    // The run creates tens of thousands of sets; the sets quota (1000) would refuse them.
    const serverEnv = { MODELREG_QUOTA_MODEL_SETS: '0' };
    const reg = await startModelreg({ port: regPort, dataDir, key, masterKey, nodeArgs: prof, env: serverEnv, root: process.env.BENCH_MODELREG_ROOT ? path.resolve(process.env.BENCH_MODELREG_ROOT) : ROOT });

    // One Ready version to describe, in the first of eleven sets (the listed page of ten).
    const { modelSetId } = await post(regUrl, key, 'CreateCustomModelSet', { modelSetName: 'bench_set', modelType: 'Text2Text' });
    for (let i = 1; i < 11; i++) await post(regUrl, key, 'CreateCustomModelSet', { modelSetName: `bench_set_${i}`, modelType: 'Text2Text', labels: ['bench'] });
    const { modelId } = await post(regUrl, key, 'CreateCustomModel', {
      modelSetId,
      sourceType: 'Import',
      importMeta: { bucket: 'models', objectPath: 'tiny', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' },
    });
    await waitReady(regUrl, key, modelId);

    // CreateCustomModelSet runs with a key of another account: the listed account keeps its
    // eleven sets (the listing's totalCount counts an account's sets, see README), as it would
    // if the writers were other teams.
    const cli = ['--import', 'tsx', 'src/cli/main.ts'];
    const adminEnv = { MODELREG_MASTER_KEY: masterKey, MODELREG_DATA_DIR: dataDir };
    await runNode([...cli, 'account', 'create', 'bench_writer'], adminEnv);
    const writer = JSON.parse(await runNode([...cli, 'key', 'create', '--account', 'bench_writer', '--policy', 'QianfanFullControlAccessPolicy'], adminEnv)) as Key;

    // BENCH_ACTIONS=DescribeModel,… measures only those (e.g. for a profile of one action).
    const only = process.env.BENCH_ACTIONS?.split(',');
    const cases: Case[] = [
      { action: 'DescribeModel', body: JSON.stringify({ modelId }), key },
      { action: 'DescribeCustomModelSets', body: JSON.stringify({ maxKeys: 10 }), key },
      { action: 'CreateCustomModelSet', body: '{"modelSetName":"b[<id>]","modelType":"Text2Text"}', key: writer },
    ].filter((c) => !only || only.includes(c.action));

    // The bare server answers, per action, the very bytes modelreg answers.
    const fixed: Record<string, string> = {};
    for (const c of cases) {
      const r = await postRaw(regUrl, c.key, c.action, c.body.replace('[<id>]', 'x'.repeat(33)));
      if (r.status !== 200) throw new Error(`signed ${c.action}: ${r.status} ${r.text}`);
      fixed[c.action] = r.text;
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
    // With BENCH_PROFILE the floor is profiled too (into <dir>/floor), to compare where each spends its time.
    const floorProf = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE, 'floor')}`] : [];
    const floor = spawnChild([...floorProf, '--import', 'tsx', 'bench/floor-server.ts'], { FLOOR_DB: path.join(dataDir, 'modelreg.sqlite'), FLOOR_MASTER_KEY: masterKey, FLOOR_PORT: String(floorPort) });
    await waitUntilUp(floorUrl);
    for (const c of cases) {
      const r = await postRaw(floorUrl, c.key, c.action, c.body.replace('[<id>]', 'y'.repeat(33)));
      if (r.status !== 200) throw new Error(`floor ${c.action}: ${r.status} ${r.text}`);
    }

    // BENCH_FASTIFY_FLOOR=1: the floor's work inside Fastify too (what the framework adds).
    let fastifyFloor: { url: string; pid: number | undefined } | undefined;
    if (process.env.BENCH_FASTIFY_FLOOR !== '0') {
      const port = await freePort();
      const child = spawnChild(['--import', 'tsx', 'bench/floor-server.ts'], { FLOOR_DB: path.join(dataDir, 'modelreg.sqlite'), FLOOR_MASTER_KEY: masterKey, FLOOR_PORT: String(port), FLOOR_FRAMEWORK: 'fastify' });
      fastifyFloor = { url: `http://127.0.0.1:${port}`, pid: child.pid };
      await waitUntilUp(fastifyFloor.url);
    }

    // BENCH_BASELINE_ROOT=<checkout>: that checkout's server too, on the same database, measured
    // in the same rounds ("before" a change, side by side with "after").
    let before: { url: string; pid: number | undefined } | undefined;
    if (process.env.BENCH_BASELINE_ROOT) {
      const port = await freePort();
      const child = await startModelreg({ port, dataDir, key, masterKey, env: serverEnv, root: path.resolve(process.env.BENCH_BASELINE_ROOT) });
      before = { url: `http://127.0.0.1:${port}`, pid: child.pid };
      // The answers must not change: the reads' bytes, but for the requestId, are the same.
      for (const c of cases.filter((x) => !x.body.includes('[<id>]'))) {
        const r = await postRaw(before.url, c.key, c.action, c.body);
        const requestIdless = (text: string) => text.replace(/"requestId":"[^"]*"/, '"requestId":""');
        if (requestIdless(r.text) !== requestIdless(fixed[c.action]!)) throw new Error(`${c.action}: the answer differs from BENCH_BASELINE_ROOT's:\n${fixed[c.action]}\n${r.text}`);
      }
    }

    type Target = 'bare' | 'floor' | 'fastifyFloor' | 'modelreg' | 'before';
    const targets: Partial<Record<Target, string>> = { bare: bareUrl, floor: floorUrl, ...(fastifyFloor && { fastifyFloor: fastifyFloor.url }), modelreg: regUrl, ...(before && { before: before.url }) };
    const names = Object.keys(targets) as Target[];
    const pids: Partial<Record<Target, number | undefined>> = { bare: bare.pid, floor: floor.pid, fastifyFloor: fastifyFloor?.pid, modelreg: reg.pid, before: before?.pid };
    const runs: Record<string, Partial<Record<Target, Measured[]>>> = {};
    // Warm each up (JIT, caches), then measure: per round, per action, the targets back to back.
    for (const c of cases) for (const t of names) await load(targets[t]!, c, WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        const cell = (runs[c.action] ??= {});
        for (const t of names) {
          const m = await load(targets[t]!, c, DURATION, pids[t]);
          if (m.non2xx > 0 || m.errors > 0) throw new Error(`${t} ${c.action}: ${m.non2xx} non-2xx answers and ${m.errors} errors`);
          (cell[t] ??= []).push(m);
        }
      }
    }
    // The tail at a fixed offered rate (half the floor's closed-loop median unless BENCH_RATE):
    // with 50 connections each waiting for its answer, a closed loop runs at saturation and its
    // mean latency is connections / throughput (Little's law), so its p99 says as much about
    // throughput as about the tail. Every target but bare, once per action, after the rounds.
    const atRate: Record<string, { rate: number } & Partial<Record<Target, Measured>>> = {};
    if (FIXED_RATE) {
      for (const c of cases) {
        const rate = Number(process.env.BENCH_RATE ?? 0) || Math.round(median(runs[c.action]!.floor!.map((m) => m.requestsPerSec)) / 2);
        const cell: { rate: number } & Partial<Record<Target, Measured>> = { rate };
        for (const t of names.filter((n) => n !== 'bare')) {
          const m = await load(targets[t]!, c, DURATION, pids[t], rate);
          if (m.non2xx > 0 || m.errors > 0) throw new Error(`${t} ${c.action} at ${rate} req/s: ${m.non2xx} non-2xx answers and ${m.errors} errors`);
          cell[t] = m;
        }
        atRate[c.action] = cell;
      }
    }
    if (reg.exitCode !== null) throw new Error('the modelreg server died');

    const summary = Object.fromEntries(
      cases.map(({ action }) => {
        const cell = runs[action]!;
        const med = (t: Target) => ({
          requestsPerSec: Math.round(median(cell[t]!.map((m) => m.requestsPerSec))),
          cpuUsPerRequest: Math.round(median(cell[t]!.map((m) => m.cpuUsPerRequest ?? NaN))),
          mean: Math.round(median(cell[t]!.map((m) => m.mean)) * 100) / 100,
          p50: median(cell[t]!.map((m) => m.p50)),
          p99: median(cell[t]!.map((m) => m.p99)),
        });
        // Per round (side by side), then the median over rounds; "cpu" ratios from CPU time per
        // request (less sensitive to other load on the machine): reference µs ÷ server µs.
        const ratios = (server: Target) => ({
          vsFloor: round3(median(cell[server]!.map((m, i) => m.requestsPerSec / cell.floor![i]!.requestsPerSec))),
          vsBare: round3(median(cell[server]!.map((m, i) => m.requestsPerSec / cell.bare![i]!.requestsPerSec))),
          cpuVsFloor: round3(median(cell[server]!.map((m, i) => (cell.floor![i]!.cpuUsPerRequest ?? NaN) / (m.cpuUsPerRequest ?? NaN)))),
          cpuVsBare: round3(median(cell[server]!.map((m, i) => (cell.bare![i]!.cpuUsPerRequest ?? NaN) / (m.cpuUsPerRequest ?? NaN)))),
        });
        return [
          action,
          {
            responseBytes: Buffer.byteLength(fixed[action]!),
            ...Object.fromEntries(names.map((t) => [t, med(t)])),
            ...ratios('modelreg'),
            ...(before && { before: { ...med('before'), ...ratios('before') } }),
            ...(fastifyFloor && { fastifyFloor: { ...med('fastifyFloor'), ...ratios('fastifyFloor') } }),
            rounds: cell,
            ...(atRate[action] && { fixedRate: atRate[action] }),
          } as Record<string, any>,
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
      const rows = (label: string, s: Record<string, any>, m: Record<string, any>, r: Record<string, any>) =>
        `| ${label} | ${s.responseBytes} | ${s.bare.requestsPerSec} | ${s.floor.requestsPerSec} | ${m.requestsPerSec} | ${m.p50} / ${m.p99} | ${s.floor.p50} / ${s.floor.p99} | **${r.vsFloor}** | **${r.vsBare}** |`;
      console.log('| action | answer bytes | bare req/s | floor req/s | server req/s | server p50 / p99 ms | floor p50 / p99 ms | server / floor | server / bare |');
      console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
      for (const [action, s] of Object.entries(summary)) {
        console.log(rows(action, s, s.modelreg, s));
        if (s.before) console.log(rows(`${action} (BENCH_BASELINE_ROOT)`, s, s.before, s.before));
        if (s.fastifyFloor) console.log(rows(`${action} (the floor in Fastify)`, s, s.fastifyFloor, s.fastifyFloor));
      }
      console.log('\nCPU time of the server process per request (µs), and the same ratios from it (reference µs ÷ server µs):');
      console.log('| action | bare µs | floor µs | server µs | server / floor | server / bare |');
      console.log('| --- | --- | --- | --- | --- | --- |');
      for (const [action, s] of Object.entries(summary)) {
        console.log(`| ${action} | ${s.bare.cpuUsPerRequest} | ${s.floor.cpuUsPerRequest} | ${s.modelreg.cpuUsPerRequest} | ${s.cpuVsFloor} | ${s.cpuVsBare} |`);
        if (s.before) console.log(`| ${action} (BENCH_BASELINE_ROOT) | ${s.bare.cpuUsPerRequest} | ${s.floor.cpuUsPerRequest} | ${s.before.cpuUsPerRequest} | ${s.before.cpuVsFloor} | ${s.before.cpuVsBare} |`);
        if (s.fastifyFloor) console.log(`| ${action} (the floor in Fastify) | ${s.bare.cpuUsPerRequest} | ${s.floor.cpuUsPerRequest} | ${s.fastifyFloor.cpuUsPerRequest} | ${s.fastifyFloor.cpuVsFloor} | ${s.fastifyFloor.cpuVsBare} |`);
      }
      const label = (t: Target) => ({ bare: 'bare', floor: 'floor', fastifyFloor: 'the floor in Fastify', modelreg: 'server', before: 'BENCH_BASELINE_ROOT' })[t];
      console.log(`\nClosed loop (${CONNECTIONS} connections, each sending its next request on its answer): Little's law, mean latency = connections / req/s:`);
      console.log('| action | target | req/s | connections / req/s ms | measured mean ms | p99 ms |');
      console.log('| --- | --- | --- | --- | --- | --- |');
      for (const [action, s] of Object.entries(summary)) {
        for (const t of names) console.log(`| ${action} | ${label(t)} | ${s[t].requestsPerSec} | ${((1000 * CONNECTIONS) / s[t].requestsPerSec).toFixed(2)} | ${s[t].mean} | ${s[t].p99} |`);
      }
      if (FIXED_RATE) {
        console.log(`\nAt a fixed offered rate (${CONNECTIONS} connections, autocannon overallRate, latencies corrected for coordinated omission; ${DURATION} s each):`);
        console.log('| action | offered req/s | target | answered req/s | p50 ms | p99 ms | CPU µs per request |');
        console.log('| --- | --- | --- | --- | --- | --- | --- |');
        for (const [action, f] of Object.entries(atRate)) {
          for (const t of names.filter((n) => n !== 'bare')) {
            const m = f[t]!;
            console.log(`| ${action} | ${f.rate} | ${label(t)} | ${Math.round(m.requestsPerSec)} | ${m.p50} | ${m.p99} | ${m.cpuUsPerRequest} |`);
          }
        }
      }
      console.log('goals: modelreg / floor ≥ 0.8, modelreg / bare ≥ 0.3, modelreg p99 < 10 ms');
    }
  } finally {
    await stopChildren();
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
