// Item 4 of the scale-out issue: two replicas on one PostgreSQL (in the SQLite run: one SQLite
// file) and one bucket directory take concurrent creates and imports; one replica is SIGKILLed
// while it is importing. The survivor takes the dead replica's jobs over once their leases
// expire, and in the end every version is Ready or Fail exactly once, numbered V1…VN without
// gaps, and no job is left behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeLargeModel, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';
import { clusterSecrets, spawnServer, waitFor, type ChildServer } from './cluster.js';
import { importBody, openStore, versionsOf } from './scale-helpers.js';

const pgUrl = testPgUrl();
const dbName = pgUrl ? 'PostgreSQL' : 'SQLite';
const LEASE_MS = 2_000;
const root = tempDir('modelreg-takeover-');
let database = '';
let servers: ChildServer[] = [];
const secrets = clusterSecrets();

before(async () => {
  // PostgreSQL is what replicas are for; one SQLite file shared by two processes works as well.
  database = pgUrl ? await createRandomDatabase(pgUrl) : path.join(root, 'shared.sqlite');
  const buckets = path.join(root, 'buckets');
  // Big enough (48 MiB, hashed and copied) that an import is still running when the kill lands.
  await writeLargeModel(path.join(buckets, 'models', 'big'), 48 * 1024 * 1024, { shardBytes: 16 * 1024 * 1024 });
  await writeTinyCausalLM(path.join(buckets, 'models', 'tiny'));
  const env = { MODELREG_BUCKETS_DIR: buckets, MODELREG_JOB_LEASE_MS: String(LEASE_MS), MODELREG_JOB_POLL_MS: '200', MODELREG_IMPORT_CONCURRENCY: '2' };
  servers = await Promise.all(['a', 'b'].map((n) => spawnServer({ database, dataDir: path.join(root, n), secrets, env })));
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (pgUrl && database) await dropTestDatabase(pgUrl, database);
  fs.rmSync(root, { recursive: true, force: true });
});

test(`${dbName}: a replica killed mid-import: its jobs are taken over, every version ends Ready or Fail once, V1…VN`, { timeout: 180_000 }, async () => {
  const [a, b] = servers as [ChildServer, ChildServer];
  const set = await call(a, secrets.key, 'CreateCustomModelSet', { modelSetName: 'takeover', modelType: 'Text2Text' });
  const store = await openStore(database);
  try {
    // Creates at both replicas at once: big imports, some tiny ones, and two that must fail.
    const bodies = Array.from({ length: 16 }, (_, i) =>
      importBody(set.modelSetId, `create ${i}`, i % 8 === 7 ? 'missing-weights' : i % 4 === 3 ? 'tiny' : 'big'),
    );
    fs.mkdirSync(path.join(root, 'buckets', 'models', 'missing-weights'), { recursive: true });
    fs.writeFileSync(path.join(root, 'buckets', 'models', 'missing-weights', 'config.json'), '{"architectures":["LlamaForCausalLM"],"model_type":"llama"}');
    const created = await Promise.all(bodies.map((body, i) => call(i % 2 ? b : a, secrets.key, 'CreateCustomModel', body)));
    const ids = created.map((c) => c.modelId as string);

    // Kill A while it holds a job mid-import.
    const ownerA = `${os.hostname()}:${a.pid}:`;
    const running = () => store.db.selectFrom('jobs').select(['id', 'subject_id', 'lease_owner']).where('status', '=', 'running').where('lease_owner', 'like', `${ownerA}%`).execute();
    await waitFor('replica A to be importing', async () => ((await running()).length > 0 ? true : undefined), 30_000, 5);
    await a.kill();
    const orphaned = await running();
    assert.ok(orphaned.length > 0, 'A died holding at least one job (mid-import)');

    // B alone finishes everything, A's orphans included, once their leases run out.
    const final = await waitFor('every version to leave Creating', async () => {
      const vs = await versionsOf(b, secrets.key, set.modelSetId);
      return vs.length === ids.length && vs.every((v) => v.status !== 'Creating') ? vs : undefined;
    }, 120_000);
    assert.deepEqual(final.map((v) => v.modelName), ids.map((_, i) => `V${i + 1}`), 'V1…VN, no gap, no duplicate');
    const expected = new Map(ids.map((id, i) => [id, (bodies[i]!.importMeta as { objectPath: string }).objectPath === 'missing-weights' ? 'Fail' : 'Ready']));
    for (const v of final) assert.equal(v.status, expected.get(v.modelId), `${v.modelName} (${v.modelId}): ${JSON.stringify(v)}`);

    const jobs = await store.db.selectFrom('jobs').selectAll().where('subject_id', 'in', ids).execute();
    assert.equal(jobs.length, ids.length, 'one job per version');
    assert.deepEqual(jobs.filter((j) => j.status === 'queued' || j.status === 'running'), [], 'no job left queued or running');
    for (const o of orphaned) {
      const job = jobs.find((j) => j.id === o.id)!;
      assert.ok(job.attempts >= 2, `orphaned job ${job.id} was run again (attempts ${job.attempts})`);
      const takenBy = b.logLines('job started').filter((l) => l.jobId === o.id);
      assert.ok(takenBy.length > 0, `B took over ${o.id}`);
    }

    // "Exactly once": once decided, nothing moves any more, though B keeps polling.
    await new Promise((r) => setTimeout(r, LEASE_MS * 2));
    assert.deepEqual(await versionsOf(b, secrets.key, set.modelSetId), final);
  } finally {
    await store.db.destroy();
  }
});
