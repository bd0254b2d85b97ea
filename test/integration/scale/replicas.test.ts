// Two `modelreg serve` processes on one PostgreSQL (or, in the SQLite run, one SQLite file) and
// one bucket directory behave as one registry: concurrent CreateCustomModel calls at both, on one
// model set, get V1…VN with no gap and no duplicate, and every import job runs exactly once, on
// one replica or the other.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';
import { clusterSecrets, spawnServer, waitFor, type ChildServer } from './cluster.js';
import { importBody, openStore, versionsOf } from './scale-helpers.js';

const pgUrl = testPgUrl();
const dbName = pgUrl ? 'PostgreSQL' : 'SQLite';
const root = tempDir('modelreg-replicas-');
let database = '';
let servers: ChildServer[] = [];
const secrets = clusterSecrets();

before(async () => {
  // PostgreSQL is what replicas are for; one SQLite file shared by two processes works as well.
  database = pgUrl ? await createRandomDatabase(pgUrl) : path.join(root, 'shared.sqlite');
  const buckets = path.join(root, 'buckets');
  await writeTinyCausalLM(path.join(buckets, 'models', 'tiny'));
  const env = { MODELREG_BUCKETS_DIR: buckets, MODELREG_JOB_POLL_MS: '200' };
  servers = await Promise.all(['a', 'b'].map((n) => spawnServer({ database, dataDir: path.join(root, n), secrets, env })));
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (pgUrl && database) await dropTestDatabase(pgUrl, database);
  fs.rmSync(root, { recursive: true, force: true });
});

test(`${dbName}: concurrent creates at two replicas on one set are numbered V1…VN exactly`, async () => {
  const [a, b] = servers as [ChildServer, ChildServer];
  const set = await call(a, secrets.key, 'CreateCustomModelSet', { modelSetName: 'replicated', modelType: 'Text2Text' });
  const n = 40;
  const created = await Promise.all(
    Array.from({ length: n }, (_, i) => call(i % 2 ? b : a, secrets.key, 'CreateCustomModel', importBody(set.modelSetId, `create ${i}`))),
  );
  const ids = created.map((c) => c.modelId as string);
  assert.equal(new Set(ids).size, n, 'every create got its own modelId');

  // Every import finishes, on whichever replica claimed it.
  const final = await waitFor('every version to leave Creating', async () => {
    const vs = await versionsOf(b, secrets.key, set.modelSetId);
    return vs.length === n && vs.every((v) => v.status !== 'Creating') ? vs : undefined;
  });
  assert.deepEqual(
    final.map((v) => v.modelName),
    Array.from({ length: n }, (_, i) => `V${i + 1}`),
    'names V1…VN, in order, none missing or repeated',
  );
  assert.deepEqual([...new Set(final.map((v) => v.status))], ['Ready'], JSON.stringify(final.filter((v) => v.status !== 'Ready')));
  assert.deepEqual(new Set(final.map((v) => v.modelId)), new Set(ids));

  // Both replicas see the same thing.
  const fromA = await versionsOf(a, secrets.key, set.modelSetId);
  assert.deepEqual(fromA, final);

  // Each job was claimed once: no worker ran a job another worker had.
  const store = await openStore(database);
  try {
    const jobs = await store.db.selectFrom('jobs').select(['subject_id', 'status', 'attempts']).where('subject_id', 'in', ids).execute();
    assert.equal(jobs.length, n);
    // An attempt that was repeated says why in the replicas' logs (a retried store error, a lost lease).
    const why = servers.flatMap((s) => [...s.logLines('import failed on infrastructure; will retry'), ...s.logLines('lease lost; abandoning the job')]);
    assert.deepEqual(jobs.filter((j) => j.status !== 'done' || j.attempts !== 1), [], `every job done on its first attempt: ${JSON.stringify(why)}`);
  } finally {
    await store.db.destroy();
  }
  const started = servers.map((s) => s.logLines('job started').length);
  assert.equal(started.reduce((x, y) => x + y, 0), n, `job starts per replica: ${started.join(' + ')}`);
});
