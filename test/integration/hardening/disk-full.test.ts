// Faults (issue 6, item 4): a full disk. Registry storage and the whole data dir are put on small
// tmpfs mounts (this needs root, as on the project's machines; without it the tests are skipped
// and say why). A full disk must end an import in Fail with a reason and leave no partial files,
// must make writes fail cleanly (an envelope, the transaction rolled back), and once space is
// free again everything works without a restart.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeLargeModel, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, signedFetch, startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { FAST, filesUnder, importAndSettle, registryRoot, registryTempFiles } from '../pipeline/pipeline-helpers.js';
import { envelopeProblem } from './envelope.js';

const MiB = 1024 * 1024;
const mounts: string[] = [];

/** Mounts a tmpfs of `mib` MiB at dir; returns why not when it cannot. */
function mountTmpfs(dir: string, mib: number): string | null {
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir], { stdio: 'pipe' });
    mounts.push(dir);
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here (needs root): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}

const roots: string[] = [];
after(() => {
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'pipe' });
    } catch {
      // already gone
    }
  }
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe('registry storage fills up during an import', () => {
  test('the import ends Fail with the reason, leaves no partial files, and the next import succeeds', async (t) => {
    const root = tempDir('modelreg-diskfull-');
    roots.push(root);
    const dataDir = path.join(root, 'data');
    // 12 MiB of registry space for a 32 MiB model.
    const why = mountTmpfs(path.join(dataDir, 'registry'), 12);
    if (why) return t.skip(why);
    const buckets = path.join(dataDir, 'buckets');
    await writeLargeModel(path.join(buckets, 'models', 'big'), 32 * MiB, { shardBytes: 8 * MiB });
    await writeTinyCausalLM(path.join(buckets, 'models', 'tiny'));

    let server: TestServer | undefined;
    try {
      server = await startServer({ dataDir, ...FAST });
      const { modelSetId } = await createSet(server, server.key);
      const failed = await importAndSettle(server, server.key, transformersImport(modelSetId, { bucket: 'models', objectPath: 'big' }), 90_000);
      assert.equal(failed.status, 'Fail', JSON.stringify(failed));
      assert.match(failed.failureReason, /full|ENOSPC|space/i);

      // Nothing half-made is left: no files of the failed version, no temp files, the space is back.
      assert.deepEqual(await filesUnder(registryRoot(dataDir)), []);
      assert.deepEqual(await registryTempFiles(dataDir), []);
      const jobs = await server.app.store.db.selectFrom('jobs').select(['status']).execute();
      assert.ok(jobs.every((j) => j.status !== 'queued' && j.status !== 'running'), `jobs left: ${JSON.stringify(jobs)}`);

      // With the space back, the same server imports a model that fits.
      const ok = await importAndSettle(server, server.key, transformersImport(modelSetId, { bucket: 'models', objectPath: 'tiny' }), 60_000);
      assert.equal(ok.status, 'Ready', JSON.stringify(ok));
      assert.equal(ok.modelName, 'V2');
      assert.equal((await call(server, server.key, 'DescribeModel', { modelId: failed.modelId })).status, 'Fail');
    } finally {
      await server?.close();
    }
  });
});

describe('the database disk fills up', () => {
  test('writes fail with an envelope and are rolled back; reads go on; freeing space heals it', { skip: process.env.MODELREG_TEST_DATABASE ? 'the database is PostgreSQL in this run' : false }, async (t) => {
    const root = tempDir('modelreg-dbfull-');
    roots.push(root);
    const dataDir = path.join(root, 'data');
    const why = mountTmpfs(dataDir, 8);
    if (why) return t.skip(why);
    const server = await startServer({ dataDir, database: path.join(dataDir, 'modelreg.sqlite') });
    try {
      const { modelSetId } = await createSet(server, server.key, 'before_full');
      // Fill the disk to the last byte.
      const filler = path.join(dataDir, 'filler');
      const fd = fs.openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (err) {
        assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      try {
        for (;;) fs.writeSync(fd, Buffer.alloc(512, 1));
      } catch {
        // full
      } finally {
        fs.closeSync(fd);
      }

      // Many writes, each big enough to need new pages: they fail cleanly, one by one.
      const statuses = new Map<number, number>();
      for (let i = 0; i < 40; i++) {
        const r = await signedFetch(server.url, server.key, {
          query: 'Action=CreateCustomModelSet',
          body: JSON.stringify({ modelSetName: `during_full_${i}`, modelType: 'Text2Text', labels: Array.from({ length: 20 }, (_, j) => `label-${i}-${j}-${'x'.repeat(50)}`) }),
        });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        assert.equal(envelopeProblem(r.body?.result !== undefined ? { requestId: r.body.requestId, code: 'Ok', message: 'ok' } : r.body), null, r.text);
      }
      t.diagnostic(`statuses while full: ${[...statuses.entries()].map(([s, n]) => `${s}×${n}`).join(' ')}`);
      // A full disk is the operator's problem, told as such: 503 ServiceUnavailable with Retry-After.
      assert.ok([...statuses.keys()].every((s) => s === 200 || s === 503), 'unexpected statuses');
      assert.ok((statuses.get(503) ?? 0) > 0, 'no write failed: the disk was not full');
      const full = await signedFetch(server.url, server.key, { query: 'Action=CreateCustomModelSet', body: JSON.stringify({ modelSetName: 'during_full_x', modelType: 'Text2Text', labels: ['y'.repeat(60)] }) });
      if (full.status === 503) {
        assert.equal(full.body.code, 'ServiceUnavailable');
        assert.match(full.body.message, /storage is full/);
        assert.equal(full.headers.get('retry-after'), '60');
      }
      // Reads still work.
      const d = await call(server, server.key, 'DescribeModelSet', { modelSetId });
      assert.equal(d.modelSetName, 'before_full');

      // Space again: writes work, and what was refused is not there half-made.
      fs.rmSync(filler);
      const after = await createSet(server, server.key, 'after_full');
      assert.ok(after.modelSetId);
      const names = ((await call(server, server.key, 'DescribeCustomModelSets', { maxKeys: 100 })).customModelSetList as Array<{ modelSetName: string; labels: string[] }>);
      for (const s of names) if (s.modelSetName.startsWith('during_full_')) assert.equal(s.labels.length, 20, 'a set stored without its labels');
      const stored = names.filter((s) => s.modelSetName.startsWith('during_full_')).length;
      assert.ok(stored >= (statuses.get(200) ?? 0), 'an acknowledged set is missing');
      const check = await server.app.store.db.selectFrom('model_sets').select('id').execute();
      assert.equal(check.length, 2 + stored);
    } finally {
      await server.close();
    }
  });
});
