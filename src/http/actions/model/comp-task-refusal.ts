// Qianfan's model-compression tasks (the Python SDK's Model.compress, resources/console/model.py
// V2.create_model_comp_task and friends). modelreg stores and serves models; it does not run
// compression jobs. These actions are known, so a client gets this specific answer rather than
// InvalidAction (which reads as a typo); DescribeModel already says isSupportModelComp: false.
import { ERRORS } from '../../../domain/errors/catalogue.js';
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
      throw ERRORS.CompressionNotSupported(name);
    },
  });
