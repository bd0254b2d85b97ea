// Kill -9 in the middle of an import. The server runs as a real child process (modelreg serve) over
// one data dir; after a restart on that data dir the version must end Ready (the job's lease expires
// and the import runs again from an empty destination) or Fail with a reason (killed too often),
// never stay Creating, and registry storage must hold no partial files: no temp files of the killed
// writes, exactly the recorded files for a Ready version, nothing for a Fail one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, tempDir, type Key } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';
import { startCliServer, type CliServer } from '../../helpers/cli.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeLargeModel } from '../../fixtures/model-builder.js';
import { describeFiles, eventually, filesUnder, registryDirsOf, registryRoot, registryTempFiles, settle, storedFiles } from './pipeline-helpers.js';

const MiB = 1024 * 1024;
const LEASE_MS = 2000;
const BUCKET = 'team-models';

describe('killing the server during an import', () => {
  let dataDir: string;
  let args: string[];
  let pgDatabase: string | undefined;
  let server: CliServer | undefined;
  const key: Key = { accessKey: `crash${randomBytes(6).toString('hex')}`, secretKey: randomBytes(24).toString('hex') };
  const env = {
    MODELREG_BOOTSTRAP_ACCESS_KEY: key.accessKey,
    MODELREG_BOOTSTRAP_SECRET_KEY: key.secretKey,
    MODELREG_JOB_LEASE_MS: String(LEASE_MS),
    MODELREG_JOB_POLL_MS: '200',
    MODELREG_IMPORT_CONCURRENCY: '1',
    MODELREG_LOG_LEVEL: 'info',
  };
  let setId: string;

  const start = async () => {
    server = await startCliServer(args, env, 60_000);
    return server;
  };
  /** SIGKILL once the worker has logged that the import started and the copy is under way. */
  const killMidImport = async (s: CliServer, modelId: string, startsBefore: number) => {
    await s.waitForLines((l) => l.msg === 'job started' && l.subject === modelId, startsBefore + 1, 30_000);
    await eventually('the registry copy to be under way', async () => (await registryTempFiles(dataDir)).length > 0, 30_000);
    s.child.kill('SIGKILL');
    await new Promise((r) => s.child.once('close', r));
    server = undefined;
    // The kill really interrupted the copy: a half-written temp file is left on disk.
    assert.ok((await registryTempFiles(dataDir)).length > 0, 'the killed import left a partial file');
  };

  before(async () => {
    dataDir = tempDir('modelreg-crash-');
    args = ['--data-dir', dataDir];
    const cluster = testPgUrl();
    if (cluster) {
      pgDatabase = await createRandomDatabase(cluster);
      args.push('--database', pgDatabase);
    }
    // Big enough that its import takes a few seconds (read, sha256, copy, fsync).
    await writeLargeModel(path.join(dataDir, 'buckets', BUCKET, 'big'), 512 * MiB, { shardBytes: 128 * MiB });
  });

  after(async () => {
    if (server) server.child.kill('SIGKILL');
    const cluster = testPgUrl();
    if (cluster && pgDatabase) await dropTestDatabase(cluster, pgDatabase);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes after a restart and ends Ready with exactly the recorded files', async () => {
    let s = await start();
    setId = (await createSet(s, key)).modelSetId;
    const { modelId } = await call(s, key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'big' }));
    await killMidImport(s, modelId, 0);

    s = await start();
    const d = await settle(s, key, modelId, 120_000);
    assert.equal(d.status, 'Ready', d.failureReason);
    // What was recorded is the source, byte for byte, and the copy is exactly that.
    assert.deepEqual(d.files, await describeFiles(path.join(dataDir, 'buckets', BUCKET, 'big')));
    assert.deepEqual(await storedFiles(dataDir, d), d.files);
    // The killed writer's temp files are swept once they are surely stale (2 leases).
    await eventually('no temp files left in registry storage', async () => (await registryTempFiles(dataDir)).length === 0, 30_000);
    const blobKeys = [...new Set<string>(d.files.map((f: any) => `blobs/${d.storage.scope}/${f.sha256.slice(0, 2)}/${f.sha256}`))].sort();
    assert.deepEqual(await filesUnder(registryRoot(dataDir)), blobKeys, 'only the blobs: nothing staged is left');
    await s.stop();
    server = undefined;
  });

  it('hands a running import back on SIGTERM, and the next start finishes it', async () => {
    let s = await start();
    const { modelId } = await call(s, key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'big' }));
    await s.waitForLines((l) => l.msg === 'job started' && l.subject === modelId, 1, 30_000);
    await eventually('the registry copy to be under way', async () => (await registryTempFiles(dataDir)).length > 0, 30_000);
    const t = Date.now();
    assert.equal(await s.stop(), 0, 'a clean exit');
    assert.ok(Date.now() - t < 10_000, 'the stop did not wait for the import to finish');
    server = undefined;
    // The aborted write removed its own temp file.
    assert.deepEqual(await registryTempFiles(dataDir), []);

    s = await start();
    const d = await settle(s, key, modelId, 120_000);
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.deepEqual(await storedFiles(dataDir, d), d.files);
    await s.stop();
    server = undefined;
  });

  it('fails with a reason, leaving nothing behind, when every attempt is killed', async () => {
    let s = await start();
    const { modelId } = await call(s, key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: 'big' }));
    // Three attempts, each killed mid-copy (a restart takes the job again once its lease expired).
    await killMidImport(s, modelId, 0);
    for (let i = 0; i < 2; i++) {
      s = await start();
      await killMidImport(s, modelId, 0);
    }
    s = await start();
    const d = await settle(s, key, modelId, 60_000);
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, /the import of bos:\/\/team-models\/big was interrupted 3 times.*create the version again/);
    assert.deepEqual(await registryDirsOf(dataDir, modelId), []);
    await eventually('no temp files left in registry storage', async () => (await registryTempFiles(dataDir)).length === 0, 30_000);
    // The version from the first test is untouched.
    const others = await filesUnder(registryRoot(dataDir));
    assert.ok(others.length > 0 && others.every((f) => !f.includes(modelId)));
    await s.stop();
    server = undefined;
    await sleep(0);
  });
});
