// Migration 0017 on a database written before it: versions made Ready earlier keep a NULL commit
// (the migration reads no manifest), and the Hub's resolver records them at a set's first miss by
// index, once per database: a later resolver (another replica, or after a restart) answers a
// commit the set does not have without reading any manifest. Answers are those of the scan it
// replaced: the newest Ready version with the commit. On the backend of the run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { migrations, migrateToLatest } from '../../../src/store/migrate.js';
import { ModelsRepo } from '../../../src/store/repos/models-repo.js';
import { HubRepo } from '../../../src/store/repos/hub-repo.js';
import { BlobsRepo } from '../../../src/store/repos/blobs-repo.js';
import { RevisionMiss, RevisionResolver, type ResolvedRevision } from '../../../src/domain/hub/revisions.js';
import { commitIdOf } from '../../../src/domain/hub/commit-id.js';
import type { RegistryFiles } from '../../../src/domain/registry/registry-files.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const pgUrl = testPgUrl();
const at = '2025-01-01T00:00:00.000Z';
const SETTLED = JSON.stringify({ storage: { layout: 'blobs' } });
/** A version of the release before content-addressed blobs whose files the upgrade is still moving. */
const UPGRADING = JSON.stringify({ storage: { prefix: 'a/amv-5/attempt-1' } });
const file = (p: string, c: string) => ({ path: p, size: c.length, sha256: c.repeat(64).slice(0, 64) });
const A = [file('config.json', 'a'), file('model.safetensors', 'b')];
const B = [file('config.json', 'c'), file('model.safetensors', 'd')];
const C = [file('config.json', 'e')];

test('0017: old Ready versions get their commit at the first miss, once per database; then a miss reads no manifest', async () => {
  const url = pgUrl ? await createRandomDatabase(pgUrl) : path.join(tempDir(), 'old.sqlite');
  const store = await openDatabase(url);
  const d = store.db as Kysely<any>;
  try {
    const { error } = await new Migrator({ db: d, provider: { getMigrations: async () => migrations } }).migrateTo('0015_model_set_counts');
    if (error) throw error;
    await d.insertInto('accounts').values({ id: 'a', name: 'a', created_at: at }).execute();
    await d.insertInto('model_sets').values({ id: 'am-1', account_id: 'a', name: 'chat', model_type: 'Text2Text', labels: '[]', source: 'UserCreate', next_version: 7, created_at: at, modified_at: at }).execute();
    const version = (n: number, status: string, details: string | null) => ({
      id: `amv-${n}`, account_id: 'a', model_set_id: 'am-1', version_no: n, name: `V${n}`, source_type: 'Import', status, source_meta: '{}', details, created_at: at, modified_at: at,
    });
    // V3 has V1's files: commit A names V3, the newest. V4 is still Creating; V5 is being upgraded.
    await d.insertInto('model_versions').values([version(1, 'Ready', SETTLED), version(2, 'Ready', SETTLED), version(3, 'Ready', SETTLED), version(4, 'Creating', null), version(5, 'Ready', UPGRADING)]).execute();
    const manifest = (v: number, files: typeof A) => files.map((f) => ({ version_id: `amv-${v}`, ...f, scope: 'a' }));
    await d.insertInto('version_files').values([...manifest(1, A), ...manifest(2, B), ...manifest(3, A), ...manifest(4, B), ...manifest(5, C)]).execute();

    await migrateToLatest(store.db);

    const commits = async () => Object.fromEntries((await d.selectFrom('model_versions').select(['name', 'commit_id']).orderBy('version_no').execute()).map((r) => [r.name, r.commit_id]));
    assert.deepEqual(await commits(), { V1: null, V2: null, V3: null, V4: null, V5: null }, 'the migration reads no manifest');

    const blobs = new BlobsRepo(store.db);
    const hub = new HubRepo(store.db);
    const models = new ModelsRepo(store.db);
    let reads: string[] = [];
    const files: RegistryFiles = {
      manifest: async (id) => {
        reads.push(id);
        return (await blobs.readyManifest(id)).map(({ path: p, size, sha256 }) => ({ path: p, size, sha256 }));
      },
      openBlob: () => Promise.reject(new Error('not read here')),
      presignBlob: () => Promise.reject(new Error('not read here')),
    };
    /** A resolver as a replica starts with: nothing cached in memory. */
    const replica = () => new RevisionResolver(models, hub, files);
    const set = (await models.findSet('a', { id: 'am-1' }))!;
    const [cA, cB, cC] = [commitIdOf(A), commitIdOf(B), commitIdOf(C)];
    const absent = 'f'.repeat(40);
    const nameOf = (r: ResolvedRevision | RevisionMiss) => (r instanceof RevisionMiss ? r.reason : `${r.version.name} ${r.commit}`);

    // The first miss reads each old Ready version's manifest once and records those that are settled.
    assert.match(nameOf(await replica().find(set, absent)), /has no Ready version with commit f{40}/);
    assert.deepEqual(reads.sort(), ['amv-1', 'amv-2', 'amv-3', 'amv-5']);
    assert.deepEqual(await commits(), { V1: cA, V2: cB, V3: cA, V4: null, V5: null });
    // The version being upgraded answers by its commit as before, but nothing partial is recorded.
    assert.equal(nameOf(await replica().find(set, cC)), `V5 ${cC}`);

    // Its upgrade done, the next miss records it; after that a miss reads no manifest at all.
    await d.updateTable('model_versions').set({ details: SETTLED }).where('id', '=', 'amv-5').execute();
    reads = [];
    assert.ok((await replica().find(set, absent)) instanceof RevisionMiss);
    assert.deepEqual(reads, ['amv-5']);
    assert.equal((await commits()).V5, cC);
    reads = [];
    for (let i = 0; i < 3; i++) assert.ok((await replica().find(set, absent)) instanceof RevisionMiss);
    assert.deepEqual(reads, [], 'a miss once the set is filled reads no manifest, on any replica');

    // A hit reads only the manifest it serves; the newest version with the commit, as the scan answered.
    assert.equal(nameOf(await replica().find(set, cA)), `V3 ${cA}`);
    assert.equal(nameOf(await replica().find(set, cB)), `V2 ${cB}`);
    assert.deepEqual(reads, ['amv-3', 'amv-2']);
    // A deleted version's commit goes with its row.
    await d.deleteFrom('model_versions').where('id', '=', 'amv-2').execute();
    assert.ok((await replica().find(set, cB)) instanceof RevisionMiss);
  } finally {
    await store.db.destroy();
    if (pgUrl) await dropTestDatabase(pgUrl, url);
  }
});

