// A fine-tuning task (#/tasks/<task-id>): status, progress, metrics, checkpoints, and the model
// versions published from it (DescribeFineTuningTask's publishedModels); each version links back
// here from its source. Polls while the task is Waiting or Running.
import { h, replace } from '../lib/dom.js';
import { prettyJson } from '../lib/format.js';
import { poll } from '../lib/poll.js';
import { t } from '../i18n.js';
import { breadcrumb, dl, errorBox, heading, scrollTable, statusBadge } from './components.js';

export function renderTaskDetail(root, ctx) {
  const taskId = ctx.params.get('id');
  const body = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('common.loading')));
  replace(root, body);
  let task = null;
  const draw = () => {
    const cps = task.checkpoints ?? [];
    replace(body,
      breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: t('task.title') }, { label: task.taskId ?? taskId }]),
      h('div', { class: 'view-head row' }, heading(t('task.heading', { id: task.taskId ?? taskId })), h('span', { class: 'badge', 'data-run-status': task.runStatus }, t(`run.${task.runStatus}`, {}, task.runStatus))),
      h('section', { class: 'card', 'aria-labelledby': 'task-overview' }, h('h2', { id: 'task-overview' }, t('details.overview')), dl([
        [t('task.job'), task.jobId ? h('code', {}, task.jobId) : '—'],
        [t('task.status'), t(`run.${task.runStatus}`, {}, task.runStatus)],
        [t('task.progress'), h('span', {}, h('progress', { max: '100', value: String(parseInt(task.runProgress, 10) || 0), 'aria-label': t('task.progress') }), ' ', String(task.runProgress ?? ''))],
        task.failureReason ? [t('field.failureReason'), task.failureReason] : null,
        task.finalCheckpointStep !== undefined ? [t('task.finalStep'), String(task.finalCheckpointStep)] : null,
      ])),
      task.metrics ? h('section', { class: 'card', 'aria-labelledby': 'task-metrics' }, h('h2', { id: 'task-metrics' }, t('task.metrics')), h('pre', { class: 'json' }, prettyJson(task.metrics))) : null,
      h('section', { class: 'card', 'aria-labelledby': 'task-cps' }, h('h2', { id: 'task-cps' }, t('task.checkpoints')),
        cps.length === 0 ? h('p', { class: 'muted' }, t('task.noCheckpoints')) : scrollTable(t('task.checkpoints'), h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, [t('task.step'), t('task.loss'), t('task.perplexity'), t('task.location')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, cps.map((c) => h('tr', {}, h('th', { scope: 'row' }, String(c.step)), h('td', { class: 'num' }, c.trainingLoss ?? '—'), h('td', { class: 'num' }, c.perplexity ?? '—'), h('td', {}, h('code', {}, `bos://${c.bucket}/${c.objectPath}`))))),
        ))),
      h('section', { class: 'card', 'aria-labelledby': 'task-published' }, h('h2', { id: 'task-published' }, t('task.published')),
        (task.publishedModels ?? []).length === 0 ? h('p', { class: 'muted' }, t('task.noneYet')) : h('ul', { class: 'published' }, task.publishedModels.map((m) => h('li', { 'data-model-id': m.modelId },
          h('a', { href: `#/models/${encodeURIComponent(m.modelId)}` }, `${m.modelSetName} / ${m.modelName}`), ' ', statusBadge(m.status), m.checkpointStep !== undefined ? h('span', { class: 'muted small' }, ` · ${t('task.step')} ${m.checkpointStep}`) : null)))),
    );
    body.removeAttribute('aria-busy');
  };
  let stop = () => {};
  (async () => {
    try {
      task = await ctx.api.finetuning('DescribeFineTuningTask', { taskId });
      draw();
      ctx.setTitle(t('task.heading', { id: taskId }));
      ctx.focusTitle();
      stop = poll(async () => {
        if (!['Waiting', 'Running'].includes(task.runStatus)) return false;
        task = await ctx.api.finetuning('DescribeFineTuningTask', { taskId });
        draw();
        return true;
      });
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(body, heading(t('common.error')), errorBox(err));
      body.removeAttribute('aria-busy');
    }
  })();
  return () => stop();
}
