// Qianfan's model-compression tasks (the Python SDK's Model.compress, resources/console/model.py
// V2.create_model_comp_task and friends). modelreg stores and serves models; it does not run
// compression jobs. These actions are known, so a client gets this specific answer rather than
// InvalidAction (which reads as a typo); DescribeModel already says isSupportModelComp: false.
import { ApiError } from '../../../domain/errors.js';
import type { AccessKind } from '../../../domain/iam/policies.js';
import { defineAction, S } from '../action.js';

export const compTaskRefusal = (name: string, access: AccessKind) =>
  defineAction({
    route: '/v2/model',
    name,
    access,
    // Any body: the answer does not depend on it (a bounded free-form object).
    body: S.freeObject(),
    async handle() {
      throw new ApiError(
        'CompressionNotSupported',
        `${name}: modelreg is a model registry and does not run model compression (quantization, sparsification); compress the model with your own tooling and import the result with CreateCustomModel`,
      );
    },
  });
