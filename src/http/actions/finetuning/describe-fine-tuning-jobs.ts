import { TRAIN_MODES } from '../../../domain/training/task-rules.js';
import { pageRequest } from '../../../domain/paging.js';
import { presentJob } from '../../presenters/finetuning-presenter.js';
import { presentPageInfo } from '../../presenters/page-info-presenter.js';
import { defineAction, S } from '../action.js';

// Paged as every listing (domain/paging.ts): maxKeys default 10, values above 100 served as 100.
export default defineAction({
  route: '/v2/finetuning',
  name: 'DescribeFineTuningJobs',
  access: 'read',
  body: S.obj({
    ...S.page(),
    // The Python SDK's job_list sends the marker as "maker" and the trainMode filter as "trainModel".
    maker: S.str(0, 128),
    trainMode: S.enumOf(TRAIN_MODES),
    trainModel: S.enumOf(TRAIN_MODES),
    // Only the jobs of this base model (the Python SDK's job_list `model`).
    model: S.str(0, 128),
  }),
  async handle({ principal, services }, body) {
    const page = await services.training.pageJobs(principal.accountId, {
      ...pageRequest({ ...body, marker: body.marker || body.maker }),
      trainMode: body.trainMode ?? body.trainModel,
      model: body.model || undefined,
    });
    return { jobList: page.items.map(presentJob), pageInfo: presentPageInfo(page) };
  },
});
