// Fine-tuning jobs (job-…) and tasks (task-…) as registry records. modelreg does not train:
// the trainer that runs a task reports progress, checkpoints and the end through this service,
// and a task's checkpoints become model versions through TrainingTaskSource.
import { checkQuota, withAccountQuota, type Quotas } from '../quotas.js';
import { ERRORS } from '../errors/catalogue.js';
import { newId } from '../ids.js';
import { nowIso } from '../time.js';
import type { SourceLocations } from '../model/source-location.js';
import { checkpointFormat, checkTransition, isActive, isFinished, normalizeStatus, parseProgress, type RunStatus } from './task-rules.js';
import { readPage, type Page, type PageRequest } from '../paging.js';

/** A page of rows as a page of views. */
const mapPage = <R, V>(page: Page<R>, view: (row: R) => V): Page<V> => ({ ...page, items: page.items.map(view) });
import { normalizeObjectPath, validateBucketName } from '../../objects/object-path.js';
import type { FtCheckpointRow, FtJobRow, FtTaskWithJob, TrainingRepo } from '../../store/repos/training-repo.js';
import { checkpointView, jobView, taskDetails, taskSummary, type CheckpointView, type FineTuningJobView, type FineTuningTaskSummary, type TaskView } from './training-views.js';

export type { TaskView } from './training-views.js';

export interface CreateJobInput {
  name: string;
  description?: string;
  model: string;
  trainMode: string;
  /** Job-level defaults the Python SDK's create_job may send; a task without its own inherits them. */
  parameterScale?: string;
  hyperParameterConfig?: Record<string, unknown>;
}

export interface CreateTaskInput {
  jobId: string;
  parameterScale?: string;
  hyperParameterConfig: Record<string, unknown>;
  datasetConfig: Record<string, unknown>;
  incrementTaskId?: string;
  incrementCheckpointStep?: number;
  corpusConfig?: Record<string, unknown>;
  modelConfig?: Record<string, unknown>;
  resourceConfig?: Record<string, unknown>;
}

export interface ReportCheckpointInput {
  taskId: string;
  step: number;
  bucket: string;
  objectPath: string;
  modelFormat?: string;
  modelApplicationType?: string;
  transformerVersion?: string;
  runProgress?: unknown;
  /** Shown in DescribeFineTuningTask's checkpointList (the Python trainer plots them). */
  trainingLoss?: number;
  perplexity?: number;
}

export interface UpdateStatusInput {
  taskId: string;
  /** "Fail" is read as Failed (the spelling modelreg used before). */
  runStatus: RunStatus | 'Fail';
  runProgress?: unknown;
  failureReason?: string;
  metrics?: Record<string, unknown>;
  finalCheckpointStep?: number;
}

const bad = (msg: string): never => {
  throw ERRORS.InvalidParameter(msg);
};

/** What TrainingService stores and reads through (src/store/repos/training-repo.ts implements it). */
export type TrainingStore = Pick<
  TrainingRepo,
  | 'transaction' | 'lockAccount' | 'countOf' | 'insertJob' | 'findJob' | 'pageJobs' | 'tasksOfJob' | 'deleteCheckpointsOf' | 'deleteTask' | 'deleteJob'
  | 'findCheckpoint' | 'insertTask' | 'findTask' | 'checkpointsOf' | 'pageTasks' | 'updateActiveTask' | 'insertCheckpoint'
>;

export class TrainingService {
  constructor(
    private readonly repo: TrainingStore,
    /** Where reported checkpoints must be: granted, existing, non-empty. */
    private readonly locations: SourceLocations,
    private readonly quotas: Pick<Quotas, 'fineTuningJobs' | 'fineTuningTasks'> = { fineTuningJobs: 0, fineTuningTasks: 0 },
  ) {}

