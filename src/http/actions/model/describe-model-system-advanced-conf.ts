import { systemAdvancedConf } from '../../../domain/model/system-advanced-conf.js';
import { defineAction, S } from '../action.js';

export default defineAction({
  route: '/v2/model',
  name: 'DescribeModelSystemAdvancedConf',
  access: 'read',
  body: S.obj({ modelFormat: S.str(1, 64), modelApplicationType: S.str(1, 64) }, ['modelFormat', 'modelApplicationType']),
  async handle(_ctx, body) {
    return systemAdvancedConf(body.modelFormat, body.modelApplicationType);
  },
});
