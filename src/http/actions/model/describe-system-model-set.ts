import { ERRORS } from '../../../domain/errors/catalogue.js';
import { presentPreset } from '../../presenters/preset-presenter.js';
import { defineAction, S } from '../action.js';

// One preset of the operator's catalogue, by id or by name (as Qianfan's DescribeSystemModelSet).
export default defineAction({
  route: '/v2/model',
  name: 'DescribeSystemModelSet',
  access: 'read',
  body: S.obj({ modelSetId: S.str(1, 64), modelSetName: S.str(1, 128) }),
  async handle({ services }, body) {
    if (body.modelSetId === undefined && body.modelSetName === undefined) {
      throw ERRORS.ModelSetIdOrNameRequired();
    }
    const found = services.catalogues.systemModelSets.find((s) => (body.modelSetId === undefined || s.modelSetId === body.modelSetId) && (body.modelSetName === undefined || s.modelSetName === body.modelSetName));
    if (!found) {
      const what = body.modelSetId !== undefined ? `modelSetId ${body.modelSetId}` : `modelSetName ${body.modelSetName}`;
      throw ERRORS.PresetModelSetNotFound(what);
    }
    return presentPreset(found);
  },
});
