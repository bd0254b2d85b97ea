// Fine-tuning rows → the JSON shapes of Qianfan's /v2/finetuning answers (the SDK's mock server
// and API pages): dates in UTC with a Z, and "0000-00-00T00:00:00Z" for a task not yet finished.
import { showProgress } from '../../domain/training/task-rules.js';
import type { TaskView } from '../../domain/training/training-service.js';
import type { FtCheckpointRow, FtJobRow, FtTaskWithJob } from '../../store/repos/training-repo.js';

const NOT_FINISHED = '0000-00-00T00:00:00Z';

export const ftDate = (stored: string | null): string => (stored ? new Date(stored).toISOString().replace(/\.\d{3}Z$/, 'Z') : NOT_FINISHED);

const parse = (s: string | null): Record<string, unknown> | undefined => (s ? (JSON.parse(s) as Record<string, unknown>) : undefined);

export function presentJob(j: FtJobRow) {
  return {
    jobId: j.id,
    name: j.name,
    description: j.description ?? '',
    model: j.model,
    trainMode: j.train_mode,
    ...(j.parameter_scale ? { parameterScale: j.parameter_scale } : {}),
    ...(j.hyper_parameter_config ? { hyperParameterConfig: parse(j.hyper_parameter_config) } : {}),
    createDate: ftDate(j.created_at),
  };
}

/** The fields a task list shows. */
export function presentTaskSummary(t: FtTaskWithJob) {
  return {
    taskId: t.id,
    jobId: t.job_id,
    jobName: t.job_name,
    jobDescription: t.job_description ?? '',
    model: t.model,
    trainMode: t.train_mode,
    ...(t.parameter_scale ? { parameterScale: t.parameter_scale } : {}),
    runStatus: t.run_status,
    runProgress: showProgress(t.run_progress),
    createDate: ftDate(t.created_at),
    finishDate: ftDate(t.finished_at),
  };
}

export function presentCheckpoint(c: FtCheckpointRow) {
  return {
    step: c.step,
    bucket: c.bucket,
    objectPath: c.object_path,
    modelFormat: c.model_format,
    modelApplicationType: c.model_application_type,
    ...(c.transformer_version ? { transformerVersion: c.transformer_version } : {}),
    ...(c.training_loss !== null ? { trainingLoss: c.training_loss } : {}),
    ...(c.perplexity !== null ? { perplexity: c.perplexity } : {}),
    createDate: ftDate(c.created_at),
  };
}

/** DescribeFineTuningTask: the summary, the stored training parameters, and what the trainer reported. */
export function presentTask({ task, checkpoints }: TaskView) {
  const steps = checkpoints.map((c) => c.step);
  const finalStep = task.run_status === 'Done' ? (task.final_step ?? steps[steps.length - 1]) : undefined;
  return {
    ...presentTaskSummary(task),
    ...parse(task.params),
    ...(task.metrics ? { metrics: parse(task.metrics) } : {}),
    ...(task.failure_reason ? { failureReason: task.failure_reason } : {}),
    checkpoints: checkpoints.map(presentCheckpoint),
    // What the Python SDK's trainer reads (python/qianfan/trainer/actions.py, _wait_model_trained):
    // checkpointList with step, trainingLoss and perplexity (null when the trainer did not report
    // them), and vdlLink (modelreg has no VisualDL board: empty, as the trainer's own default).
    checkpointList: checkpoints.map((c) => ({ ...presentCheckpoint(c), trainingLoss: c.training_loss, perplexity: c.perplexity })),
    vdlLink: '',
    ...(finalStep !== undefined ? { finalCheckpointStep: finalStep } : {}),
  };
}
