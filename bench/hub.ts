// Hub API benchmark (issue 12): snapshotDownload of a model through modelreg's local store, against
// `cat` copying the same files in the same run; and resolve requests per second against a bare
// node:http server answering the same bytes, measured with the same load in the same run.
//
//   npm run bench:hub
//   BENCH_HUB_BYTES=2147483648 npm run bench:hub       (a multi-GB model; default 512 MiB)
// Environment (all optional):
//   BENCH_HUB_BYTES=536870912   model size; scaled down when the disk cannot hold the model, its
//                               registry copy and two downloads (checked with df first)
//   BENCH_HUB_ROUNDS=2          rounds of (cat, snapshotDownload); round 1 warms up, the fastest
//                               later one of each is reported
//   BENCH_DURATION=10           seconds of resolve load per target (autocannon, BENCH_CONNECTIONS=16)
//   BENCH_WRITE_README=0        do not rewrite the Hub section of bench/README.md
//
// Method: the model (a valid sharded BF16 safetensors model) is generated in the server's buckets
// dir and imported through the signed API into a real `modelreg serve` child process (local object
// store, SQLite). A read token is made with CreateReadToken. Download: the real @huggingface/hub
// client's snapshotDownload (revision V1) into a fresh cache dir on the same filesystem, in this
// process, wall time from the call to its return (repo info, tree, paths-info and every resolve,
// streamed from the registry's blobs). Baseline: `cat src > dst` of every file of the version's
// source directory into a fresh directory on the same filesystem (the same bytes read and written).
// Also: curl fetching every file through resolve, to show the server's share apart from the client's.
// Resolve: GET /{ns}/{name}/resolve/V1/config.json with the bearer token (token lookup, revision
// resolution, manifest, stream of a small blob) against a bare node:http answering the same bytes.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { snapshotDownload } from '@huggingface/hub';
import { writeLargeModel } from '../test/fixtures/model-builder.js';
import { writeReadmeBlock } from './lib/readme-section.js';
import { freePort, newKey, post, spawnChild, startModelreg, stopChildren, waitReady, waitUntilUp } from './lib/servers.js';

const execAsync = promisify(execFile);
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const num = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const ROUNDS = Math.max(2, num('BENCH_HUB_ROUNDS', 2));
const DURATION = num('BENCH_DURATION', 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 16);
console.debug = () => {};

function freeBytes(dir: string): number {
  return Number(execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).trim().split('\n').pop());
}

function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, r));
    else out.push(r);
  }
  return out.sort();
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

