// Every /v2/model action, one file each.
import createCustomModel from './create-custom-model.js';
import createCustomModelSet from './create-custom-model-set.js';
import deleteModel from './delete-model.js';
import deleteModelSet from './delete-model-set.js';
import describeCustomModelSets from './describe-custom-model-sets.js';
import describeCustomModels from './describe-custom-models.js';
import describeModel from './describe-model.js';
import describeModelCustomAdvancedConf from './describe-model-custom-advanced-conf.js';
import describeModelSet from './describe-model-set.js';
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
];
