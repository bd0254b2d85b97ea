// The Train form: publish a training task's result (or one of its checkpoints) as a version.
// Tasks come from DescribeFineTuningTasks, checkpoints from DescribeFineTuningTask; when those
// calls fail, their error is shown and the task id can still be typed in.
import { h, replace } from '../lib/dom.js';
import { t } from '../i18n.js';
import { clearFieldErrors, errorBox, field, showFieldError } from './components.js';

export function trainForm(ctx, setId, onCreated) {
  const task = h('select', { required: true }, h('option', { value: '' }, t('common.loading')));
  const taskIdText = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
  const step = h('select', {}, h('option', { value: '' }, t('train.finalStep')));
  const description = h('textarea', { rows: '2', maxlength: '300' });
  const baseModelId = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '128', placeholder: 'amv-… / SET/V1' });
  const tasksStatus = h('div', { 'aria-live': 'polite' });
  const status = h('div', { class: 'form-status' });
  const submit = h('button', { type: 'submit' }, t('train.submit'));

  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-label': t('source.Train') },
    status,
    h(
      'fieldset',
      { class: 'group' },
      h('legend', {}, t('train.task')),
      field({ label: t('train.pickTask'), control: task, path: 'trainMeta.taskId' }),
      tasksStatus,
      field({ label: t('train.taskIdText'), control: taskIdText, hint: t('train.taskIdHint') }),
      field({ label: t('train.checkpoint'), control: step, hint: t('train.checkpointHint'), path: 'trainMeta.checkpointStep' }),
      field({ label: t('field.baseModelId'), control: baseModelId, hint: t('form.baseModelIdHint'), path: 'trainMeta.baseModelId' }),
    ),
    field({ label: t('field.description'), control: description, hint: t('form.descriptionHint'), path: 'description' }),
    h('div', { class: 'actions' }, submit, h('a', { href: `#/sets/${encodeURIComponent(setId)}`, class: 'button-link' }, t('action.cancel'))),
  );

  async function loadTasks() {
    try {
      const tasks = [];
      let marker = '';
      for (let i = 0; i < 20; i++) {
        const res = await ctx.api.finetuning('DescribeFineTuningTasks', { maxKeys: 100, pageReverse: true, ...(marker ? { marker } : {}) });
        tasks.push(...(res.taskList ?? []));
        if (!res.pageInfo?.isTruncated) break;
        marker = res.pageInfo.nextMarker;
      }
      replace(task,
        h('option', { value: '' }, tasks.length ? t('train.choose') : t('train.noTasks')),
        ...tasks.map((x) => h('option', { value: x.taskId }, `${x.jobName ?? ''} · ${x.taskId} · ${x.model ?? ''} · ${t(`run.${x.runStatus}`, {}, x.runStatus ?? '')}`)),
      );
    } catch (err) {
      if (ctx.handleAuth(err)) return;
      replace(task, h('option', { value: '' }, t('train.unavailable')));
      replace(tasksStatus, errorBox(err));
    }
  }

  async function loadCheckpoints(taskId) {
    replace(step, h('option', { value: '' }, t('train.finalStep')));
    if (!taskId) return;
    try {
      const detail = await ctx.api.finetuning('DescribeFineTuningTask', { taskId });
      for (const c of detail.checkpoints ?? []) step.append(h('option', { value: String(c.step) }, t('train.stepN', { n: c.step })));
      replace(tasksStatus);
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(tasksStatus, errorBox(err));
    }
  }
  task.addEventListener('change', () => loadCheckpoints(task.value));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    replace(status);
    const typed = taskIdText.value.trim();
    const trainMeta = { taskId: typed || task.value };
    // An error about the task goes next to whichever control gave it.
    for (const [el, on] of [[taskIdText, Boolean(typed)], [task, !typed]]) {
      if (on) el.dataset.path = 'trainMeta.taskId';
      else delete el.dataset.path;
    }
    if (step.value !== '') trainMeta.checkpointStep = Number(step.value);
    if (baseModelId.value.trim()) trainMeta.baseModelId = baseModelId.value.trim();
    const body = { modelSetId: setId, sourceType: 'Train', trainMeta };
    if (description.value.trim()) body.description = description.value.trim();
    submit.disabled = true;
    try {
      onCreated(await ctx.api.model('CreateCustomModel', body));
    } catch (err) {
      if (ctx.handleAuth(err)) return;
      replace(status, errorBox(err));
      const box = status.querySelector('.error-box');
      box.setAttribute('tabindex', '-1');
      (showFieldError(form, err) ?? box).focus();
    } finally {
      submit.disabled = false;
    }
  });

  void loadTasks();
  return form;
}
