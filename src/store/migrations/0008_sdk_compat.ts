// Issue 13 (every official SDK works unchanged):
//  - task statuses are spelled as Qianfan answers them: a failed task is "Failed" (the Python
//    SDK's TrainStatus.Fail), not "Fail" as modelreg stored it before;
//  - the job-level fields the Python SDK sends (parameterScale, hyperParameterConfig);
//  - the loss and perplexity a trainer may report with a checkpoint (the Python trainer plots them);
//  - Train versions remember their job's base model, answered as DescribeModel's `model`.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.updateTable('finetuning_tasks').set({ run_status: 'Failed' }).where('run_status', '=', 'Fail').execute();

  await db.schema.alterTable('finetuning_jobs').addColumn('parameter_scale', 'varchar(32)').execute();
  await db.schema.alterTable('finetuning_jobs').addColumn('hyper_parameter_config', 'text').execute();
  await db.schema.alterTable('finetuning_checkpoints').addColumn('training_loss', 'double precision').execute();
  await db.schema.alterTable('finetuning_checkpoints').addColumn('perplexity', 'double precision').execute();

  // Train versions published before this release: their task's job names the base model.
  const versions = await db.selectFrom('model_versions').select(['id', 'source_meta']).where('source_type', '=', 'Train').execute();
  for (const v of versions as { id: string; source_meta: string }[]) {
    let meta: { baseModel?: unknown; sourceInfo?: { trainTaskId?: unknown } };
    try {
      meta = JSON.parse(v.source_meta);
    } catch {
      continue;
    }
    const taskId = meta.sourceInfo?.trainTaskId;
    if (meta.baseModel !== undefined || typeof taskId !== 'string') continue;
    const job = await db
      .selectFrom('finetuning_tasks as t')
      .innerJoin('finetuning_jobs as j', 'j.id', 't.job_id')
      .select('j.model')
      .where('t.id', '=', taskId)
      .executeTakeFirst();
    if (!job) continue;
    await db.updateTable('model_versions').set({ source_meta: JSON.stringify({ ...meta, baseModel: job.model }) }).where('id', '=', v.id).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('finetuning_checkpoints').dropColumn('perplexity').execute();
  await db.schema.alterTable('finetuning_checkpoints').dropColumn('training_loss').execute();
  await db.schema.alterTable('finetuning_jobs').dropColumn('hyper_parameter_config').execute();
  await db.schema.alterTable('finetuning_jobs').dropColumn('parameter_scale').execute();
  await db.updateTable('finetuning_tasks').set({ run_status: 'Fail' }).where('run_status', '=', 'Failed').execute();
}
