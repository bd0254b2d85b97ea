// Fine-tuning views → the JSON shapes of Qianfan's /v2/finetuning answers (the SDK's mock server
// and API pages): dates in UTC with a Z, and "0000-00-00T00:00:00Z" for a task not yet finished.
import { showProgress } from '../../domain/training/task-rules.js';
import type { CheckpointView, FineTuningJobView, FineTuningTaskSummary, TaskView } from '../../domain/training/training-views.js';

const NOT_FINISHED = '0000-00-00T00:00:00Z';

export const ftDate = (stored: string | null): string => (stored ? new Date(stored).toISOString().replace(/\.\d{3}Z$/, 'Z') : NOT_FINISHED);

export function presentJob(j: FineTuningJobView) {
  return {
    jobId: j.id,
    name: j.name,
    description: j.description ?? '',
    model: j.model,
    trainMode: j.trainMode,
    ...(j.parameterScale ? { parameterScale: j.parameterScale } : {}),
    ...(j.hyperParameterConfig ? { hyperParameterConfig: j.hyperParameterConfig } : {}),
    createDate: ftDate(j.createdAt),
  };
}

/** The fields a task list shows. */
export function presentTaskSummary(t: FineTuningTaskSummary) {
  return {
    taskId: t.id,
    jobId: t.jobId,
    jobName: t.jobName,
    jobDescription: t.jobDescription ?? '',
    model: t.model,
    trainMode: t.trainMode,
    ...(t.parameterScale ? { parameterScale: t.parameterScale } : {}),
    runStatus: t.runStatus,
    runProgress: showProgress(t.runProgress),
    createDate: ftDate(t.createdAt),
    finishDate: ftDate(t.finishedAt),
  };
}

export function presentCheckpoint(c: CheckpointView) {
  return {
    step: c.step,
    bucket: c.bucket,
    objectPath: c.objectPath,
    modelFormat: c.modelFormat,
    modelApplicationType: c.modelApplicationType,
    ...(c.transformerVersion ? { transformerVersion: c.transformerVersion } : {}),
    ...(c.trainingLoss !== null ? { trainingLoss: c.trainingLoss } : {}),
    ...(c.perplexity !== null ? { perplexity: c.perplexity } : {}),
    createDate: ftDate(c.createdAt),
  };
}

/** DescribeFineTuningTask: the summary, the stored training parameters, and what the trainer reported. */
export function presentTask({ task, checkpoints }: TaskView) {
  const steps = checkpoints.map((c) => c.step);
  const finalStep = task.runStatus === 'Done' ? (task.finalStep ?? steps[steps.length - 1]) : undefined;
  return {
    ...presentTaskSummary(task),
    ...task.params,
    ...(task.metrics ? { metrics: task.metrics } : {}),
    ...(task.failureReason ? { failureReason: task.failureReason } : {}),
    checkpoints: checkpoints.map(presentCheckpoint),
    // What the Python SDK's trainer reads (python/qianfan/trainer/actions.py, _wait_model_trained):
    // checkpointList with step, trainingLoss and perplexity (null when the trainer did not report
    // them), and vdlLink (modelreg has no VisualDL board: empty, as the trainer's own default).
    checkpointList: checkpoints.map((c) => ({ ...presentCheckpoint(c), trainingLoss: c.trainingLoss, perplexity: c.perplexity })),
    vdlLink: '',
    ...(finalStep !== undefined ? { finalCheckpointStep: finalStep } : {}),
  };
}
