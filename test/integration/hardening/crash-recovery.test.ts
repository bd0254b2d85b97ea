// Faults (issue 6, item 4): SIGKILL in the middle of a stream of writes. A real `modelreg serve`
// child process takes concurrent CreateCustomModelSet / CreateCustomModel calls and is killed
// with -9 while they are in flight, three times over on the same data dir (SQLite in WAL mode,
// or PostgreSQL in the suite's second run). After each crash:
//   - every create that was answered 200 is there (nothing acknowledged is lost);
//   - the SQLite file passes PRAGMA integrity_check;
//   - each set's versions are V1…Vn without a gap or a duplicate, and its counter is at n+1
//     (nothing half-made: a version row without its number, or a number without its row);
//   - the restarted server takes writes again, numbering on from n+1.
// Kills during imports, an S3 store going away and a full disk are in test/integration/pipeline/ and in
// disk-full.test.ts beside this file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { signedFetch, tempDir, type Key } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';
import { clusterSecrets, spawnServer, type ChildServer } from '../scale/cluster.js';
import { openStore } from '../scale/scale-helpers.js';

const pgUrl = testPgUrl();
const root = tempDir('modelreg-crash-');
const dataDir = path.join(root, 'data');
const secrets = clusterSecrets();
let database = path.join(dataDir, 'modelreg.sqlite');
let server: ChildServer | undefined;

after(async () => {
  await server?.kill();
  if (pgUrl && database.startsWith('postgres')) await dropTestDatabase(pgUrl, database);
  fs.rmSync(root, { recursive: true, force: true });
});

interface Acked {
  sets: Set<string>;
  versions: Map<string, string>; // modelId → modelSetId
}

async function start(): Promise<ChildServer> {
  return spawnServer({
    database,
    dataDir,
    secrets,
    env: { MODELREG_RATE_LIMIT_PER_SECOND: '0', MODELREG_AUTH_FAILURE_LIMIT_PER_SECOND: '0', MODELREG_JOB_POLL_MS: '100', MODELREG_QUOTA_CONCURRENT_IMPORTS: '0' },
  });
}

async function post(url: string, key: Key, action: string, body: unknown): Promise<any | undefined> {
  try {
    const r = await signedFetch(url, key, { query: `Action=${action}`, body: JSON.stringify(body) });
    return r.status === 200 ? r.body.result : undefined;
  } catch {
    return undefined; // the connection died with the server: the outcome is unknown, not acknowledged
  }
}

