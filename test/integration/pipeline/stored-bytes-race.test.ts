// The stored-bytes quota is exact when imports finish at the same moment (src/jobs/blob-store.ts
// record): six imports of one account that each fit alone but not together, run by six import
// workers, on PostgreSQL split over two replicas of one database and one registry. All six are
// held just before they store their files and let go together, so every check runs while the
// others are in flight; a check made outside the account's lock let them all through. Then the
// same with global dedup scope and two accounts whose imports claim the same blobs at once.
// SQLite runs one server: replicas in one test process would share its synchronous driver's
// thread, so one waiting for the other's write lock would block the thread the other needs to
// commit. Its lock (BEGIN IMMEDIATE on the file) excludes other processes the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { testPgUrl } from '../../helpers/pg.js';
import type { ConfigOverrides } from '../../../src/config.js';
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

/** Models m0…m(n-1) in the bucket: the same tiny LM plus an own file of OWN bytes each. */
async function writeModels(server: TestServer, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await writeTinyCausalLM(bucketPath(server, BUCKET, `m${i}`), { extraFiles: { 'notes.bin': Buffer.alloc(OWN, i + 1) } });
}

/** The quota: the shared part once, plus two models' own file, plus slack smaller than a third. */
async function quotaForTwo(): Promise<number> {
  const probe = await startServer(FAST);
  try {
    await writeTinyCausalLM(bucketPath(probe, BUCKET, 'probe'));
    return distinctBytes(await describeFiles(bucketPath(probe, BUCKET, 'probe'))) + 2 * OWN + OWN / 2;
  } finally {
    await probe.close();
  }
}

/** The server plus, on PostgreSQL, a second replica on the same database and data dir. */
async function startReplicas(options: ConfigOverrides): Promise<TestServer[]> {
  const replicas = testPgUrl() === undefined ? 1 : 2;
  const a = await startServer({ ...options, importConcurrency: IMPORTS / replicas });
  const servers = [a];
  if (replicas === 2) servers.push(await startServer({ ...options, importConcurrency: IMPORTS / replicas, dataDir: a.dataDir, database: a.database }));
  return servers;
}

/** Every outcome that is not Ready is the stored-bytes refusal, for an import of OWN new bytes. */
function assertRefusals(ends: any[], quota: number): void {
  for (const d of ends.filter((e) => e.status !== 'Ready')) {
    assert.equal(d.status, 'Fail');
    assert.equal(d.failureCode, 'StorageQuotaExceeded', d.failureReason);
    assert.match(d.failureReason, new RegExp(`stored-bytes quota would be exceeded: \\d+ bytes stored \\+ ${OWN} new bytes > quota ${quota} bytes`));
  }
}

const accountOf = async (server: TestServer, modelId: string): Promise<string> =>
  (await server.app.store.db.selectFrom('model_versions').select('account_id').where('id', '=', modelId).executeTakeFirstOrThrow()).account_id;

const summary = (ends: any[]) => ends.map((d) => `${d.status}: ${d.failureReason ?? ''}`).join('\n');

describe('the stored-bytes quota under imports finishing together', () => {
  it('six imports at once (two replicas on PostgreSQL): the account never holds more than its quota; the refused ones fail with the reason', async () => {
    const quota = await quotaForTwo();
    const servers = await startReplicas({ ...FAST, storedBytesQuota: quota, quotaConcurrentImports: 0 });
    const a = servers[0]!;
    try {
      const setId = (await createSet(a, a.key)).modelSetId;
      await writeModels(a, IMPORTS);
      const together = finishTogether(servers, IMPORTS);
      const ids: string[] = [];
      for (let i = 0; i < IMPORTS; i++) {
        ids.push((await call(servers[i % servers.length]!, a.key, 'CreateCustomModel', transformersImport(setId, { bucket: BUCKET, objectPath: `m${i}` }))).modelId);
      }
      const ends = await Promise.all(ids.map((id) => settle(a, a.key, id, 60_000)));
      assert.equal(together.arrived(), IMPORTS, 'every import reached the point where it stores its files');

      // Whatever order they pass the lock in, the first pays the shared part and its own file, the
      // second its own file only, and every later one would pass the quota.
      const ready = ends.filter((d) => d.status === 'Ready');
      assert.equal(ready.length, 2, summary(ends));
      assertRefusals(ends, quota);

      // What the account is charged, what its versions reference, and what the disk holds agree.
      const stored = await a.app.blobs.repo.storedBytes(await accountOf(a, ids[0]!));
      assert.ok(stored <= quota, `stored ${stored} bytes > quota ${quota}`);
      assert.equal(stored, distinctBytes(ready.flatMap((d) => d.files)));
      for (const d of ends.filter((e) => e.status !== 'Ready')) {
        assert.equal(await a.app.blobs.repo.hasManifest(d.modelId), false, `refused ${d.modelId} recorded no files`);
        assert.deepEqual(await registryDirsOf(a.dataDir, d.modelId), [], `refused ${d.modelId} left no staged copy`);
      }
      await a.app.collector.collect();
      assert.equal(await blobBytes(a.dataDir), stored, 'the registry holds exactly the Ready versions\' blobs');
    } finally {
      for (const s of servers.reverse()) await s.close();
    }
  });

  it('global dedup scope: two accounts importing the same files at once are each held to their quota, nothing retried', async () => {
    const quota = await quotaForTwo();
    const servers = await startReplicas({ ...FAST, blobScope: 'global', storedBytesQuota: quota, quotaConcurrentImports: 0 });
    const a = servers[0]!;
    try {
      const keys = [a.key, await a.newKey(`bob-${Math.random().toString(36).slice(2, 8)}`)];
      const sets = [(await createSet(a, keys[0]!)).modelSetId, (await createSet(a, keys[1]!)).modelSetId];
      const perAccount = IMPORTS / 2;
      await writeModels(a, perAccount);
      const together = finishTogether(servers, IMPORTS);
      const ids: string[] = [];
      for (let i = 0; i < IMPORTS; i++) {
        const who = i % 2;
        ids.push((await call(servers[i % servers.length]!, keys[who]!, 'CreateCustomModel', transformersImport(sets[who]!, { bucket: BUCKET, objectPath: `m${Math.floor(i / 2)}` }))).modelId);
      }
      const ends = await Promise.all(ids.map((id, i) => settle(a, keys[i % 2]!, id, 60_000)));
      assert.equal(together.arrived(), IMPORTS, 'every import reached the point where it stores its files');
      const retried = await a.app.store.db.selectFrom('jobs').select(['subject_id', 'attempts', 'last_error']).where('subject_id', 'in', ids).where('attempts', '>', 1).execute();
      assert.deepEqual(retried, [], 'no import was retried (no lock wait ended in an error)');

      const union: any[] = [];
      for (const who of [0, 1]) {
        const mine = ends.filter((_, i) => i % 2 === who);
        const ready = mine.filter((d) => d.status === 'Ready');
        assert.equal(ready.length, 2, summary(mine));
        assertRefusals(mine, quota);
        const stored = await a.app.blobs.repo.storedBytes(await accountOf(a, ids[who]!));
        assert.equal(stored, distinctBytes(ready.flatMap((d) => d.files)));
        assert.ok(stored <= quota, `stored ${stored} bytes > quota ${quota}`);
        union.push(...ready.flatMap((d) => d.files));
      }
      await a.app.collector.collect();
      assert.equal(await blobBytes(a.dataDir), distinctBytes(union), 'shared blobs are stored once, refused imports left none');
    } finally {
      for (const s of servers.reverse()) await s.close();
    }
  });
});
