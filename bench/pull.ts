// Pull benchmark (issue 11): `modelreg pull` of a model from the local store against `cat` of the
// same files to /dev/null in the same run; peak memory of the server and of the CLI; and registry
// bytes used by three imports of one model ÷ the model's bytes (content-addressed dedup).
//
//   npm run bench:pull
//   BENCH_PULL_BYTES=4294967296 npm run bench:pull      (a multi-GB model)
// Environment (all optional):
//   BENCH_PULL_BYTES=536870912     model size (default 512 MiB, modest for a shared machine)
//   BENCH_PULL_SHARD_BYTES=…       shard size (default 256 MiB)
//   BENCH_PULL_ROUNDS=2            rounds of (cat, pull); round 1 warms the page cache, the fastest
//                                  later one of each is reported
//   BENCH_WRITE_README=0           do not rewrite the Pull section of bench/README.md
//
// Method: the model (test/fixtures/model-builder.ts) is written into the buckets dir of a real
// `modelreg serve` (compiled JS, SQLite, local store), imported three times from the same path; the
// registry's blobs/ directory is measured (du -sb). Then rounds alternate `cat FILES > /dev/null`
// (the baseline: reading the same bytes from the same disk) and `modelreg pull amv-… DIR`
// (compiled CLI, 4 files in parallel, into a fresh directory on the same filesystem; every file's
// sha256 verified). CLI peak RSS: /usr/bin/time -f %M; server peak RSS: VmHWM in /proc at the end.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { call } from '../test/helpers/harness.js';
import { writeLargeModel } from '../test/fixtures/model-builder.js';
import { clusterSecrets } from '../test/integration/scale/cluster.js';
import { writeReadmeBlock } from './lib/readme-section.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
};
const log = (msg: string) => process.stderr.write(`[bench:pull ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const procStatus = (pid: number, field: 'VmHWM' | 'VmRSS') => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const duBytes = (dir: string) => Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

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

function timeCat(files: string[]): number {
  const t = process.hrtime.bigint();
  execFileSync('sh', ['-c', 'cat "$@" > /dev/null', 'cat', ...files], { stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Compiles src/ once (tsc) so the server and the CLI run as `node bin/modelreg.js` would. */
function compile(): string {
  const dist = path.join(ROOT, '.test-tmp', `bench-pull-dist-${process.pid}`);
  log('compiling (tsc)');
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', dist, '--sourceMap', 'false'], { stdio: 'ignore' });
  } catch {
    // tsc exits non-zero on type errors but still emits.
  }
  if (!fs.existsSync(path.join(dist, 'cli', 'main.js'))) throw new Error('tsc did not produce cli/main.js');
  return dist;
}

const mainArgs = (dist: string, args: string[]) => ['-e', `import(${JSON.stringify(path.join(dist, 'cli', 'main.js'))}).then((m) => m.main([process.argv[0], 'modelreg', ...process.argv.slice(1)]))`, '--', ...args];

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-bench-pull-'));
  const dist = compile();
  const secrets = clusterSecrets();
  let server: ReturnType<typeof spawn> | undefined;
  try {
    const size = num('BENCH_PULL_BYTES', 512 * MiB);
    const dataDir = path.join(work, 'data');
    const modelDir = path.join(dataDir, 'buckets', 'bench', 'model');
    log(`writing a ${(size / GiB).toFixed(2)} GiB model`);
    await writeLargeModel(modelDir, size, { shardBytes: num('BENCH_PULL_SHARD_BYTES', 256 * MiB) });
    const files = filesOf(modelDir);
    const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);

    server = spawn(process.execPath, mainArgs(dist, ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir]), {
      cwd: ROOT,
      env: { ...process.env, MODELREG_LOG_LEVEL: 'info', MODELREG_MASTER_KEY: secrets.masterKey, MODELREG_BOOTSTRAP_ACCESS_KEY: secrets.key.accessKey, MODELREG_BOOTSTRAP_SECRET_KEY: secrets.key.secretKey, MODELREG_RATE_LIMIT_PER_SECOND: '0', MODELREG_JOB_POLL_MS: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 60_000);
      server!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /"url":"(http:[^"]+)"[^\n]*"msg":"modelreg listening"/.exec(out);
        if (m) {
          clearTimeout(timer);
          out = '';
          resolve(m[1] as string);
        }
      });
    });
    const srv = { url };
    const { modelSetId } = await call(srv, secrets.key, 'CreateCustomModelSet', { modelSetName: `bench_pull_${Date.now()}`, modelType: 'Text2Text' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { modelId } = await call(srv, secrets.key, 'CreateCustomModel', {
        modelSetId,
        sourceType: 'Import',
        importMeta: { bucket: 'bench', objectPath: 'model', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'completion', transformerVersion: '4.36.2' },
      });
      for (;;) {
        const d = await call(srv, secrets.key, 'DescribeModel', { modelId });
        if (d.status === 'Ready') break;
        if (d.status === 'Fail') throw new Error(`import failed: ${d.failureReason}`);
        await sleep(100);
      }
      ids.push(modelId);
      log(`import ${i + 1} of 3 Ready`);
    }
    const registryBytes = duBytes(path.join(dataDir, 'registry', 'models', 'blobs'));
    const dedup = registryBytes / bytes;

    const env = { ...process.env, QIANFAN_CONSOLE_API_BASE_URL: url, QIANFAN_ACCESS_KEY: secrets.key.accessKey, QIANFAN_SECRET_KEY: secrets.key.secretKey };
    // /usr/bin/time writes the CLI's peak RSS (KiB) to a file of its own.
    const pullMeasured = (dest: string): { seconds: number; rssKiB: number } => {
      fs.rmSync(dest, { recursive: true, force: true });
      const t = process.hrtime.bigint();
      const script = `/usr/bin/time -o "$1" -f %M "$2" -e "$3" -- pull "$4" "$5" --json > /dev/null`;
      const rssFile = path.join(work, 'rss.txt');
      execFileSync('sh', ['-c', script, 'sh', rssFile, process.execPath, mainArgs(dist, [])[1]!, ids[0]!, dest], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      return { seconds, rssKiB: Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) };
    };
    const rounds = Math.max(2, Math.floor(num('BENCH_PULL_ROUNDS', 2)));
    const cats: number[] = [];
    const shas: number[] = [];
    const pulls: { seconds: number; rssKiB: number }[] = [];
    for (let r = 1; r <= rounds; r++) {
      cats.push(timeCat(files));
      shas.push(timeSha256sum(files));
      pulls.push(pullMeasured(path.join(work, 'pulled')));
      log(`round ${r}: cat ${cats.at(-1)!.toFixed(2)} s, pull ${pulls.at(-1)!.seconds.toFixed(2)} s`);
    }
    const cat = Math.min(...cats.slice(1));
    const sha = Math.min(...shas.slice(1));
    const pull = Math.min(...pulls.slice(1).map((p) => p.seconds));
    const cliRss = Math.max(...pulls.map((p) => p.rssKiB)) * 1024;
    const serverHwm = procStatus(server.pid!, 'VmHWM');
    const ratio = cat / pull;
    const load = os.loadavg()[0]!.toFixed(1);
    const md = [
      `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${os.cpus().length} cores, Node ${process.version}, load average ${load} at the end), model ${(bytes / GiB).toFixed(2)} GiB in ${files.length} files, ${rounds} rounds (the fastest later round of each):`,
      '',
      '| measure | value |',
      '| --- | --- |',
      `| \`cat\` of the files to /dev/null | ${cat.toFixed(2)} s (${(bytes / MiB / cat).toFixed(0)} MiB/s) |`,
      `| \`modelreg pull\` (4 files in parallel, sha256 verified) | ${pull.toFixed(2)} s (${(bytes / MiB / pull).toFixed(0)} MiB/s) |`,
      `| **pull throughput ÷ cat throughput** | **${ratio.toFixed(2)}** (goal ≥ 0.8) |`,
      `| reference: \`sha256sum\` of the files (the check pull must do) | ${sha.toFixed(2)} s (${(bytes / MiB / sha).toFixed(0)} MiB/s); pull ÷ sha256sum throughput ${(sha / pull).toFixed(2)} |`,
      `| CLI peak RSS (/usr/bin/time %M) | ${(cliRss / MiB).toFixed(0)} MiB (goal < 200 MiB) |`,
      `| server peak RSS (VmHWM, whole run incl. 3 imports) | ${(serverHwm / MiB).toFixed(0)} MiB (goal < 200 MiB) |`,
      `| registry bytes after 3 imports of the model ÷ model bytes | **${dedup.toFixed(4)}** (goal ≤ 1.01) |`,
    ].join('\n');
    process.stdout.write(md + '\n');
    if (process.env.BENCH_WRITE_README !== '0') {
      writeReadmeBlock('pull', 'Pull and storage (`npm run bench:pull`)', 'bench/pull.ts: `modelreg pull` against `cat` of the same files in the same run, peak memory of server and CLI, and registry bytes for three imports of one model (method in the file header). Model size: `BENCH_PULL_BYTES` (default 512 MiB; set it to a few GiB for the multi-GB figure).', md);
    }
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.on('exit', r));
    }
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(dist, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