  async createJob(accountId: string, input: CreateJobInput): Promise<FineTuningJobView> {
    const at = nowIso();
    const row: FtJobRow = {
      id: newId.fineTuningJob(),
      account_id: accountId,
      name: input.name,
      description: input.description ?? null,
      model: input.model,
      train_mode: input.trainMode,
      created_at: at,
      modified_at: at,
      parameter_scale: input.parameterScale ?? null,
      hyper_parameter_config: input.hyperParameterConfig !== undefined ? JSON.stringify(input.hyperParameterConfig) : null,
    };
    const limit = this.quotas.fineTuningJobs;
    await withAccountQuota(this.repo, accountId, limit > 0, async (tx) => {
      if (tx) checkQuota('fine-tuning jobs', 'MODELREG_QUOTA_FINE_TUNING_JOBS', await this.repo.countOf('finetuning_jobs', accountId, tx), limit);
      await this.repo.insertJob(row, tx);
    });
    return jobView(row);
  }

  private async requireJob(accountId: string, jobId: string): Promise<FtJobRow> {
    const job = await this.repo.findJob(accountId, jobId);
    if (!job) throw ERRORS.FineTuningJobNotFound(jobId);
    return job;
  }

  async pageJobs(accountId: string, req: PageRequest & { trainMode?: string; model?: string }): Promise<Page<FineTuningJobView>> {
    return mapPage(await readPage(req, {
      marker: (id) => this.repo.findJob(accountId, id),
      what: 'a fine-tuning job of this account',
      rows: (marker, limit) => this.repo.pageJobs({ accountId, marker, limit, reverse: req.pageReverse, trainMode: req.trainMode, model: req.model }),
    }), jobView);
  }