/** Writers hammer the server until it dies; returns what was acknowledged. */
async function hammer(s: ChildServer, key: Key, sets: string[], acked: Acked, killAfterAcks: number): Promise<number> {
  let acks = 0;
  let dead = false;
  let n = 0;
  const writer = async (w: number) => {
    while (!dead) {
      const i = n++;
      if (i % 5 === 0) {
        const r = await post(s.url, key, 'CreateCustomModelSet', { modelSetName: `crash_${process.pid}_${Date.now()}_${w}_${i}`, modelType: 'Text2Text' });
        if (r) {
          acked.sets.add(r.modelSetId);
          sets.push(r.modelSetId);
          acks++;
        }
      } else {
        const modelSetId = sets[i % sets.length]!;
        const r = await post(s.url, key, 'CreateCustomModel', {
          modelSetId,
          sourceType: 'Import',
          description: `w${w} i${i}`,
          importMeta: { bucket: 'crash', objectPath: 'model', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' },
        });
        if (r) {
          acked.versions.set(r.modelId, r.modelSetId);
          acks++;
        }
      }
    }
  };
  const killer = (async () => {
    const deadline = Date.now() + 60_000;
    while (acks < killAfterAcks && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await s.kill(); // SIGKILL with writes in flight
    dead = true;
  })();
  await Promise.all([...Array.from({ length: 8 }, (_, w) => writer(w)), killer]);
  return acks;
}

test(`SIGKILL during concurrent writes on ${pgUrl ? 'PostgreSQL' : 'SQLite (WAL)'}: nothing acknowledged is lost, nothing half-made is visible`, { timeout: 240_000 }, async (t) => {
  if (pgUrl) database = await createRandomDatabase(pgUrl);
  // A bucket with something in it, so that imports are accepted (they then fail: no weights).
  fs.mkdirSync(path.join(dataDir, 'buckets', 'crash', 'model'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'buckets', 'crash', 'model', 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' }));

  const key = secrets.key;
  const acked: Acked = { sets: new Set(), versions: new Map() };
  const sets: string[] = [];
  for (let round = 0; round < 3; round++) {
    server = await start();
    if (sets.length === 0) {
      for (let i = 0; i < 3; i++) {
        const r = await post(server.url, key, 'CreateCustomModelSet', { modelSetName: `crash_base_${i}`, modelType: 'Text2Text' });
        assert.ok(r, 'could not create the base sets');
        acked.sets.add(r.modelSetId);
        sets.push(r.modelSetId);
      }
    }
    const acks = await hammer(server, key, sets, acked, 80 + round * 40);
    assert.notEqual(await server.exited, 0, 'the server was not killed');
    t.diagnostic(`round ${round}: ${acks} writes acknowledged before SIGKILL`);

    if (!pgUrl) {
      // Opening the file replays the WAL, as the restart will; the result must be a sound database.
      const db = new SQLite(database);
      const check = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
      db.close();
      assert.deepEqual(check, [{ integrity_check: 'ok' }], 'PRAGMA integrity_check after SIGKILL');
    }
  }

  // The restarted server sees every acknowledged write, and the numbering is whole.
  server = await start();
  const store = await openStore(database);
  try {
    const setRows = await store.db.selectFrom('model_sets').select(['id', 'next_version']).execute();
    const versionRows = await store.db.selectFrom('model_versions').select(['id', 'model_set_id', 'version_no', 'name']).execute();
    const setIds = new Set(setRows.map((r) => r.id));
    const versionIds = new Map(versionRows.map((r) => [r.id, r.model_set_id]));
    for (const id of acked.sets) assert.ok(setIds.has(id), `acknowledged set ${id} is lost`);
    for (const [id, setId] of acked.versions) assert.equal(versionIds.get(id), setId, `acknowledged version ${id} is lost`);
    for (const set of setRows) {
      const nos = versionRows.filter((v) => v.model_set_id === set.id).map((v) => v.version_no).sort((a, b) => a - b);
      assert.deepEqual(nos, nos.map((_, i) => i + 1), `set ${set.id}: version numbers ${nos.join(',')}`);
      assert.equal(set.next_version, nos.length + 1, `set ${set.id}: counter ${set.next_version} after ${nos.length} versions`);
      for (const v of versionRows.filter((x) => x.model_set_id === set.id)) assert.equal(v.name, `V${v.version_no}`);
    }
    // No job without its version, no version of the import source without its job (jobs may be done).
    const orphans = await sql<{ n: number }>`select count(*) as n from jobs where kind = 'import' and subject_id not in (select id from model_versions)`.execute(store.db);
    assert.equal(Number(orphans.rows[0]!.n), 0, 'import jobs whose version does not exist');
    t.diagnostic(`${acked.sets.size} sets and ${acked.versions.size} versions acknowledged; ${setRows.length} sets and ${versionRows.length} versions stored`);

    // And it takes writes again, numbering on.
    const target = sets[0]!;
    const before = versionRows.filter((v) => v.model_set_id === target).length;
    const r = await post(server.url, key, 'CreateCustomModel', {
      modelSetId: target,
      sourceType: 'Import',
      importMeta: { bucket: 'crash', objectPath: 'model', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' },
    });
    assert.ok(r, 'the restarted server refused a write');
    const d = await post(server.url, key, 'DescribeModel', { modelId: r.modelId });
    assert.equal(d.modelName, `V${before + 1}`);
  } finally {
    await store.db.destroy();
    await server.stop();
  }
});
