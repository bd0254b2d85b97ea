// Import progress (issue 15, item 1): DescribeModel's importProgress while a version is Creating,
// through the real SDK. A queued import says it is queued and how many imports start before it
// (consistent with the fair claim order); a running one publishes its phase and bytes (from a
// second "replica" reading a slow bucket), and the figures are gone once the version is Ready.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeLargeModel, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, settle } from '../pipeline/pipeline-helpers.js';
import { JobsRepo } from '../../../src/store/repos/jobs-repo.js';
import { startSlowReplica } from '../../helpers/slow-replica.js';
import { describeImportProgress, ProgressPublisher } from '../../../src/domain/model/import-progress.js';

let s: TestServer;
before(async () => {
  // No worker of its own: jobs stay queued until the test's own worker (a second replica) runs.
  s = await startServer({ ...FAST, importConcurrency: 0 });
});
after(() => s.close());

describe('importProgress', () => {
  test('queued imports say so, with their position in the fair claim order', async () => {
    const bob = await s.newKey(`bob-${Date.now()}`);
    await writeTinyCausalLM(bucketPath(s, 'queue', 'tiny'));
    const aSet = await createSet(s, s.key);
    const bSet = await createSet(s, bob);
    const create = async (key: typeof s.key, setId: string) => (await call(s, key, 'CreateCustomModel', transformersImport(setId, { bucket: 'queue', objectPath: 'tiny' }))).modelId as string;
    const a1 = await create(s.key, aSet.modelSetId);
    const a2 = await create(s.key, aSet.modelSetId);
    const a3 = await create(s.key, aSet.modelSetId);
    const b1 = await create(bob, bSet.modelSetId);
    const b2 = await create(bob, bSet.modelSetId);
    // Each account is served in turn, oldest first: a1, b1, a2, b2, a3.
    const expected = [a1, b1, a2, b2, a3];
    for (const [i, id] of expected.entries()) {
      const key = id === b1 || id === b2 ? bob : s.key;
      const d = await call(s, key, 'DescribeModel', { modelId: id });
      assert.equal(d.status, 'Creating');
      assert.deepEqual(d.importProgress, { phase: 'queued', queuePosition: i + 1, jobsAhead: i }, `${id} is number ${i + 1}`);
    }
    // The claim takes them in that order (jobs stay running: nothing finishes them here).
    const jobs = new JobsRepo(s.app.store.db, s.app.store.dialect);
    const claimed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const now = Date.now();
      const j = await jobs.claim('import', 'test-claimer', new Date(now).toISOString(), new Date(now + 60_000).toISOString());
      assert.ok(j);
      claimed.push(j.subjectId);
    }
    assert.deepEqual(claimed, expected);
    // Claimed and not reporting yet: validating.
    const d = await call(s, s.key, 'DescribeModel', { modelId: a1 });
    assert.deepEqual(d.importProgress, { phase: 'validating' });
    for (const [i, id] of expected.entries()) await call(s, i % 2 ? bob : s.key, 'DeleteModel', { modelId: id });
  });

  test('a running import publishes phase, bytes and an estimate; Ready has no importProgress', async () => {
    await writeLargeModel(bucketPath(s, 'big', 'm'), 12 * 1024 * 1024, { shardBytes: 4 * 1024 * 1024 });
    const set = await createSet(s, s.key);
    const { modelId } = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'big', objectPath: 'm' }));
    const worker = startSlowReplica(s, 6 * 1024 * 1024);
    try {
      const seen: any[] = [];
      for (;;) {
        const d = await call(s, s.key, 'DescribeModel', { modelId });
        if (d.status !== 'Creating') {
          assert.equal(d.status, 'Ready', d.failureReason);
          assert.equal(d.importProgress, undefined, 'no progress once Ready');
          break;
        }
        if (d.importProgress) seen.push(d.importProgress);
        await sleep(40);
      }
      const copying = seen.filter((p) => p.phase === 'copying');
      assert.ok(copying.length >= 2, `several copying reports: ${JSON.stringify(seen.map((p) => p.phase))}`);
      const total = copying[0].bytesTotal;
      assert.ok(total > 12 * 1024 * 1024 - 65536, `bytesTotal ${total} counts every file`);
      for (let i = 1; i < copying.length; i++) assert.ok(copying[i].bytesDone >= copying[i - 1].bytesDone, 'bytes only grow');
      const mid = copying.find((p) => p.bytesDone > 0 && p.bytesDone < total);
      assert.ok(mid, 'a report in the middle of the copy');
      assert.equal(mid.percent, Math.floor((mid.bytesDone / total) * 1000) / 10);
      assert.ok(copying.some((p) => typeof p.etaSeconds === 'number' && p.etaSeconds >= 0), 'an estimate once bytes flow');
      assert.match(mid.startedAt, /^\d{4}-\d\d-\d\dT/);
    } finally {
      await worker.stop();
    }
  });
});

describe('ProgressPublisher', () => {
  test('writes at most once per interval, and at every phase change', async () => {
    let now = 1_000_000;
    const writes: any[] = [];
    const p = new ProgressPublisher(async (json) => void writes.push(JSON.parse(json)), 1000, () => now);
    for (let i = 1; i <= 100; i++) {
      now += 50; // 100 chunks over 5 s
      p.bytes(i * 1024, 100 * 1024);
    }
    await p.settle();
    assert.ok(writes.length >= 4 && writes.length <= 6, `${writes.length} writes for 5 s`);
    p.phase('finishing');
    await p.settle();
    assert.equal(writes.at(-1).phase, 'finishing');
    const progress = describeImportProgress({ status: 'running', retrying: false, progress: JSON.stringify(writes[2]), lastError: null, jobsAhead: 0 }, Date.parse(writes[2].updatedAt));
    assert.equal(progress?.phase, 'copying');
    assert.ok(typeof progress?.etaSeconds === 'number');
  });

  test('a postponed job is retrying, with the reason', () => {
    assert.deepEqual(describeImportProgress({ status: 'queued', retrying: true, progress: null, lastError: 'store down', jobsAhead: 0 }), { phase: 'retrying', lastError: 'store down' });
  });
});
