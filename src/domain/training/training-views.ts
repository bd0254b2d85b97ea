// What the training service answers with: fine-tuning jobs, tasks and checkpoints as the domain
// sees them (parsed JSON, no column names). src/http/presenters/finetuning-presenter.ts formats them.
import type { FtCheckpointRow, FtJobRow, FtTaskWithJob } from '../../store/repos/training-repo.js';
import type { RunStatus } from './task-rules.js';

export interface FineTuningJobView {
  id: string;
  name: string;
  description: string | null;
  model: string;
  trainMode: string;
  /** Job-level defaults its tasks inherit. */
  parameterScale: string | null;
  hyperParameterConfig?: Record<string, unknown>;
  createdAt: string;
}

/** A task with its job's fields, as every task answer shows them. */
export interface FineTuningTaskSummary {
  id: string;
  jobId: string;
  jobName: string;
  jobDescription: string | null;
  model: string;
  trainMode: string;
  parameterScale: string | null;
  runStatus: RunStatus;
  /** 0-100. */
  runProgress: number;
  createdAt: string;
  finishedAt: string | null;
}

export interface FineTuningTaskDetails extends FineTuningTaskSummary {
  /** The CreateFineTuningTask fields stored as given (the trainer's business). */
  params: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  failureReason: string | null;
  /** The checkpoint a Done task publishes when none is named; null means the highest step. */
  finalStep: number | null;
}

export interface CheckpointView {
  taskId: string;
  step: number;
  bucket: string;
  objectPath: string;
  modelFormat: string;
  modelApplicationType: string;
  transformerVersion: string | null;
  trainingLoss: number | null;
  perplexity: number | null;
  createdAt: string;
}

export interface TaskView {
  task: FineTuningTaskDetails;
  checkpoints: CheckpointView[];
}

const parse = (s: string | null): Record<string, unknown> | undefined => (s ? (JSON.parse(s) as Record<string, unknown>) : undefined);

export function jobView(j: FtJobRow): FineTuningJobView {
  const hyper = parse(j.hyper_parameter_config);
  return {
    id: j.id,
    name: j.name,
    description: j.description,
    model: j.model,
    trainMode: j.train_mode,
    parameterScale: j.parameter_scale,
    ...(hyper ? { hyperParameterConfig: hyper } : {}),
    createdAt: j.created_at,
  };
}

export function taskSummary(t: FtTaskWithJob): FineTuningTaskSummary {
  return {
    id: t.id,
    jobId: t.job_id,
    jobName: t.job_name,
    jobDescription: t.job_description,
    model: t.model,
    trainMode: t.train_mode,
    parameterScale: t.parameter_scale,
    runStatus: t.run_status,
    runProgress: t.run_progress,
    createdAt: t.created_at,
    finishedAt: t.finished_at,
  };
}

export function taskDetails(t: FtTaskWithJob): FineTuningTaskDetails {
  const metrics = parse(t.metrics);
  return { ...taskSummary(t), params: parse(t.params) ?? {}, ...(metrics ? { metrics } : {}), failureReason: t.failure_reason, finalStep: t.final_step };
}

export function checkpointView(c: FtCheckpointRow): CheckpointView {
  return {
    taskId: c.task_id,
    step: c.step,
    bucket: c.bucket,
    objectPath: c.object_path,
    modelFormat: c.model_format,
    modelApplicationType: c.model_application_type,
    transformerVersion: c.transformer_version,
    trainingLoss: c.training_loss,
    perplexity: c.perplexity,
    createdAt: c.created_at,
  };
}
