// The version page's "Use this model" panel: the `modelreg pull` line to copy, and Qianfan's export
// task (CreateModelExportTask / DescribeModelExportTask) with its status and download link.
import { h, replace } from '../lib/dom.js';
import { formatBytes } from '../lib/format.js';
import { poll } from '../lib/poll.js';
import { t } from '../i18n.js';
import { errorBox } from './components.js';

/** Returns the panel and a stop function (ends the export status polling). */
export function useModelPanel(m, ctx) {
  const command = `modelreg pull ${m.modelSetName}/${m.modelName}`;
  const copyBtn = h('button', { type: 'button', class: 'secondary', onclick: copy }, t('use.copy'));
  const status = h('div', { class: 'export-status', 'aria-live': 'polite' }, t('common.loading'));
  const exportBtn = h('button', { type: 'button', 'data-needs': 'write', onclick: start }, t('use.export'));
  let stop = () => {};

  async function copy() {
    try {
      await navigator.clipboard.writeText(command);
      replace(copyBtn, t('use.copied'));
    } catch {
      /* no clipboard permission: the command is selectable */
    }
  }

  function show(e) {
    exportBtn.disabled = e.status === 'Doing';
    replace(exportBtn, t(e.hasRecord ? 'use.exportAgain' : 'use.export'));
    if (!e.hasRecord) return replace(status, h('p', { class: 'muted' }, t('use.status.none')));
    if (e.status === 'Doing') return replace(status, h('p', {}, t('use.status.Doing')));
    if (e.status === 'Fail') return replace(status, h('p', { class: 'error-box' }, t('use.status.Fail', { reason: e.failureReason ?? '' })));
    replace(
      status,
      h('p', {}, t('use.status.Done'), ' ', h('a', { href: e.downloadUrl, download: e.fileName, class: 'download' }, e.fileName), ` (${formatBytes(e.fileSize)})`),
      h('p', { class: 'muted small' }, t('use.linkNote', { md5: e.md5 })),
    );
  }

  async function refresh() {
    const e = await ctx.api.model('DescribeModelExportTask', { modelId: m.modelId });
    show(e);
    return e.status === 'Doing';
  }

  function follow() {
    stop();
    stop = poll(refresh);
  }

  async function start() {
    exportBtn.disabled = true;
    try {
      await ctx.api.model('CreateModelExportTask', { modelId: m.modelId });
      await refresh();
      follow();
    } catch (err) {
      exportBtn.disabled = false;
      if (!ctx.handleAuth(err)) replace(status, errorBox(err));
    }
  }

  refresh()
    .then((doing) => doing && follow())
    .catch((err) => {
      // A key without write access may not ask: the pull line still helps.
      if (!ctx.handleAuth(err)) replace(status, errorBox(err));
    });

  const panel = h(
    'section',
    { class: 'card', 'aria-labelledby': 'sec-use' },
    h('h2', { id: 'sec-use' }, t('use.title')),
    h('p', {}, t('use.pullIntro')),
    h('div', { class: 'row' }, h('pre', { class: 'code pull-command' }, h('code', {}, command)), copyBtn),
    h('p', {}, t('use.exportIntro')),
    h('div', { class: 'row' }, exportBtn),
    status,
  );
  return { panel, stop: () => stop() };
}
