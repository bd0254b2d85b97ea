// CreateCustomModel with sourceType Train: resolves trainMeta (taskId + step) to a reported
// checkpoint and hands the import job the same payload an Import produces, so the checkpoint's
// files are validated and recorded exactly like imported ones.
//
// Rules: the task must be this account's; a Done task publishes the named step or, with no step,
// its final checkpoint; a Running task publishes only a step already reported; Failed and Stopped
// tasks publish nothing. One set holds at most one live (Creating or Ready) version per task and
// step: publishing it again is refused, naming the existing version (docs/training.md).
import { ERRORS } from '../errors/catalogue.js';
import { requestedStep, type TrainMeta } from '../model/create-model-rules.js';
import type { PreparedSource, TrainSource, VersionSourceContext } from '../model/version-sources.js';
import type { SourceLocations } from '../model/source-location.js';
import { isActive, listSteps } from './task-rules.js';
import type { FtCheckpointRow, FtTaskWithJob, TrainingRepo } from '../../store/repos/training-repo.js';

export class TrainingTaskSource implements TrainSource {
  constructor(
    private readonly repo: Pick<TrainingRepo, 'checkpointsOf' | 'findTask' | 'trainVersionsOfSet'>,
    private readonly locations: SourceLocations,
  ) {}

  async prepare(ctx: VersionSourceContext, meta: TrainMeta): Promise<PreparedSource> {
    const task = await this.repo.findTask(ctx.accountId, meta.taskId);
    if (!task) {
      throw ERRORS.TrainTaskNotFound(meta.taskId);
    }
    const checkpoint = await this.pickCheckpoint(task, requestedStep(meta));
    await this.refuseDuplicate(ctx.modelSetId, task.id, checkpoint.step);
    const duplicateOf = (v: { id: string; name: string; status: string }) => ERRORS.TrainVersionExists(ctx.modelSetId, v, task.id, checkpoint.step);
    // Grants may have changed and files may be gone since the report: fail now, not in the job.
    await this.locations.requireFiles(ctx.accountId, checkpoint.bucket, checkpoint.object_path, `the checkpoint of task ${task.id} step ${checkpoint.step} is no longer there`);
    return {
      jobPayload: {
        bucket: checkpoint.bucket,
        objectPath: checkpoint.object_path,
        modelFormat: checkpoint.model_format,
        modelApplicationType: checkpoint.model_application_type,
        ...(checkpoint.transformer_version ? { transformerVersion: checkpoint.transformer_version } : {}),
        trainTaskId: task.id,
        checkpointStep: checkpoint.step,
        ...(meta.baseModelId !== undefined ? { baseModelId: meta.baseModelId } : {}),
      },
      sourceInfo: { trainTaskId: task.id, checkpointStep: checkpoint.step },
      modelApplicationType: checkpoint.model_application_type,
      baseModel: task.model,
      unique: {
        matches: (info) => info.trainTaskId === task.id && info.checkpointStep === checkpoint.step,
        conflict: duplicateOf,
      },
    };
  }

  private async pickCheckpoint(task: FtTaskWithJob, step: number | undefined): Promise<FtCheckpointRow> {
    if (task.run_status === 'Failed' || task.run_status === 'Stopped') {
      const why = task.failure_reason ? ` (${task.failure_reason})` : '';
      throw ERRORS.TaskStateConflict(`training task ${task.id} ended ${task.run_status}${why}; only checkpoints of a Running or Done task can be published`);
    }
    const checkpoints = await this.repo.checkpointsOf(task.id);
    const steps = checkpoints.map((c) => c.step);
    if (step === undefined) {
      if (isActive(task.run_status)) {
        throw ERRORS.TaskStateConflict(
          `training task ${task.id} is still ${task.run_status}; name trainMeta.checkpointStep to publish one of its checkpoints (reported steps: ${listSteps(steps)}), or wait until it is Done to publish its final checkpoint`,
        );
      }
      const finalStep = task.final_step ?? steps[steps.length - 1];
      const final = checkpoints.find((c) => c.step === finalStep);
      if (!final) throw ERRORS.CheckpointNotFound(`training task ${task.id} is Done but has no checkpoint to publish`);
      return final;
    }
    const found = checkpoints.find((c) => c.step === step);
    if (!found) {
      const state = isActive(task.run_status) ? ` (still ${task.run_status})` : '';
      throw ERRORS.CheckpointNotFound(`training task ${task.id}${state} has no checkpoint at step ${step}${state ? ' yet' : ''}; reported steps: ${listSteps(steps)}`);
    }
    return found;
  }

  /** Early, friendly refusal; the create transaction checks again (PreparedSource.unique). */
  private async refuseDuplicate(setId: string, taskId: string, step: number): Promise<void> {
    for (const v of await this.repo.trainVersionsOfSet(setId)) {
      if (v.status === 'Fail') continue; // a failed publish may be retried
      const info = parseSourceInfo(v.source_meta);
      if (info.trainTaskId === taskId && info.checkpointStep === step) throw ERRORS.TrainVersionExists(setId, v, taskId, step);
    }
  }
}

function parseSourceInfo(sourceMeta: string): { trainTaskId?: unknown; checkpointStep?: unknown } {
  try {
    const meta = JSON.parse(sourceMeta) as { sourceInfo?: { trainTaskId?: unknown; checkpointStep?: unknown } };
    return meta.sourceInfo ?? {};
  } catch {
    return {};
  }
}
