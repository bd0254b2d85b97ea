// Issue 10, classes 3, 5 and 6 against the real server: imports that never end (a FIFO swapped in
// after listing, a delete or a shutdown during a long import), filesystem trust (linked buckets, hard
// links to the master key, file modes) and disk abuse (sparse and oversized files, the free-space
// reserve). Every hostile tree must end in a refusal with a reason, quickly, on the first attempt.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, sdk, sdkFails, startServer, tempDir, type Key, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { FAST, filesUnder, importAndSettle, registryRoot, settle } from '../pipeline/pipeline-helpers.js';
import { JobsRepo } from '../../../src/store/repos/jobs-repo.js';
import { JobWorker } from '../../../src/jobs/worker.js';
import { createLogger } from '../../../src/logger.js';
import { HOSTILE_TEMPLATES, swapForFifo, when, writeSparse } from './hostile-models.js';

const MiB = 1024 * 1024;
const OPEN = 'fs-open';
const MAX_FILE = 512 * MiB;

/** True while this process has `file` open (the in-process server reading it). */
function isOpen(file: string): boolean {
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('filesystem trust and imports that must end', () => {
  let server: TestServer;
  let setId: string;
  let mallory: Key;
  let victim: Key;
  const root = tempDir('modelreg-fs-');
  const bucketsDir = path.join(root, 'buckets');
  const dir = (bucket: string, objectPath = '') => path.join(bucketsDir, bucket, ...objectPath.split('/').filter(Boolean));

  before(async () => {
    server = await startServer({
      ...FAST,
      bucketsDir,
      maxImportFileBytes: MAX_FILE,
      importConcurrency: 1,
      // The wedged-worker test queues an export job for a worker of its own.
      exportConcurrency: 0,
      sandboxTimeoutMs: 120_000,
      // Renewed every second: another replica's delete is noticed within about that.
      jobLeaseMs: 3_000,
      bucketGrants: { [OPEN]: ['*'], 'victim-bkt': ['victim-owner'], 'evil-bkt': ['mallory'], 'data-bkt': ['mallory'] },
    });
    setId = (await createSet(server, server.key)).modelSetId;
    mallory = await server.newKey('mallory');
    victim = await server.newKey('victim-owner');
  });
  after(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const body = (objectPath: string, meta: Record<string, unknown> = {}) => transformersImport(setId, { bucket: OPEN, objectPath, ...meta });
  const jobOf = (modelId: string) =>
    server.app.store.db.selectFrom('jobs').select(['attempts', 'status']).where('subject_id', '=', modelId).executeTakeFirst();

  // ------------------------------------------------------------------ class 3
  it('a file swapped for a FIFO between listing and reading fails the import at once', async () => {
    const m = dir(OPEN, 'fifo');
    await writeTinyCausalLM(m, { extraFiles: { 'a-pad.bin': Buffer.alloc(32 * MiB, 7), 'zz-late.bin': 'late' } });
    const { modelId } = await call(server, server.key, 'CreateCustomModel', body('fifo'));
    // Listing is over once the padding is being read; zz-late.bin is read after it.
    await when(() => isOpen(path.join(m, 'a-pad.bin')), 30_000);
    swapForFifo(path.join(m, 'zz-late.bin'));
    const d = await settle(server, server.key, modelId, 20_000);
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, /zz-late\.bin cannot be imported: object "fifo\/zz-late\.bin" is not a regular file/);
    assert.equal((await jobOf(modelId))?.attempts, 1);
  });

  it('DeleteModel of a Creating version stops its import at once and frees the import slot', async () => {
    // A template that would run for hours: the import sits in the sandbox until it is stopped.
    await writeTinyCausalLM(dir(OPEN, 'endless'), { chatTemplate: '{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}x' });
    await writeTinyCausalLM(dir(OPEN, 'after'));
    const { modelId } = await call(server, server.key, 'CreateCustomModel', body('endless', { enablePromptAutoConcat: true }));
    await when(() => server.app.worker.runningCount === 1);
    await sleep(500); // into the template preview
    const t0 = Date.now();
    await call(server, server.key, 'DeleteModel', { modelId });
    await when(() => server.app.worker.runningCount === 0, 5_000);
    // importConcurrency is 1: the next import gets the slot right away.
    const next = await importAndSettle(server, server.key, body('after'), 20_000);
    assert.equal(next.status, 'Ready', next.failureReason);
    assert.ok(Date.now() - t0 < 15_000, `the slot was freed after ${Date.now() - t0} ms`);
  });

  it('DeleteModel on another replica stops the import at the running replica\'s next lease renewal', async () => {
    await writeTinyCausalLM(dir(OPEN, 'endless-2'), { chatTemplate: '{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}x' });
    // A second replica on the same database and buckets, importing nothing itself.
    const replica = await startServer({ dataDir: server.dataDir, bucketsDir, importConcurrency: 0, bucketGrants: { [OPEN]: ['*'] } });
    try {
      const { modelId } = await call(server, server.key, 'CreateCustomModel', body('endless-2', { enablePromptAutoConcat: true }));
      await when(() => server.app.worker.runningCount === 1);
      await sleep(300);
      await call(replica, server.key, 'DeleteModel', { modelId });
      const t0 = Date.now();
      await when(() => server.app.worker.runningCount === 0, 10_000);
      assert.ok(Date.now() - t0 < 5_000, `stopped ${Date.now() - t0} ms after the delete`);
    } finally {
      await replica.close();
    }
  });

  it('a worker whose job is wedged (ignores its abort) still stops within its grace period', async () => {
    const repo = new JobsRepo(server.app.store.db, server.app.store.dialect);
    const now = new Date().toISOString();
    await server.app.store.db
      .insertInto('jobs')
      .values({ id: `job-wedge-${process.pid}`, kind: 'export', subject_id: 'nothing', account_id: 'nobody', status: 'queued', attempts: 0, payload: '{}', lease_owner: null, lease_expires_at: null, last_error: null, created_at: now, updated_at: now })
      .execute();
    let started = false;
    const worker = new JobWorker(repo, { kind: 'export', run: () => ((started = true), new Promise<void>(() => {})) }, {
      concurrency: 1,
      leaseMs: 30_000,
      pollMs: 50,
      logger: createLogger('silent'),
      shutdownGraceMs: 300,
    });
    worker.start();
    await when(() => started);
    const t0 = Date.now();
    const stopped = await Promise.race([worker.stop().then(() => true), sleep(5_000).then(() => false)]);
    assert.ok(stopped, 'stop() returned');
    assert.ok(Date.now() - t0 < 2_000, `stop() took ${Date.now() - t0} ms`);
    const row = await server.app.store.db.selectFrom('jobs').select(['status', 'lease_owner']).where('id', '=', `job-wedge-${process.pid}`).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'queued', lease_owner: null }, 'handed back to the queue');
  });

  // ------------------------------------------------------------------ class 5
  it('a bucket directory that is a symlink to another tenant\'s bucket is refused', async () => {
    await writeTinyCausalLM(dir('victim-bkt', 'secret-model'));
    fs.symlinkSync(dir('victim-bkt'), dir('evil-bkt'));
    const malSet = (await createSet(server, mallory)).modelSetId;
    const err = await sdkFails(sdk(server.url, mallory, '/v2/model', 'CreateCustomModel', transformersImport(malSet, { bucket: 'evil-bkt', objectPath: 'secret-model' })));
    assert.equal(err.status, 400, JSON.stringify(err));
    assert.match(err.body.message ?? '', /bucket "evil-bkt" is a symbolic link in the local object store/);
    // The victim still imports from its own bucket.
    const vSet = (await createSet(server, victim)).modelSetId;
    assert.equal((await importAndSettle(server, victim, transformersImport(vSet, { bucket: 'victim-bkt', objectPath: 'secret-model' }))).status, 'Ready');
  });

  it('a bucket directory that is a symlink to the data directory is refused', async () => {
    fs.symlinkSync(server.dataDir, dir('data-bkt'));
    const malSet = (await createSet(server, mallory)).modelSetId;
    const err = await sdkFails(sdk(server.url, mallory, '/v2/model', 'CreateCustomModel', transformersImport(malSet, { bucket: 'data-bkt', objectPath: 'registry' })));
    assert.match(err.body.message ?? '', /bucket "data-bkt" is a symbolic link/);
  });

  it('a hard link to the master key inside a bucket is not imported', async () => {
    const m = dir(OPEN, 'keylink');
    await writeTinyCausalLM(m);
    const keyFile = path.join(server.dataDir, 'master.key');
    fs.linkSync(keyFile, path.join(m, 'master.key'));
    const d = await importAndSettle(server, server.key, body('keylink'));
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, /master\.key cannot be imported: object "keylink\/master\.key" has 2 hard links/);
    const key = fs.readFileSync(keyFile);
    for (const f of await filesUnder(registryRoot(server.dataDir))) {
      assert.ok(!fs.readFileSync(path.join(registryRoot(server.dataDir), f)).equals(key), `the master key was copied to ${f}`);
    }
  });

  it('what modelreg creates is 0600 (files) and 0700 (directories)', async () => {
    await writeTinyCausalLM(dir(OPEN, 'modes'));
    assert.equal((await importAndSettle(server, server.key, body('modes'))).status, 'Ready');
    assert.equal(mode(server.dataDir), 0o700, 'data dir');
    assert.equal(mode(path.join(server.dataDir, 'master.key')), 0o600, 'master.key');
    if (!server.database.startsWith('postgres')) {
      for (const f of [server.database, `${server.database}-wal`]) if (fs.existsSync(f)) assert.equal(mode(f), 0o600, f);
    }
    const walk = (d: string): void => {
      assert.equal(mode(d), 0o700, d);
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else assert.equal(mode(p), 0o600, p);
      }
    };
    walk(path.join(server.dataDir, 'registry'));
  });

  // ------------------------------------------------------------------ class 6
  it('a sparse file is refused before it is copied', async () => {
    const m = dir(OPEN, 'sparse');
    await writeTinyCausalLM(m);
    writeSparse(path.join(m, 'huge.bin'), 128 * MiB);
    const t0 = Date.now();
    const d = await importAndSettle(server, server.key, body('sparse'));
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, /huge\.bin cannot be imported: object "sparse\/huge\.bin" is a sparse file: 134217728 bytes long but only \d+ bytes allocated/);
    assert.ok(Date.now() - t0 < 10_000, 'refused without reading it');
  });

  it('a file above the per-file limit is refused before any byte is read', async () => {
    const m = dir(OPEN, 'oversized');
    await writeTinyCausalLM(m);
    writeSparse(path.join(m, 'big.bin'), MAX_FILE + 1); // the size alone decides: nothing is read
    const d = await importAndSettle(server, server.key, body('oversized'));
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, new RegExp(`big\\.bin is ${MAX_FILE + 1} bytes, more than the ${MAX_FILE} bytes modelreg accepts per file`));
  });
});

