// The import worker never runs more jobs at once than importConcurrency, observed from the durable
// jobs table itself (a running job holds a lease; one waiting for a retry is queued).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeLargeModel } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, settle } from './pipeline-helpers.js';

const MiB = 1024 * 1024;

/** Starts `n` imports at once and samples the jobs table until all have ended; returns the peak of running jobs. */
async function peakRunning(server: TestServer, n: number): Promise<{ peak: number; statuses: string[] }> {
  await writeLargeModel(bucketPath(server, 'team-models', 'llama'), 48 * MiB, { shardBytes: 16 * MiB });
  const setId = (await createSet(server, server.key)).modelSetId;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await call(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: 'team-models', objectPath: 'llama' }))).modelId);
  }
  let peak = 0;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const running = await server.app.store.db
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'running')
        .where('lease_owner', 'is not', null)
        .execute();
      peak = Math.max(peak, running.length);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    const statuses = [];
    for (const id of ids) statuses.push((await settle(server, server.key, id, 60_000)).status);
    return { peak, statuses };
  } finally {
    done = true;
    await sampler;
  }
}

describe('import concurrency limit', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('runs one import at a time with importConcurrency 1', async () => {
    const server = await startServer({ ...FAST, importConcurrency: 1 });
    servers.push(server);
    const { peak, statuses } = await peakRunning(server, 4);
    assert.deepEqual(statuses, ['Ready', 'Ready', 'Ready', 'Ready']);
    assert.equal(peak, 1, 'exactly one import ran at a time');
  });

  it('runs up to two at a time with importConcurrency 2 (the sampling does see overlap)', async () => {
    const server = await startServer({ ...FAST, importConcurrency: 2 });
    servers.push(server);
    const { peak, statuses } = await peakRunning(server, 4);
    assert.deepEqual(statuses, ['Ready', 'Ready', 'Ready', 'Ready']);
    assert.equal(peak, 2, "two imports overlapped, never three");
  });

  it('imports nothing with importConcurrency 0, leaving the versions Creating with their jobs queued', async () => {
    const server = await startServer({ ...FAST, importConcurrency: 0 });
    servers.push(server);
    await writeLargeModel(bucketPath(server, 'team-models', 'small'), 1 * MiB);
    const setId = (await createSet(server, server.key)).modelSetId;
    const { modelId } = await call(server, server.key, 'CreateCustomModel', transformersImport(setId, { bucket: 'team-models', objectPath: 'small' }));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await call(server, server.key, 'DescribeModel', { modelId })).status, 'Creating');
    const job = await server.app.store.db.selectFrom('jobs').selectAll().where('subject_id', '=', modelId).executeTakeFirstOrThrow();
    assert.equal(job.status, 'queued');
  });
});