interface Measured {
  requestsPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(url: string, headers: Record<string, string>, seconds: number): Promise<Measured> {
  const r = await autocannon({ url, method: 'GET', headers, connections: CONNECTIONS, pipelining: 1, duration: seconds });
  return { requestsPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total };
}

async function main(): Promise<void> {
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-bench-hub-'));
  try {
    // The model, its registry copy and two downloads (cat's and the client's) must fit.
    let size = num('BENCH_HUB_BYTES', 512 * MiB);
    const free = freeBytes(work);
    if (size * 4.2 > free) {
      size = Math.floor(free / 4.2 / MiB) * MiB;
      console.error(`bench:hub: only ${(free / GiB).toFixed(1)} GiB free; using a ${(size / GiB).toFixed(2)} GiB model`);
    }
    const key = newKey();
    const dataDir = path.join(work, 'data');
    const modelDir = path.join(dataDir, 'buckets', 'bench', 'big');
    await writeLargeModel(modelDir, size, { shardBytes: Math.min(GiB, Math.max(64 * MiB, Math.floor(size / 2))) });
    const files = filesUnder(modelDir);
    const totalBytes = files.reduce((n, f) => n + fs.statSync(path.join(modelDir, f)).size, 0);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await startModelreg({ port, dataDir, key, masterKey: randomBytes(32).toString('base64') });
    const { modelSetId } = await post(url, key, 'CreateCustomModelSet', { modelSetName: 'bench_hub', modelType: 'Text2Text' });
    const { modelId } = await post(url, key, 'CreateCustomModel', {
      modelSetId,
      sourceType: 'Import',
      importMeta: { bucket: 'bench', objectPath: 'big', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'completion', transformerVersion: '4.36.2' },
    });
    await waitReady(url, key, modelId, 600_000);
    const { token } = await post(url, key, 'CreateReadToken', { name: 'bench' });
    const repo = `default/bench_hub`;

    const catTimes: number[] = [];
    const dlTimes: number[] = [];
    const curlTimes: number[] = [];
    const commit = (await (await fetch(`${url}/api/models/${repo}/revision/V1`, { headers: { authorization: `Bearer ${token}` } })).json()).sha as string;
    for (let round = 1; round <= ROUNDS; round++) {
      const catDir = path.join(work, `cat-${round}`);
      catTimes.push(
        await timed(() => {
          for (const f of files) fs.mkdirSync(path.dirname(path.join(catDir, f)), { recursive: true });
          execFileSync('sh', ['-c', files.map((f) => `cat '${path.join(modelDir, f)}' > '${path.join(catDir, f)}'`).join(' && ')]);
        }),
      );
      fs.rmSync(catDir, { recursive: true, force: true });
      // The server alone: curl fetching every file through resolve (pinned to the commit), into files.
      const curlDir = path.join(work, `curl-${round}`);
      curlTimes.push(
        await timed(async () => {
          for (const f of files) fs.mkdirSync(path.dirname(path.join(curlDir, f)), { recursive: true });
          await execAsync('curl', ['-sSf', '-H', `authorization: Bearer ${token}`, ...files.flatMap((f) => ['-o', path.join(curlDir, f), `${url}/${repo}/resolve/${commit}/${f.split('/').map(encodeURIComponent).join('/')}`])]);
        }),
      );
      fs.rmSync(curlDir, { recursive: true, force: true });
      const cacheDir = path.join(work, `hf-${round}`);
      let folder = '';
      dlTimes.push(await timed(async () => void (folder = await snapshotDownload({ repo, revision: 'V1', cacheDir, hubUrl: url, accessToken: token }))));
      const got = filesUnder(folder);
      if (got.join() !== files.join()) throw new Error(`the snapshot holds ${got.length} files, not ${files.length}`);
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
    const best = (xs: number[]) => Math.min(...xs.slice(1));
    const cat = best(catTimes);
    const dl = best(dlTimes);
    const curl = best(curlTimes);

    // Resolve requests per second: modelreg vs a bare node:http answering the same bytes.
    const resolveUrl = `${url}/${repo}/resolve/V1/config.json`;
    const sample = await fetch(resolveUrl, { headers: { authorization: `Bearer ${token}` } });
    const fixed = Buffer.from(await sample.arrayBuffer());
    if (sample.status !== 200) throw new Error(`resolve: ${sample.status}`);
    const barePort = await freePort();
    const bareUrl = `http://127.0.0.1:${barePort}`;
    spawnChild(['-e', `
      const body = Buffer.from(process.env.BENCH_FIXED, 'base64');
      require('node:http').createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, etag: '"x"' });
        res.end(body);
      }).listen(${barePort}, '127.0.0.1');`], { BENCH_FIXED: fixed.toString('base64') });
    await waitUntilUp(bareUrl);
    const auth = { authorization: `Bearer ${token}` };
    await load(resolveUrl, auth, 3);
    await load(`${bareUrl}/x`, auth, 3);
    const bare = await load(`${bareUrl}/x`, auth, DURATION);
    const reg = await load(resolveUrl, auth, DURATION);
    if (reg.non2xx > 0 || reg.errors > 0) throw new Error(`modelreg answered ${reg.non2xx} non-2xx and ${reg.errors} errors`);

    const gb = (s: number) => (totalBytes / 1e9 / s).toFixed(2);
    const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
    const lines = [
      `Run ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / GiB)} GiB, Node ${process.version}; a ${(totalBytes / GiB).toFixed(2)} GiB model (${files.length} files) in the local store; ${ROUNDS} rounds; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; took ${Math.round((Date.now() - started) / 1000)} s.`,
      '',
      '| measure | seconds | GB/s | vs cat |',
      '|---|---:|---:|---:|',
      `| \`cat\` of the files into a directory | ${cat.toFixed(2)} | ${gb(cat)} | 1.00 |`,
      `| **snapshotDownload (@huggingface/hub) of V1** | ${dl.toFixed(2)} | ${gb(dl)} | **${(cat / dl).toFixed(2)}** (goal ≥ 0.7) |`,
      `| \`curl\` of every file through resolve (the server without the JS client) | ${curl.toFixed(2)} | ${gb(curl)} | ${(cat / curl).toFixed(2)} |`,
      '',
      `Every round (seconds; round 1 is the warm-up): cat ${catTimes.map((x) => x.toFixed(2)).join(', ')}; snapshotDownload ${dlTimes.map((x) => x.toFixed(2)).join(', ')}; curl ${curlTimes.map((x) => x.toFixed(2)).join(', ')}.`,
      '',
      `Resolve of a ${fixed.length}-byte file, ${CONNECTIONS} connections, ${DURATION} s each:`,
      '',
      '| target | req/s | p50 ms | p99 ms | requests |',
      '|---|---:|---:|---:|---:|',
      `| bare node:http, the same bytes | ${Math.round(bare.requestsPerSec)} | ${bare.p50} | ${bare.p99} | ${bare.total} |`,
      `| **modelreg GET /{ns}/{name}/resolve/V1/config.json** (bearer token) | ${Math.round(reg.requestsPerSec)} | ${reg.p50} | ${reg.p99} | ${reg.total} |`,
      '',
      `ratio modelreg / bare: **${(reg.requestsPerSec / bare.requestsPerSec).toFixed(2)}**`,
    ];
    console.log(lines.join('\n'));
    if (process.env.BENCH_WRITE_README !== '0') {
      writeReadmeBlock('hub', 'Hub API (`npm run bench:hub`)', 'bench/hub.ts (size and rounds configurable, see its header): `snapshotDownload` of a generated model through the local store against `cat` of the same files, and resolve requests per second against a bare node:http server, in the same run.', lines.join('\n'));
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
