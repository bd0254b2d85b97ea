// Every /v2/finetuning action, one file each: Qianfan's fine-tuning jobs and tasks as registry
// records, plus the two reporting actions trainers use (docs/training.md).
import createFineTuningJob from './create-fine-tuning-job.js';
import createFineTuningTask from './create-fine-tuning-task.js';
import deleteFineTuningJob from './delete-fine-tuning-job.js';
import deleteFineTuningTask from './delete-fine-tuning-task.js';
import describeFineTuningJobs from './describe-fine-tuning-jobs.js';
import describeFineTuningTask from './describe-fine-tuning-task.js';
import describeFineTuningTasks from './describe-fine-tuning-tasks.js';
import reportFineTuningTaskCheckpoint from './report-fine-tuning-task-checkpoint.js';
import stopFineTuningTask from './stop-fine-tuning-task.js';
import updateFineTuningTaskStatus from './update-fine-tuning-task-status.js';
import describeFineTuningSupportModels from './describe-fine-tuning-support-models.js';
import type { ActionDef } from '../action.js';

export const finetuningActions: ActionDef[] = [
  createFineTuningJob,
  describeFineTuningJobs,
  deleteFineTuningJob,
  createFineTuningTask,
  describeFineTuningTasks,
  describeFineTuningTask,
  stopFineTuningTask,
  deleteFineTuningTask,
  reportFineTuningTaskCheckpoint,
  updateFineTuningTaskStatus,
  describeFineTuningSupportModels,
];