describe('the registry keeps a free-space reserve', () => {
  const mounted: string[] = [];
  after(() => {
    for (const m of mounted) execFileSync('umount', ['-l', m], { stdio: 'pipe' });
  });

  it('an import that would leave less than the reserve fails at once with the reason', async (t) => {
    const root = tempDir('modelreg-reserve-');
    const dataDir = path.join(root, 'data');
    const reg = path.join(dataDir, 'registry');
    fs.mkdirSync(reg, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', reg], { stdio: 'pipe' });
      mounted.push(reg);
    } catch (err) {
      return t.skip(`cannot mount a tmpfs here (needs root): ${String(err)}`);
    }
    const server = await startServer({ ...FAST, dataDir });
    try {
      // 62 MiB fits on the 64 MiB disk, but would leave less than the reserve (5% of it here).
      await writeTinyCausalLM(path.join(server.app.config.bucketsDir, 'models', 'fat'), { extraFiles: { 'pad.bin': Buffer.alloc(62 * MiB, 3) } });
      const { modelSetId } = await createSet(server, server.key);
      const d = await importAndSettle(server, server.key, transformersImport(modelSetId, { bucket: 'models', objectPath: 'fat' }), 60_000);
      assert.equal(d.status, 'Fail', JSON.stringify(d));
      assert.match(d.failureReason, /not enough free disk space for "the import": storing \d+ bytes, \d+ bytes would remain free, below the reserve of \d+ bytes/);
      const job = await server.app.store.db.selectFrom('jobs').select(['attempts']).where('subject_id', '=', d.modelId).executeTakeFirst();
      assert.equal(job?.attempts, 1);
      assert.deepEqual(await filesUnder(registryRoot(dataDir)), []);
    } finally {
      await server.close();
    }
  });
});
