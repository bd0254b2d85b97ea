import { defineAction, S } from '../action.js';

// The base models the operator's trainers fine-tune, with the train modes, parameter scales and
// hyperparameter limits of each (MODELREG_FINE_TUNING_MODELS_FILE, or the built-in list):
// the Python SDK's FineTune.V2.supported_models, which its trainer reads to build its configs.
export default defineAction({
  route: '/v2/finetuning',
  name: 'DescribeFineTuningSupportModels',
  access: 'read',
  body: S.obj({}),
  async handle({ services }) {
    return services.catalogues.fineTuningModels;
  },
});
