// The stored-bytes quota is exact when imports finish at the same moment (src/jobs/blob-store.ts
// record): six imports of one account that each fit alone but not together, run by six import
// workers, on PostgreSQL split over two replicas of one database and one registry. All six are
// held just before they store their files and let go together, so every check runs while the
// others are in flight; a check made outside the account's lock let them all through.
// SQLite runs one server: replicas in one test process would share its synchronous driver's
// thread, so one waiting for the other's write lock would block the thread the other needs to
// commit. Its lock (BEGIN IMMEDIATE on the file) excludes other processes the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { testPgUrl } from '../../helpers/pg.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { blobBytes, bucketPath, describeFiles, FAST, registryDirsOf, settle } from './pipeline-helpers.js';

const BUCKET = 'team-models';
const IMPORTS = 6;
/** Bytes only model i has (an extra file); the rest of each model is the same tiny LM. */
const OWN = 64 * 1024;

const distinctBytes = (files: { size: number; sha256: string }[]) => [...new Map(files.map((f) => [f.sha256, f.size])).values()].reduce((n, s) => n + s, 0);

/**
 * Holds every replica's storeVersion until `n` calls wait (or `timeoutMs` passed, so a test whose
 * imports fail earlier does not hang), then lets them all go at once.
 */
function finishTogether(servers: TestServer[], n: number, timeoutMs = 30_000): { arrived: () => number } {
  let arrived = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const timer = setTimeout(release, timeoutMs);
  timer.unref();
  for (const s of servers) {
    const blobs = s.app.blobs;
    const storeVersion = blobs.storeVersion.bind(blobs);
    blobs.storeVersion = async (...args) => {
      if (++arrived >= n) {
        clearTimeout(timer);
        release();
      }
      await gate;
      return storeVersion(...args);
    };
  }
  return { arrived: () => arrived };
}

describe('the stored-bytes quota under imports finishing together', () => {
  it('six imports at once (two replicas on PostgreSQL): the account never holds more than its quota; the refused ones fail with the reason', async () => {
    // The quota: the shared part once, plus two models' own file, plus slack smaller than a third.
    const probe = await startServer(FAST);
    await writeTinyCausalLM(bucketPath(probe, BUCKET, 'probe'));
    const shared = distinctBytes(await describeFiles(bucketPath(probe, BUCKET, 'probe')));
    await probe.close();
    const quota = shared + 2 * OWN + OWN / 2;

    const replicas = testPgUrl() === undefined ? 1 : 2;
    const options = { ...FAST, storedBytesQuota: quota, importConcurrency: IMPORTS / replicas, quotaConcurrentImports: 0 };
    const a = await startServer(options);
    const servers = [a];
    if (replicas === 2) servers.push(await startServer({ ...options, dataDir: a.dataDir, database: a.database }));
    try {
      const setId = (await createSet(a, a.key)).modelSetId;
      for (let i = 0; i < IMPORTS; i++) {
        await writeTinyCausalLM(bucketPath(a, BUCKET, `m${i}`), { extraFiles: { 'notes.bin': Buffer.alloc(OWN, i + 1) } });
      }
      const together = finishTogether(servers, IMPORTS);
      const ids: string[] = [];
      for (let i = 0; i < IMPORTS; i++) {
        ids.push((await call(servers[i % replicas]!, a.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: `m${i}` }))).modelId);
      }
      const ends = await Promise.all(ids.map((id) => settle(a, a.key, id, 60_000)));
      assert.equal(together.arrived(), IMPORTS, 'every import reached the point where it stores its files');

      const ready = ends.filter((d) => d.status === 'Ready');
      const refused = ends.filter((d) => d.status !== 'Ready');
      // Whatever order they pass the lock in, the first pays the shared part and its own file, the
      // second its own file only, and every later one would pass the quota.
      assert.equal(ready.length, 2, ends.map((d) => `${d.status}: ${d.failureReason ?? ''}`).join('\n'));
      for (const d of refused) {
        assert.equal(d.status, 'Fail');
        assert.equal(d.failureCode, 'StorageQuotaExceeded', d.failureReason);
        assert.match(d.failureReason, new RegExp(`stored-bytes quota would be exceeded: \\d+ bytes stored \\+ ${OWN} new bytes > quota ${quota} bytes`));
      }

      // What the account is charged, what its versions reference, and what the disk holds agree.
      const { account_id: account } = await a.app.store.db.selectFrom('model_versions').select('account_id').where('id', '=', ids[0]!).executeTakeFirstOrThrow();
      const stored = await a.app.blobs.repo.storedBytes(account);
      assert.ok(stored <= quota, `stored ${stored} bytes > quota ${quota}`);
      assert.equal(stored, distinctBytes(ready.flatMap((d) => d.files)));
      for (const d of refused) {
        assert.equal(await a.app.blobs.repo.hasManifest(d.modelId), false, `refused ${d.modelId} recorded no files`);
        assert.deepEqual(await registryDirsOf(a.dataDir, d.modelId), [], `refused ${d.modelId} left no staged copy`);
      }
      await a.app.collector.collect();
      assert.equal(await blobBytes(a.dataDir), stored, 'the registry holds exactly the Ready versions\' blobs');
    } finally {
      for (const s of servers.reverse()) await s.close();
    }
  });
});