test('0017: two replicas filling the same set at once record the same commits and answer alike', async () => {
  const url = pgUrl ? await createRandomDatabase(pgUrl) : path.join(tempDir(), 'race.sqlite');
  const store = await openDatabase(url);
  const d = store.db as Kysely<any>;
  try {
    const { error } = await new Migrator({ db: d, provider: { getMigrations: async () => migrations } }).migrateTo('0015_model_set_counts');
    if (error) throw error;
    await d.insertInto('accounts').values({ id: 'a', name: 'a', created_at: at }).execute();
    await d.insertInto('model_sets').values({ id: 'am-1', account_id: 'a', name: 'chat', model_type: 'Text2Text', labels: '[]', source: 'UserCreate', next_version: 41, created_at: at, modified_at: at }).execute();
    const n = 40;
    const sets = Array.from({ length: n }, (_, i) => [file('config.json', String.fromCharCode(97 + (i % 26))), file(`shard-${i}.safetensors`, 'b')]);
    await d.insertInto('model_versions').values(sets.map((_, i) => ({ id: `amv-${i + 1}`, account_id: 'a', model_set_id: 'am-1', version_no: i + 1, name: `V${i + 1}`, source_type: 'Import', status: 'Ready', source_meta: '{}', details: SETTLED, created_at: at, modified_at: at }))).execute();
    await d.insertInto('version_files').values(sets.flatMap((fs, i) => fs.map((f) => ({ version_id: `amv-${i + 1}`, ...f, scope: 'a' })))).execute();
    await migrateToLatest(store.db);

    const blobs = new BlobsRepo(store.db);
    const files: RegistryFiles = {
      manifest: async (id) => (await blobs.readyManifest(id)).map(({ path: p, size, sha256 }) => ({ path: p, size, sha256 })),
      openBlob: () => Promise.reject(new Error('not read here')),
      presignBlob: () => Promise.reject(new Error('not read here')),
    };
    // Each replica its own connection pool, as two processes would have.
    const other = await openDatabase(url);
    try {
      const replicas = [store.db, other.db].map((db) => new RevisionResolver(new ModelsRepo(db), new HubRepo(db), files));
      const set = (await new ModelsRepo(store.db).findSet('a', { id: 'am-1' }))!;
      const want = commitIdOf(sets[7]!);
      const answers = await Promise.all(replicas.map((r) => r.find(set, want)));
      for (const a of answers) assert.equal(a instanceof RevisionMiss ? a.reason : a.version.name, 'V8');
      const rows = await d.selectFrom('model_versions').select(['id', 'commit_id']).orderBy('version_no').execute();
      assert.deepEqual(rows.map((r) => r.commit_id), sets.map((fs) => commitIdOf(fs)));
    } finally {
      await other.db.destroy();
    }
  } finally {
    await store.db.destroy();
    if (pgUrl) await dropTestDatabase(pgUrl, url);
  }
});
