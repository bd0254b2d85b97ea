// Fine-tuning jobs, their tasks (training runs) and the checkpoints trainers report.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('finetuning_jobs')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('model', 'varchar(128)', (c) => c.notNull())
    .addColumn('train_mode', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  // Pages go by (account, created_at, id), the same keyset as model sets.
  await db.schema.createIndex('finetuning_jobs_account_created').on('finetuning_jobs').columns(['account_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('finetuning_tasks')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull().references('accounts.id'))
    .addColumn('job_id', 'varchar(64)', (c) => c.notNull().references('finetuning_jobs.id'))
    .addColumn('parameter_scale', 'varchar(32)')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('run_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('run_progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failure_reason', 'text')
    .addColumn('metrics', 'text')
    .addColumn('final_step', 'integer')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('modified_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('finished_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('finetuning_tasks_account_created').on('finetuning_tasks').columns(['account_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('finetuning_tasks_job').on('finetuning_tasks').columns(['job_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('finetuning_checkpoints')
    .addColumn('task_id', 'varchar(64)', (c) => c.notNull().references('finetuning_tasks.id'))
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('bucket', 'varchar(63)', (c) => c.notNull())
    .addColumn('object_path', 'text', (c) => c.notNull())
    .addColumn('model_format', 'varchar(64)', (c) => c.notNull())
    .addColumn('model_application_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('transformer_version', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    // One checkpoint per step: a step is what CreateCustomModel names.
    .addPrimaryKeyConstraint('finetuning_checkpoints_pk', ['task_id', 'step'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['finetuning_checkpoints', 'finetuning_tasks', 'finetuning_jobs']) {
    await db.schema.dropTable(t).execute();
  }
}