  /** Deletes a job with its finished tasks and their checkpoint records (never the files in object storage). */
  async deleteJob(accountId: string, jobId: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const job = await this.repo.findJob(accountId, jobId, tx);
      if (!job) throw ERRORS.FineTuningJobNotFound(jobId);
      const tasks = await this.repo.tasksOfJob(job.id, tx);
      const running = tasks.filter((t) => isActive(t.run_status)).map((t) => t.id);
      if (running.length > 0) {
        throw ERRORS.TaskStateConflict(`fine-tuning job ${job.id} still has Waiting or Running task(s) ${running.join(', ')}; stop them with StopFineTuningTask first`);
      }
      await this.repo.deleteCheckpointsOf(tasks.map((t) => t.id), tx);
      for (const t of tasks) await this.repo.deleteTask(t.id, tx);
      await this.repo.deleteJob(job.id, tx);
    });
  }

  async createTask(accountId: string, input: CreateTaskInput): Promise<{ jobId: string; taskId: string }> {
    const job = await this.requireJob(accountId, input.jobId);
    if (input.incrementCheckpointStep !== undefined && input.incrementTaskId === undefined) {
      bad('incrementCheckpointStep needs incrementTaskId: it names a step of that base task');
    }
    if (input.incrementTaskId !== undefined) {
      const base = await this.requireTask(accountId, input.incrementTaskId, 'incrementTaskId');
      if (input.incrementCheckpointStep !== undefined && !(await this.repo.findCheckpoint(base.id, input.incrementCheckpointStep))) {
        throw ERRORS.CheckpointNotFound(`incrementTaskId ${base.id} has no checkpoint at step ${input.incrementCheckpointStep}`);
      }
    }
    // Everything but the job and the scale is the trainer's business: stored as given, shown back.
    const { jobId: _job, parameterScale = job.parameter_scale ?? undefined, ...params } = input;
    if (job.hyper_parameter_config) params.hyperParameterConfig = { ...(JSON.parse(job.hyper_parameter_config) as Record<string, unknown>), ...params.hyperParameterConfig };
    const at = nowIso();
    const id = newId.fineTuningTask();
    const limit = this.quotas.fineTuningTasks;
    await withAccountQuota(this.repo, accountId, limit > 0, async (tx) => {
      if (tx) checkQuota('fine-tuning tasks', 'MODELREG_QUOTA_FINE_TUNING_TASKS', await this.repo.countOf('finetuning_tasks', accountId, tx), limit);
      await this.repo.insertTask({
        id,
        account_id: accountId,
        job_id: job.id,
        parameter_scale: parameterScale ?? null,
        params: JSON.stringify(params),
        run_status: 'Waiting',
        run_progress: 0,
        failure_reason: null,
        metrics: null,
        final_step: null,
        created_at: at,
        modified_at: at,
        finished_at: null,
      }, tx);
    });
    return { jobId: job.id, taskId: id };
  }

  private async requireTask(accountId: string, taskId: string, field = 'taskId'): Promise<FtTaskWithJob> {
    const task = await this.repo.findTask(accountId, taskId);
    if (!task) throw ERRORS.FineTuningTaskNotFound(taskId, field);
    return task;
  }

  async describeTask(accountId: string, taskId: string): Promise<TaskView> {
    const task = await this.requireTask(accountId, taskId);
    return { task: taskDetails(task), checkpoints: (await this.repo.checkpointsOf(task.id)).map(checkpointView) };
  }

  /** Tasks of one job, or of the whole account when no jobId is given (an extension: Qianfan requires jobId). */
  async pageTasks(accountId: string, req: PageRequest & { jobId?: string }): Promise<Page<FineTuningTaskSummary>> {
    if (req.jobId) await this.requireJob(accountId, req.jobId);
    return mapPage(await readPage(req, {
      marker: async (id) => {
        const t = await this.repo.findTask(accountId, id);
        return t && (!req.jobId || t.job_id === req.jobId) ? t : undefined;
      },
      what: `a fine-tuning task of this ${req.jobId ? 'job' : 'account'}`,
      rows: (marker, limit) => this.repo.pageTasks({ accountId, jobId: req.jobId, marker, limit, reverse: req.pageReverse }),
    }), taskSummary);
  }

  /** Waiting or Running → Stopped. Stopping a Stopped task again succeeds; a Done or failed task cannot be stopped. */
  async stopTask(accountId: string, taskId: string): Promise<void> {
    const task = await this.requireTask(accountId, taskId);
    if (task.run_status === 'Stopped') return;
    if (!isActive(task.run_status)) {
      throw ERRORS.TaskEnded(task.id, task.run_status, 'only a Waiting or Running task can be stopped');
    }
    const at = nowIso();
    if (!(await this.repo.updateActiveTask(task.id, { run_status: 'Stopped', finished_at: at, modified_at: at }))) {
      await this.stopTask(accountId, taskId); // it ended meanwhile: answer as for that end
    }
  }

  /** Deletes a finished task and its checkpoint records; versions published from it stay (their files were recorded). */
  async deleteTask(accountId: string, taskId: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const task = await this.repo.findTask(accountId, taskId, tx);
      if (!task) throw ERRORS.FineTuningTaskNotFound(taskId);
      if (isActive(task.run_status)) {
        throw ERRORS.TaskStateConflict(`fine-tuning task ${task.id} is ${task.run_status}; stop it with StopFineTuningTask before deleting it`);
      }
      await this.repo.deleteCheckpointsOf([task.id], tx);
      await this.repo.deleteTask(task.id, tx);
    });
  }

  /**
   * A trainer reports a checkpoint: step N's model directory is at bucket/objectPath.
   * Checkpoints are immutable: reporting the same step again with the same location succeeds
   * (a retried report), with another location it is refused.
   */
  async reportCheckpoint(accountId: string, input: ReportCheckpointInput): Promise<CheckpointView> {
    const bucket = validateBucketName(input.bucket, 'bucket');
    const objectPath = normalizeObjectPath(input.objectPath, 'objectPath');
    const { modelFormat, modelApplicationType, transformerVersion } = checkpointFormat(input);
    const progress = parseProgress(input.runProgress);

    const task = await this.requireTask(accountId, input.taskId);
    if (isFinished(task.run_status)) {
      throw ERRORS.TaskEnded(task.id, task.run_status, 'checkpoints can only be reported while it is Waiting or Running');
    }
    await this.locations.requireFiles(accountId, bucket, objectPath, 'upload the checkpoint before reporting it');

    const at = nowIso();
    const row: FtCheckpointRow = {
      task_id: task.id,
      step: input.step,
      account_id: accountId,
      bucket,
      object_path: objectPath,
      model_format: modelFormat,
      model_application_type: modelApplicationType,
      transformer_version: transformerVersion,
      created_at: at,
      training_loss: input.trainingLoss ?? null,
      perplexity: input.perplexity ?? null,
    };
    const stored = await this.repo.transaction(async (tx) => {
      // Touching the active row first locks it, so a concurrent Done/Stop waits for this report.
      // A Waiting task's first checkpoint says its trainer runs: it becomes Running.
      const patch = { modified_at: at, run_status: 'Running' as const, ...(progress !== undefined && { run_progress: progress }) };
      if (!(await this.repo.updateActiveTask(task.id, patch, tx))) {
        throw ERRORS.TaskStateConflict(`fine-tuning task ${task.id} ended while the checkpoint was being reported; checkpoints can only be reported while it is Running`);
      }
      const existing = await this.repo.findCheckpoint(task.id, input.step, tx);
      if (existing) {
        if (sameCheckpoint(existing, row)) return existing;
        throw ERRORS.CheckpointExists(task.id, input.step, `bos://${existing.bucket}/${existing.object_path}, ${existing.model_format}`);
      }
      await this.repo.insertCheckpoint(row, tx);
      return row;
    });
    return checkpointView(stored);
  }

  /** A trainer reports progress (Running) or the end (Done, Failed, Stopped). Repeating the end already recorded succeeds. */
  async updateStatus(accountId: string, input: UpdateStatusInput): Promise<TaskView> {
    const to = normalizeStatus(input.runStatus);
    const progress = parseProgress(input.runProgress);
    if (input.finalCheckpointStep !== undefined && to !== 'Done') bad(`finalCheckpointStep is only allowed with runStatus Done, not ${to}`);
    if (input.failureReason !== undefined && to !== 'Failed' && to !== 'Stopped') bad(`failureReason is only allowed with runStatus Failed or Stopped, not ${to}`);

    const task = await this.requireTask(accountId, input.taskId);
    if (checkTransition(task.id, task.run_status, to) === 'noop') return this.describeTask(accountId, task.id);

    const at = nowIso();
    await this.repo.transaction(async (tx) => {
      const patch = {
        run_status: to,
        modified_at: at,
        ...(progress !== undefined && { run_progress: progress }),
        ...(input.metrics !== undefined && { metrics: JSON.stringify(input.metrics) }),
        ...(isFinished(to) && { finished_at: at, failure_reason: input.failureReason ?? null }),
        ...(to === 'Done' && { run_progress: 100, final_step: input.finalCheckpointStep ?? null }),
      };
      if (!(await this.repo.updateActiveTask(task.id, patch, tx))) {
        // It ended meanwhile (or was deleted): answer as for that end. Reads go through tx:
        // on SQLite a query outside the open transaction would wait for it forever.
        const now = await this.repo.findTask(accountId, task.id, tx);
        if (!now) throw ERRORS.FineTuningTaskNotFound(task.id);
        checkTransition(task.id, now.run_status, to);
        return;
      }
      if (to !== 'Done') return;
      // Read after the update took the row lock, so every checkpoint reported before is seen.
      const steps = (await this.repo.checkpointsOf(task.id, tx)).map((c) => c.step);
      if (steps.length === 0) {
        throw ERRORS.TaskStateConflict(`fine-tuning task ${task.id} has no checkpoints; report one with ReportFineTuningTaskCheckpoint before marking it Done (or mark it Failed)`);
      }
      if (input.finalCheckpointStep !== undefined && !steps.includes(input.finalCheckpointStep)) {
        throw ERRORS.CheckpointNotFound(`finalCheckpointStep ${input.finalCheckpointStep} is not a reported checkpoint of task ${task.id}; reported steps: ${steps.join(', ')}`);
      }
    });
    return this.describeTask(accountId, task.id);
  }

}

const sameCheckpoint = (a: FtCheckpointRow, b: FtCheckpointRow): boolean =>
  a.bucket === b.bucket &&
  a.object_path === b.object_path &&
  a.model_format === b.model_format &&
  a.model_application_type === b.model_application_type &&
  (a.transformer_version ?? null) === (b.transformer_version ?? null);

