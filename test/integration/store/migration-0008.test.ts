// Migration 0008 (issue 13) on a database written before it: tasks stored as "Fail" read as
// "Failed" (what the Python SDK's TrainStatus.Fail is), Train versions learn their job's base
// model (DescribeModel's `model`), and nothing else changes. On the backend of the run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Migrator, type Kysely, type Migration } from 'kysely';
import { openDatabase } from '../../../src/store/database.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import * as m0001 from '../../../src/store/migrations/0001_core.js';
import * as m0002 from '../../../src/store/migrations/0002_import.js';
import * as m0003 from '../../../src/store/migrations/0003_training.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const pgUrl = testPgUrl();

async function before0008(db: Kysely<any>): Promise<void> {
  const migrations: Record<string, Migration> = { '0001_core': m0001, '0002_import': m0002, '0003_training': m0003 };
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
  if (error) throw error;
}

test('0008: Fail reads as Failed, Train versions get their base model, other rows are untouched', async () => {
  const dir = tempDir();
  const url = pgUrl ? await createRandomDatabase(pgUrl) : path.join(dir, 'old.sqlite');
  const { db } = await openDatabase(url);
  try {
    await before0008(db as Kysely<any>);
    const at = '2025-01-01T00:00:00.000Z';
    const d = db as Kysely<any>;
    await d.insertInto('accounts').values({ id: 'acc-1', name: 'old', created_at: at }).execute();
    await d.insertInto('finetuning_jobs').values({ id: 'job-1', account_id: 'acc-1', name: 'j', description: null, model: 'Qwen2.5-7B-Instruct', train_mode: 'SFT', created_at: at, modified_at: at }).execute();
    const task = (id: string, run_status: string) => ({
      id,
      account_id: 'acc-1',
      job_id: 'job-1',
      parameter_scale: 'LoRA',
      params: '{}',
      run_status,
      run_progress: 0,
      failure_reason: run_status === 'Fail' ? 'oom' : null,
      metrics: null,
      final_step: null,
      created_at: at,
      modified_at: at,
      finished_at: null,
    });
    await d.insertInto('finetuning_tasks').values([task('task-failed', 'Fail'), task('task-done', 'Done'), task('task-running', 'Running')]).execute();
    await d.insertInto('model_sets').values({ id: 'am-1', account_id: 'acc-1', name: 's', model_type: 'Text2Text', labels: '[]', source: 'UserCreate', next_version: 3, created_at: at, modified_at: at }).execute();
    const version = (id: string, no: number, source_type: string, source_meta: object) => ({
      id,
      account_id: 'acc-1',
      model_set_id: 'am-1',
      version_no: no,
      name: `V${no}`,
      description: null,
      source_type,
      status: 'Ready',
      failure_reason: null,
      model_application_type: 'chat',
      source_meta: JSON.stringify(source_meta),
      resource_config: null,
      advance_conf: null,
      details: null,
      created_at: at,
      modified_at: at,
    });
    await d
      .insertInto('model_versions')
      .values([
        version('amv-train', 1, 'Train', { taskId: 'task-done', sourceInfo: { trainTaskId: 'task-done', checkpointStep: 10 } }),
        version('amv-import', 2, 'Import', { bucket: 'b', basicModelName: 'mine', sourceInfo: { importModelVersionBosUrl: 'bos://b/p' } }),
      ])
      .execute();

    await migrateToLatest(db);

    const statuses = Object.fromEntries((await d.selectFrom('finetuning_tasks').select(['id', 'run_status', 'failure_reason']).execute()).map((r: any) => [r.id, [r.run_status, r.failure_reason]]));
    assert.deepEqual(statuses, { 'task-failed': ['Failed', 'oom'], 'task-done': ['Done', null], 'task-running': ['Running', null] });
    const metas = Object.fromEntries((await d.selectFrom('model_versions').select(['id', 'source_meta']).execute()).map((r: any) => [r.id, JSON.parse(r.source_meta)]));
    assert.equal(metas['amv-train'].baseModel, 'Qwen2.5-7B-Instruct');
    assert.deepEqual(metas['amv-train'].sourceInfo, { trainTaskId: 'task-done', checkpointStep: 10 });
    assert.deepEqual(metas['amv-import'], { bucket: 'b', basicModelName: 'mine', sourceInfo: { importModelVersionBosUrl: 'bos://b/p' } });
    const job = await d.selectFrom('finetuning_jobs').selectAll().where('id', '=', 'job-1').executeTakeFirstOrThrow();
    assert.deepEqual([job.parameter_scale, job.hyper_parameter_config], [null, null]);
  } finally {
    await db.destroy();
    if (pgUrl) await dropTestDatabase(pgUrl, url);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
