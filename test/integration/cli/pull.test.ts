// `modelreg pull` as a user runs it (a child process against a real server): byte-for-byte files for
// amv-…, SET/Vn and SET; a pull killed halfway resumes with Range requests instead of starting over;
// a damaged blob in the registry fails with the file's name and leaves no bad file behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { writeLargeModel, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { blobPath, describeFiles, FAST, filesUnder, importAndSettle } from '../pipeline/pipeline-helpers.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = path.join(REPO, 'src/cli/main.ts');

function pull(args: string[], env: Record<string, string>, cwd: string) {
  // tsx by its own URL: the child runs in `cwd` (to test the default DIR), outside this repository.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, 'pull', ...args], { cwd, env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

async function partBytes(dir: string): Promise<number> {
  let n = 0;
  for (const rel of await filesUnder(dir)) if (rel.endsWith('.part')) n += (await fsp.stat(path.join(dir, rel))).size;
  return n;
}

describe('modelreg pull', () => {
  let server: TestServer;
  let work: string;
  let env: Record<string, string>;
  let setName: string;
  let small: any;
  let big: any;

  before(async () => {
    server = await startServer(FAST);
    work = tempDir('modelreg-pull-');
    env = { HOME: work, QIANFAN_CONSOLE_API_BASE_URL: server.url, QIANFAN_ACCESS_KEY: server.key.accessKey, QIANFAN_SECRET_KEY: server.key.secretKey };
    const set = await createSet(server, server.key);
    setName = set.modelSetName;
    await writeTinyCausalLM(path.join(server.app.config.bucketsDir, 'models', 'small'), { shards: 2 });
    // An empty file (as HF repos' .gitattributes can be) is pulled too.
    fs.writeFileSync(path.join(server.app.config.bucketsDir, 'models', 'small', '.gitattributes'), '');
    await writeLargeModel(path.join(server.app.config.bucketsDir, 'models', 'big'), 48 * 1024 * 1024, { shardBytes: 16 * 1024 * 1024 });
    small = await importAndSettle(server, server.key, transformersImport(set.modelSetId, { bucket: 'models', objectPath: 'small' }));
    big = await importAndSettle(server, server.key, transformersImport(set.modelSetId, { bucket: 'models', objectPath: 'big' }), 120_000);
    assert.equal(small.status, 'Ready', small.failureReason);
    assert.equal(big.status, 'Ready', big.failureReason);
  });
  after(async () => {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('reproduces the files byte for byte, by id, SET/V1 and SET (newest Ready)', async () => {
    const source = await describeFiles(path.join(server.app.config.bucketsDir, 'models', 'small'));
    const byId = await pull([small.modelId, 'by-id', '--json'], env, work).done;
    assert.equal(byId.code, 0, byId.stderr);
    const summary = JSON.parse(byId.stdout);
    assert.equal(summary.modelId, small.modelId);
    assert.equal(summary.totalBytes, small.totalBytes);
    assert.equal(summary.downloadedBytes, small.totalBytes);
    assert.deepEqual(await describeFiles(path.join(work, 'by-id')), source);

    const byName = await pull([`${setName}/V1`], env, work).done;
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stderr, /every sha256 verified/);
    assert.deepEqual(await describeFiles(path.join(work, `${setName}-V1`)), source, 'default DIR is ./SET-V1');

    const newest = await pull([setName, 'newest', '--json'], env, work).done;
    assert.equal(newest.code, 0, newest.stderr);
    assert.equal(JSON.parse(newest.stdout).modelId, big.modelId);

    // Run again into the same place: nothing is fetched, everything is checked.
    const again = await pull([small.modelId, 'by-id', '--json'], env, work).done;
    assert.equal(JSON.parse(again.stdout).downloadedBytes, 0);
    assert.equal(JSON.parse(again.stdout).skippedFiles, small.files.length);

    const unknown = await pull([`${setName}/V9`], env, work).done;
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /has no version V9/);
  });

  test('resumes a pull killed halfway with Range requests', async () => {
    const dir = path.join(work, 'resumed');
    const first = pull([big.modelId, dir, '--max-rate', '16M', '--parallel', '2'], env, work);
    const deadline = Date.now() + 60_000;
    while ((await partBytes(dir).catch(() => 0)) < 12 * 1024 * 1024) {
      assert.ok(Date.now() < deadline, 'the pull never got going');
      await sleep(20);
    }
    first.child.kill('SIGKILL');
    await first.done;
    const had = await partBytes(dir);
    assert.ok(had > 0 && had < big.totalBytes, `a partial download (${had} bytes)`);

    const second = await pull([big.modelId, dir, '--json'], env, work).done;
    assert.equal(second.code, 0, second.stderr);
    const s = JSON.parse(second.stdout);
    assert.ok(s.resumedBytes >= had - 1024 * 1024, `resumed ${s.resumedBytes} of the ${had} bytes already there`);
    assert.ok(s.downloadedBytes <= big.totalBytes - s.resumedBytes, `fetched only the rest (${s.downloadedBytes})`);
    assert.deepEqual(await describeFiles(dir), await describeFiles(path.join(server.app.config.bucketsDir, 'models', 'big')));
    assert.equal(await partBytes(dir), 0);
  });

  test('fails naming the file when a stored blob is damaged, and leaves no bad file', async () => {
    const victim = small.files.find((f: any) => f.path === 'config.json');
    const blob = blobPath(server.dataDir, small.storage.scope, victim.sha256);
    const good = await fsp.readFile(blob);
    const bad = Buffer.from(good);
    bad[0] ^= 0xff;
    await fsp.writeFile(blob, bad);
    try {
      const dir = path.join(work, 'damaged');
      const r = await pull([small.modelId, dir], env, work).done;
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /config\.json does not match the registry's checksum .*the bad file was removed/);
      assert.equal(fs.existsSync(path.join(dir, 'config.json')), false);
      assert.equal(fs.existsSync(path.join(dir, 'config.json.part')), false);
    } finally {
      await fsp.writeFile(blob, good);
    }
  });
});
