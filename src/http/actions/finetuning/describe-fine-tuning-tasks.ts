import { pageRequest } from '../../../domain/paging.js';
import { presentTaskSummary } from '../../presenters/finetuning-presenter.js';
import { presentPageInfo } from '../../presenters/page-info-presenter.js';
import { defineAction, S } from '../action.js';

interface Body {
  jobId?: string;
  marker?: string;
  /** The Python SDK's task_list sends the marker as "maker". */
  maker?: string;
  maxKeys?: number;
  pageReverse?: boolean;
}

// The tasks of one job. Without jobId (an extension: Qianfan requires it) every task of the account.
export default defineAction<Body>({
  route: '/v2/finetuning',
  name: 'DescribeFineTuningTasks',
  access: 'read',
  body: S.obj({ jobId: S.str(1, 64), ...S.page(), maker: S.str(0, 128) }),
  async handle({ principal, services }, body) {
    const page = await services.training.pageTasks(principal.accountId, { ...pageRequest({ ...body, marker: body.marker || body.maker }), jobId: body.jobId });
    return { taskList: page.items.map(presentTaskSummary), pageInfo: presentPageInfo(page) };
  },
});
