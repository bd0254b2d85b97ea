// Replicas start at once on an empty database (a fresh deploy, a scaled-up deployment): the
// migrations must run exactly once and every process must come up. Runs on the database of the
// suite's run: PostgreSQL (MODELREG_TEST_DATABASE) or one SQLite file shared by the processes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { call, tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';
import { clusterSecrets, spawnServer, type ChildServer } from './cluster.js';

const pgUrl = testPgUrl();
const root = tempDir('modelreg-migrate-');
let database: string;

before(async () => {
  database = pgUrl ? await createRandomDatabase(pgUrl) : path.join(root, 'shared.sqlite');
});

after(async () => {
  if (pgUrl && database) await dropTestDatabase(pgUrl, database);
  fs.rmSync(root, { recursive: true, force: true });
});

test(`three processes starting at once on an empty ${pgUrl ? 'PostgreSQL' : 'SQLite'} database all come up`, async () => {
  const secrets = clusterSecrets();
  const started = await Promise.allSettled(
    [1, 2, 3].map((i) => spawnServer({ database, dataDir: path.join(root, `replica-${i}`), secrets })),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    assert.deepEqual(failed, [], 'every replica starts');

    // Each migration was recorded once, and all three serve the same store.
    const store = await openDatabase(database);
    try {
      const db = store.db as unknown as Kysely<any>;
      const rows = await db.selectFrom('kysely_migration').select('name').execute();
      const names = rows.map((r) => r.name as string);
      assert.equal(new Set(names).size, names.length, `no migration recorded twice: ${names.join(', ')}`);
      assert.ok(names.includes('0001_core'));
      const keys = await sql<{ n: number }>`select count(*) as n from access_keys where access_key = ${secrets.key.accessKey}`.execute(db);
      assert.equal(Number(keys.rows[0]!.n), 1, 'the bootstrap key exists once, though three processes ensured it');
    } finally {
      await store.db.destroy();
    }
    const set = await call(servers[0] as ChildServer, secrets.key, 'CreateCustomModelSet', { modelSetName: 'migrated', modelType: 'Text2Text' });
    for (const s of servers) {
      const seen = await call(s, secrets.key, 'DescribeModelSet', { modelSetId: set.modelSetId });
      assert.equal(seen.modelSetName, 'migrated');
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});
