// Every /v2/model action, one file each.
import checkBucketAccess from './check-bucket-access.js';
import createCustomModel from './create-custom-model.js';
import createCustomModelSet from './create-custom-model-set.js';
import createModelCustomConf from './create-model-custom-conf.js';
import deleteModel from './delete-model.js';
import deleteModelCustomConf from './delete-model-custom-conf.js';
import deleteModelSet from './delete-model-set.js';
import describeCustomModelSets from './describe-custom-model-sets.js';
import describeCustomModels from './describe-custom-models.js';
import describeModel from './describe-model.js';
import describeModelCustomAdvancedConf from './describe-model-custom-advanced-conf.js';
import describeModelSet from './describe-model-set.js';
import describeModelSystemAdvancedConf from './describe-model-system-advanced-conf.js';
import describeSystemModelSets from './describe-system-model-sets.js';
import describeSystemModelSet from './describe-system-model-set.js';
import createModelCompTask from './create-model-comp-task.js';
import describeModelCompTasks from './describe-model-comp-tasks.js';
import describeModelCompTask from './describe-model-comp-task.js';
import cancelModelCompTask from './cancel-model-comp-task.js';
import deleteModelCompTask from './delete-model-comp-task.js';
import createModelExportTask from './create-model-export-task.js';
import describeModelExportTask from './describe-model-export-task.js';
import describeModelFiles from './describe-model-files.js';
import setModelSetAlias from './set-model-set-alias.js';
import deleteModelSetAlias from './delete-model-set-alias.js';
import describeModelSetAliasHistory from './describe-model-set-alias-history.js';
import createReadToken from './create-read-token.js';
import describeReadTokens from './describe-read-tokens.js';
import deleteReadToken from './delete-read-token.js';
import updateModelSet from './update-model-set.js';
import describeCallerIdentity from './describe-caller-identity.js';
import updateModel from './update-model.js';
import type { ActionDef } from '../action.js';

export const modelActions: ActionDef[] = [
  createCustomModelSet,
  describeCustomModelSets,
  describeModelSet,
  deleteModelSet,
  createCustomModel,
  describeModel,
  describeModelCustomAdvancedConf,
  deleteModel,
  describeCustomModels,
  createModelCustomConf,
  deleteModelCustomConf,
  checkBucketAccess,
  describeModelSystemAdvancedConf,
  describeSystemModelSets,
  describeSystemModelSet,
  createModelCompTask,
  describeModelCompTasks,
  describeModelCompTask,
  cancelModelCompTask,
  deleteModelCompTask,
  createModelExportTask,
  describeModelExportTask,
  describeModelFiles,
  setModelSetAlias,
  deleteModelSetAlias,
  describeModelSetAliasHistory,
  createReadToken,
  describeReadTokens,
  deleteReadToken,
  updateModelSet,
  describeCallerIdentity,
  updateModel,
];
