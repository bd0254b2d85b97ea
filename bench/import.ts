// Import benchmark (issue 7): how fast a multi-GB model is imported, against `sha256sum` of the same
// files in the same run, and how much memory the server needs to do it.
//
//   npm run bench:import
//   BENCH_IMPORT_BYTES=536870912 npm run bench:import     (a quicker run: 512 MiB)
// Environment (all optional):
//   BENCH_IMPORT_BYTES=2147483648   model size (default 2 GiB); scaled down when the disk cannot hold
//                                   the model and its registry copy (checked with df first)
//   BENCH_IMPORT_SHARD_BYTES=…      shard size (default 1 GiB, like real checkpoints)
//   BENCH_WRITE_README=0            do not rewrite the Import section of bench/README.md
//
// Method: the model (a valid sharded BF16 safetensors model, test/fixtures/model-builder.ts) is
// generated in a temp dir that is the server's buckets dir. Baseline: `sha256sum` over all its files,
// run twice, the second (warm page cache) timed. Import: a real `modelreg serve` child process (local
// object store, SQLite, importConcurrency 1); CreateCustomModel through the signed API, then
// DescribeModel polled every 50 ms until Ready; wall time from the create request to Ready. Run
// twice (the first version deleted in between, so the disk holds one copy), the second timed: the
// same warm cache as the baseline. The import reads every byte once, hashes it (sha256), validates
// the safetensors headers, and writes (and fsyncs) the registry's copy. Peak RSS is the server
// process's VmHWM from /proc/<pid>/status at the end; VmRSS is also sampled every 100 ms.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { call } from '../test/helpers/harness.js';
import { writeLargeModel } from '../test/fixtures/model-builder.js';
import { clusterSecrets, spawnServer } from '../test/scale/cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};
const log = (msg: string) => process.stderr.write(`[bench:import ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bytes free on the filesystem holding dir (df). */
function freeBytes(dir: string): number {
  const out = execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' });
  return Number(out.trim().split('\n').pop());
}

/** Every file under dir, absolute, sorted. */
function filesOf(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

function timeSha256sum(files: string[]): number {
  const t = process.hrtime.bigint();
  execFileSync('sha256sum', files, { stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Node's own sha256 over the same files (4 MiB reads): the single-core bound the import works under. */
async function timeNodeSha256(files: string[]): Promise<number> {
  const t = process.hrtime.bigint();
  for (const f of files) {
    const h = createHash('sha256');
    for await (const chunk of fs.createReadStream(f, { highWaterMark: 4 * MiB })) h.update(chunk as Buffer);
    h.digest('hex');
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function procStatus(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface ImportRun {
  seconds: number;
  status: string;
  failureReason?: string;
  modelId: string;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-bench-import-'));
  const started = Date.now();
  let stopServer: (() => Promise<void>) | undefined;
  try {
    // The model, its registry copy, and slack for the database and the filesystem.
    const wanted = num('BENCH_IMPORT_BYTES', 2 * GiB);
    const free = freeBytes(work);
    const fits = Math.floor((free - GiB) / 2.2);
    const size = Math.min(wanted, fits);
    if (size < 256 * MiB) throw new Error(`only ${(free / GiB).toFixed(1)} GiB free under ${work}: not enough for a meaningful import benchmark`);
    if (size < wanted) log(`only ${(free / GiB).toFixed(1)} GiB free: scaling the model down to ${(size / GiB).toFixed(2)} GiB`);

    const dataDir = path.join(work, 'data');
    const modelDir = path.join(dataDir, 'buckets', 'bench', 'model');
    log(`writing a ${(size / GiB).toFixed(2)} GiB model to ${modelDir}`);
    const built = await writeLargeModel(modelDir, size, { shardBytes: num('BENCH_IMPORT_SHARD_BYTES', GiB) });
    const files = filesOf(modelDir);
    const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    log(`${files.length} files, ${(bytes / GiB).toFixed(2)} GiB, ${built.weightFiles.length} shards`);

    log('baseline: sha256sum, twice');
    timeSha256sum(files);
    const shaSeconds = timeSha256sum(files);
    await timeNodeSha256(files);
    const nodeShaSeconds = await timeNodeSha256(files);

    const secrets = clusterSecrets();
    const server = await spawnServer({
      dataDir,
      secrets,
      keepOutput: false,
      env: { MODELREG_IMPORT_CONCURRENCY: '1', MODELREG_JOB_POLL_MS: '100', MODELREG_RATE_LIMIT_PER_SECOND: '0' },
    });
    stopServer = () => server.stop();
    let peakSampledRss = 0;
    const sampler = setInterval(() => {
      peakSampledRss = Math.max(peakSampledRss, procStatus(server.pid, 'VmRSS'));
    }, 100);
    const idleRss = procStatus(server.pid, 'VmRSS');
    const { modelSetId } = await call(server, secrets.key, 'CreateCustomModelSet', { modelSetName: `bench_import_${Date.now()}`, modelType: 'Text2Text' });

    const importOnce = async (): Promise<ImportRun> => {
      const t = process.hrtime.bigint();
      const { modelId } = await call(server, secrets.key, 'CreateCustomModel', {
        modelSetId,
        sourceType: 'Import',
        importMeta: { bucket: 'bench', objectPath: 'model', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'completion', transformerVersion: '4.36.2' },
      });
      for (;;) {
        const d = await call(server, secrets.key, 'DescribeModel', { modelId });
        if (d.status !== 'Creating') return { seconds: Number(process.hrtime.bigint() - t) / 1e9, status: d.status, failureReason: d.failureReason, modelId };
        await sleep(50);
      }
    };
    log('import, twice');
    const first = await importOnce();
    if (first.status !== 'Ready') throw new Error(`the import ended ${first.status}: ${first.failureReason}`);
    await call(server, secrets.key, 'DeleteModel', { modelId: first.modelId });
    const second = await importOnce();
    if (second.status !== 'Ready') throw new Error(`the import ended ${second.status}: ${second.failureReason}`);
    clearInterval(sampler);
    const hwm = procStatus(server.pid, 'VmHWM');
    await server.stop();
    stopServer = undefined;

    const gbps = (s: number) => bytes / s / 1e9;
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const ratio = gbps(second.seconds) / gbps(shaSeconds);
    const md = [
      `Run ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / GiB)} GiB, Node ${process.version}; ` +
        `a ${(bytes / GiB).toFixed(2)} GiB model (${files.length} files, ${built.weightFiles.length} safetensors shards) in the local object store; took ${Math.round((Date.now() - started) / 1000)} s.`,
      '',
      '| measure | seconds | GB/s | vs sha256sum |',
      '|---|---:|---:|---:|',
      `| \`sha256sum\` of the files (warm cache) | ${shaSeconds.toFixed(2)} | ${gbps(shaSeconds).toFixed(2)} | 1.00 |`,
      `| Node sha256, 4 MiB reads (reference) | ${nodeShaSeconds.toFixed(2)} | ${gbps(nodeShaSeconds).toFixed(2)} | ${(shaSeconds / nodeShaSeconds).toFixed(2)} |`,
      `| import, CreateCustomModel → Ready (first run) | ${first.seconds.toFixed(2)} | ${gbps(first.seconds).toFixed(2)} | ${(shaSeconds / first.seconds).toFixed(2)} |`,
      `| **import, CreateCustomModel → Ready (timed run)** | ${second.seconds.toFixed(2)} | ${gbps(second.seconds).toFixed(2)} | **${ratio.toFixed(2)}** (goal ≥ 0.8) |`,
      '',
      `Server peak RSS (VmHWM, whole run incl. both imports): **${(hwm / MiB).toFixed(0)} MiB** (goal < 200 MiB); idle after start ${(idleRss / MiB).toFixed(0)} MiB; highest sampled VmRSS ${(peakSampledRss / MiB).toFixed(0)} MiB.`,
    ].join('\n');
    process.stdout.write(md + '\n');
    if (process.env.BENCH_WRITE_README !== '0') {
      writeReadme(md);
      log('bench/README.md updated (Import section)');
    }
  } finally {
    await stopServer?.().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const BEGIN = '<!-- bench:import:begin (written by npm run bench:import) -->';
const END = '<!-- bench:import:end -->';

/** Replaces the generated part of the Import section of bench/README.md (adds the section if missing). */
function writeReadme(markdown: string): void {
  const file = path.join(ROOT, 'bench', 'README.md');
  const block = `${BEGIN}\n${markdown}\n${END}`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  if (text.includes(BEGIN) && text.includes(END)) {
    text = text.slice(0, text.indexOf(BEGIN)) + block + text.slice(text.indexOf(END) + END.length);
  } else {
    text = `${text.replace(/\n*$/, '\n')}\n## Import\n\n\`npm run bench:import\` (bench/import.ts; the model size is configurable, see its header). ` +
      'Import throughput of a multi-GB generated model against `sha256sum` of the same files in the same run, and the server\'s peak memory.\n\n' +
      `${block}\n`;
  }
  fs.writeFileSync(file, text);
}

main().catch((err) => {
  process.stderr.write(`bench:import failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
