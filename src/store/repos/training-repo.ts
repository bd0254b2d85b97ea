// Fine-tuning jobs, tasks and checkpoints: queries only. Rules (states, steps, publishing)
// live in src/domain/training. Every read takes the account, so other tenants' rows stay invisible.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, FineTuningCheckpointsTable, FineTuningJobsTable, FineTuningTasksTable } from '../schema.js';
import { keysetPage, type PageOf } from '../keyset.js';
import { lockAccount } from '../dialect.js';

export type FtJobRow = Selectable<FineTuningJobsTable>;
export type FtTaskRow = Selectable<FineTuningTasksTable>;
export type FtCheckpointRow = Selectable<FineTuningCheckpointsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** A page of an account's rows in (created_at, id) order. */
export interface AccountPage extends PageOf<{ created_at: string; id: string }> {
  accountId: string;
}

/** A task with its job's fields, as every task answer shows them. */
export type FtTaskWithJob = FtTaskRow & { job_name: string; job_description: string | null; model: string; train_mode: string };

export class TrainingRepo {
  constructor(readonly db: Kysely<Database>) {}

  transaction<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** The account's quota lock until `tx` ends (store/dialect.ts): quota count and insert as one. */
  lockAccount(accountId: string, tx: Transaction<Database>): Promise<void> {
    return lockAccount(tx, accountId);
  }

  /** An account's fine-tuning jobs and tasks (the training quotas). */
  async countOf(table: 'finetuning_jobs' | 'finetuning_tasks', accountId: string, db: Db = this.db): Promise<number> {
    const r = await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  insertJob(row: FtJobRow, db: Db = this.db): Promise<unknown> {
    return db.insertInto('finetuning_jobs').values(row).execute();
  }

  findJob(accountId: string, id: string, db: Db = this.db): Promise<FtJobRow | undefined> {
    return db.selectFrom('finetuning_jobs').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  }

  /** One range scan of (account_id, created_at, id); the filters are checked on the rows scanned. */
  pageJobs(p: AccountPage & { trainMode?: string; model?: string }): Promise<FtJobRow[]> {
    let q = this.db.selectFrom('finetuning_jobs').selectAll().where('account_id', '=', p.accountId);
    if (p.trainMode) q = q.where('train_mode', '=', p.trainMode);
    if (p.model) q = q.where('model', '=', p.model);
    return keysetPage(q, ['created_at', 'id'], { ...p, from: p.marker && [p.marker.created_at, p.marker.id] }).execute();
  }

  deleteJob(id: string, db: Db): Promise<unknown> {
    return db.deleteFrom('finetuning_jobs').where('id', '=', id).execute();
  }

  insertTask(row: FtTaskRow, db: Db = this.db): Promise<unknown> {
    return db.insertInto('finetuning_tasks').values(row).execute();
  }

  private tasksWithJob(db: Db) {
    return db
      .selectFrom('finetuning_tasks as t')
      .innerJoin('finetuning_jobs as j', 'j.id', 't.job_id')
      .selectAll('t')
      .select(['j.name as job_name', 'j.description as job_description', 'j.model as model', 'j.train_mode as train_mode']);
  }

  findTask(accountId: string, id: string, db: Db = this.db): Promise<FtTaskWithJob | undefined> {
    return this.tasksWithJob(db).where('t.account_id', '=', accountId).where('t.id', '=', id).executeTakeFirst();
  }

  /** One range scan of (account_id, created_at, id), or of (job_id, created_at, id) for one job's tasks. */
  pageTasks(p: AccountPage & { jobId?: string }): Promise<FtTaskWithJob[]> {
    let q = this.tasksWithJob(this.db).where('t.account_id', '=', p.accountId);
    if (p.jobId) q = q.where('t.job_id', '=', p.jobId);
    return keysetPage(q, ['t.created_at', 't.id'], { ...p, from: p.marker && [p.marker.created_at, p.marker.id] }).execute();
  }

  tasksOfJob(jobId: string, db: Db = this.db): Promise<Pick<FtTaskRow, 'id' | 'run_status'>[]> {
    return db.selectFrom('finetuning_tasks').select(['id', 'run_status']).where('job_id', '=', jobId).execute();
  }

  /** Updates a task only while it is Waiting or Running (also taking its row lock); returns whether it did. */
  async updateActiveTask(id: string, patch: Partial<FtTaskRow>, db: Db = this.db): Promise<boolean> {
    const r = await db.updateTable('finetuning_tasks').set(patch).where('id', '=', id).where('run_status', 'in', ['Waiting', 'Running']).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  deleteTask(id: string, db: Db): Promise<unknown> {
    return db.deleteFrom('finetuning_tasks').where('id', '=', id).execute();
  }

  insertCheckpoint(row: FtCheckpointRow, db: Db = this.db): Promise<unknown> {
    return db.insertInto('finetuning_checkpoints').values(row).execute();
  }

  findCheckpoint(taskId: string, step: number, db: Db = this.db): Promise<FtCheckpointRow | undefined> {
    return db.selectFrom('finetuning_checkpoints').selectAll().where('task_id', '=', taskId).where('step', '=', step).executeTakeFirst();
  }

  checkpointsOf(taskId: string, db: Db = this.db): Promise<FtCheckpointRow[]> {
    return db.selectFrom('finetuning_checkpoints').selectAll().where('task_id', '=', taskId).orderBy('step').execute();
  }

  deleteCheckpointsOf(taskIds: string[], db: Db): Promise<unknown> {
    if (taskIds.length === 0) return Promise.resolve();
    return db.deleteFrom('finetuning_checkpoints').where('task_id', 'in', taskIds).execute();
  }

  /** The Train versions of a model set (for the duplicate-publish rule); source_meta is parsed by the caller. */
  trainVersionsOfSet(setId: string, db: Db = this.db): Promise<{ id: string; name: string; status: string; source_meta: string }[]> {
    return db
      .selectFrom('model_versions')
      .select(['id', 'name', 'status', 'source_meta'])
      .where('model_set_id', '=', setId)
      .where('source_type', '=', 'Train')
      .execute();
  }
}
