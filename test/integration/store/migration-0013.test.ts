// Migration 0013 (issue 16) on a database written before it: a job postponed for a retry (a
// `running` row leased by 'retry') becomes a queued job with run_after, its attempts and reason
// kept; other jobs are untouched, and the claim takes the converted job once its time has come.
// On the backend of the run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { migrations, migrateToLatest } from '../../../src/store/migrate.js';
import { JobsRepo } from '../../../src/store/repos/jobs-repo.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const pgUrl = testPgUrl();

test('0013: a postponed job becomes queued with run_after; running and queued jobs are untouched', async () => {
  const url = pgUrl ? await createRandomDatabase(pgUrl) : path.join(tempDir(), 'old.sqlite');
  const store = await openDatabase(url);
  const d = store.db as Kysely<any>;
  try {
    // The schema as the release before 0013 left it.
    const { error } = await new Migrator({ db: d, provider: { getMigrations: async () => migrations } }).migrateTo('0011_ux');
    if (error) throw error;
    const at = '2025-01-01T00:00:00.000Z';
    const job = (id: string, status: string, lease_owner: string | null, lease_expires_at: string | null, attempts: number, last_error: string | null) => ({
      id, kind: 'import', subject_id: `v-${id}`, account_id: 'acc-1', status, attempts, payload: '{}', lease_owner, lease_expires_at, last_error, created_at: at, updated_at: at,
    });
    await d.insertInto('jobs').values([
      job('postponed', 'running', 'retry', '2025-01-01T00:05:00.000Z', 2, 'store down'),
      job('running', 'running', 'host:1:abc', '2025-01-01T00:01:00.000Z', 1, null),
      job('queued', 'queued', null, null, 0, null),
      job('done', 'done', null, null, 1, null),
    ]).execute();

    await migrateToLatest(store.db);

    const rows = await d.selectFrom('jobs').select(['id', 'status', 'attempts', 'lease_owner', 'lease_expires_at', 'run_after', 'last_error']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { id: 'done', status: 'done', attempts: 1, lease_owner: null, lease_expires_at: null, run_after: null, last_error: null },
      { id: 'postponed', status: 'queued', attempts: 2, lease_owner: null, lease_expires_at: null, run_after: '2025-01-01T00:05:00.000Z', last_error: 'store down' },
      { id: 'queued', status: 'queued', attempts: 0, lease_owner: null, lease_expires_at: null, run_after: null, last_error: null },
      { id: 'running', status: 'running', attempts: 1, lease_owner: 'host:1:abc', lease_expires_at: '2025-01-01T00:01:00.000Z', run_after: null, last_error: null },
    ]);
    const jobs = new JobsRepo(store.db, store.dialect);
    assert.deepEqual((await jobs.liveJobOf('v-postponed'))?.retrying, true, 'a converted job reads as retrying');
    // Before its retry time only the plain queued job is claimable; after it, the postponed one too.
    const lease = '2025-01-01T01:00:00.000Z';
    assert.equal((await jobs.claim('import', 'w1', '2025-01-01T00:00:30.000Z', lease))?.id, 'queued');
    assert.equal(await jobs.claim('import', 'w1', '2025-01-01T00:00:30.000Z', lease), undefined);
    const retried = await jobs.claim('import', 'w1', '2025-01-01T00:06:00.000Z', lease);
    assert.deepEqual(retried && { id: retried.id, attempts: retried.attempts, lastError: retried.lastError }, { id: 'postponed', attempts: 3, lastError: 'store down' });
  } finally {
    await store.db.destroy();
    if (pgUrl) await dropTestDatabase(pgUrl, url);
  }
});
