import { TRAIN_MODES } from '../../../domain/training/task-rules.js';
import { pageRequest } from '../../../domain/paging.js';
import { presentJob } from '../../presenters/finetuning-presenter.js';
import { presentPageInfo } from '../../presenters/page-info-presenter.js';
import { defineAction, S } from '../action.js';

interface Body {
  marker?: string;
  /** The Python SDK's job_list sends the marker as "maker". */
  maker?: string;
  maxKeys?: number;
  pageReverse?: boolean;
  trainMode?: string;
  /** The Python SDK's job_list sends the trainMode filter as "trainModel". */
  trainModel?: string;
  /** Only the jobs of this base model (the Python SDK's job_list `model`). */
  model?: string;
}

// Paged as every listing (domain/paging.ts): maxKeys default 10, values above 100 served as 100.
export default defineAction<Body>({
  route: '/v2/finetuning',
  name: 'DescribeFineTuningJobs',
  access: 'read',
  body: S.obj({ ...S.page(), maker: S.str(0, 128), trainMode: S.enumOf(TRAIN_MODES), trainModel: S.enumOf(TRAIN_MODES), model: S.str(0, 128) }),
  async handle({ principal, services }, body) {
    const page = await services.training.pageJobs(principal.accountId, {
      ...pageRequest({ ...body, marker: body.marker || body.maker }),
      trainMode: body.trainMode ?? body.trainModel,
      model: body.model || undefined,
    });
    return { jobList: page.items.map(presentJob), pageInfo: presentPageInfo(page) };
  },
});
