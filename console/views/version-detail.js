// One model version: every field DescribeModel returns, grouped; the files with sizes and
// checksums; the advanced config; the chat template with a preview. Polls while Creating.
import { h, replace } from '../lib/dom.js';
import { renderChatConfPreview, SAMPLE_CONVERSATION } from '../lib/chat-preview.js';
import { formatBytes, formatCount, formatTime, prettyJson, prettyJsonString } from '../lib/format.js';
import { poll } from '../lib/poll.js';
import { t } from '../i18n.js';
import { importProgressBox } from './import-progress.js';
import { versionMetadataSection } from './metadata-editor.js';
import { breadcrumb, confirmDialog, dl, errorBox, failureReason, heading, scrollTable, statusBadge } from './components.js';
import { aliasChips } from './aliases.js';
import { useModelPanel } from './use-model.js';

const OVERVIEW = ['modelId', 'modelName', 'aliases', 'modelSetId', 'modelSetName', 'description', 'status', 'sourceInfo', 'model', 'modelApplicationType', 'endpointType', 'createTime', 'modifyTime', 'resourceConfig'];
const MODEL = ['modelFormat', 'architecture', 'modelType', 'family', 'parameterCount', 'dtype', 'contextLength', 'totalBytes', 'transformerVersion', 'vLLMVersion', 'enablePromptAutoConcat', 'chatTemplateSource', 'storage'];
const CAPABILITIES = ['isSupportDeploy', 'isSupportModelComp', 'isSupportEvaluation', 'modelCompConfigs'];
/** Shown in their own sections. */
const SECTIONED = ['tags', 'importProgress', 'failureReason', 'failureCode', 'failureParams', 'warnings', 'tokenLimitations', 'files', 'advancedSettings', 'chatConf', 'customSpec', 'chatTemplate', 'chatTemplatePreview', 'adapter', 'adapters'];

const label = (k) => t(`field.${k}`, {}, k);
/** Fields whose values are enums, and the catalogue prefix of their labels. */
const ENUMS = { sourceType: 'source', modelApplicationType: 'appType', endpointType: 'appType', modelFormat: 'format', chatTemplateSource: 'chatSource' };

function value(k, v) {
  if (v === undefined || v === null || v === '') return h('span', { class: 'muted' }, '—');
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
  if (k === 'createTime' || k === 'modifyTime') return h('time', { datetime: v }, formatTime(v));
  if (k === 'status') return statusBadge(v);
  // Enum values in the user's language; the wire value stays in the title (and data-value).
  const en = ENUMS[k];
  if (en && typeof v === 'string') return h('span', { title: v, 'data-value': v }, t(`${en}.${v}`, {}, v));
  if (k === 'modelSetId') return h('a', { href: `#/sets/${encodeURIComponent(v)}` }, h('code', {}, v));
  if (k === 'totalBytes' && typeof v === 'number') return `${formatBytes(v)} (${v.toLocaleString()} B)`;
  if (k === 'parameterCount' && typeof v === 'number') return `${formatCount(v)} (${v.toLocaleString()})`;
  if (k === 'contextLength' && typeof v === 'number') return v.toLocaleString();
  if (k === 'modelId') return h('code', {}, v);
  // Lineage: a Train version links to the fine-tuning task it was published from.
  if (k === 'trainTaskId' && typeof v === 'string') return h('a', { href: `#/tasks/${encodeURIComponent(v)}`, class: 'task-link' }, h('code', {}, v));
  if (k === 'aliases' && Array.isArray(v)) return v.length === 0 ? h('span', { class: 'muted' }, t('aliases.none')) : aliasChips(v);
  if (Array.isArray(v)) return v.length === 0 ? h('span', { class: 'muted' }, '[]') : h('pre', { class: 'json' }, prettyJson(v));
  if (typeof v === 'object') return dl(Object.entries(v).map(([kk, vv]) => [label(kk), value(kk, vv)]), 'props nested');
  return String(v);
}

const rowsOf = (m, keys) => keys.filter((k) => m[k] !== undefined).map((k) => [label(k), value(k, m[k])]);

function section(id, title, ...body) {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

function filesTable(files) {
  const total = files.reduce((n, f) => n + (f.size ?? 0), 0);
  return scrollTable(t('details.files'), h(
    'table',
    { class: 'data files' },
    h('caption', { class: 'visually-hidden' }, t('details.files')),
    h('thead', {}, h('tr', {}, [t('col.path'), t('col.size'), t('col.sha256')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, files.map((f) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, f.path)), h('td', { class: 'num', title: `${f.size} B` }, formatBytes(f.size)), h('td', {}, h('code', { class: 'hash' }, f.sha256 ?? '—'))))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, t('details.filesTotal', { n: files.length })), h('td', { class: 'num' }, formatBytes(total)), h('td', {}))),
  ));
}

function chatSection(m) {
  const parts = [];
  if (m.chatConf) {
    parts.push(h('h3', {}, t('details.chatConf')), value('chatConf', m.chatConf));
    parts.push(h('h3', {}, t('details.previewBrowser')), samplePreview(renderChatConfPreview(m.chatConf)));
  }
  if (m.customSpec) parts.push(h('h3', {}, t('details.customSpec')), value('customSpec', m.customSpec));
  if (m.chatTemplatePreview) parts.push(h('h3', {}, t('details.preview')), samplePreview(m.chatTemplatePreview));
  if (m.chatTemplate) parts.push(h('details', {}, h('summary', {}, t('details.chatTemplate')), h('pre', { class: 'code' }, m.chatTemplate)));
  return parts.length ? section('sec-chat', t('details.chatTitle'), ...parts) : null;
}

const versionLink = (v) => h('a', { href: `#/models/${encodeURIComponent(v.modelId)}` }, `${v.modelSetName} / ${v.modelName}`);

/** A LoRA adapter: its PEFT fields and the base it is bound to (a link, or the outside name). */
function adapterSection(a) {
  const { base, ...fields } = a;
  const baseValue = base?.modelId ? [versionLink(base), ' ', h('code', {}, base.modelId)] : base?.name ? [h('code', {}, base.name), ' ', h('span', { class: 'muted' }, t('details.adapterBaseOutside'))] : h('span', { class: 'muted' }, '—');
  return section('sec-adapter', t('details.adapter'), dl([[t('details.adapterBase'), h('span', {}, baseValue)], ...Object.entries(fields).map(([k, v]) => [label(k), value(k, v)])]));
}

/** A base: the adapters bound to it (it cannot be deleted while they exist). */
function adaptersSection(list) {
  return section('sec-adapters', t('details.adapters'), h('p', { class: 'muted small' }, t('details.adaptersNote')), h('ul', {}, list.map((a) => h('li', {}, versionLink(a), ' ', statusBadge(a.status)))));
}

function samplePreview(text) {
  return h(
    'figure',
    { class: 'preview' },
    h('figcaption', { class: 'muted small' }, t('details.sample'), ' ', SAMPLE_CONVERSATION.map((m) => `${m.role}: “${m.content}”`).join(' · ')),
    h('pre', { class: 'code' }, text),
  );
}

export function renderVersionDetail(root, ctx) {
  const modelId = ctx.params.get('id');
  const body = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('common.loading')));
  const liveStatus = h('span', { class: 'live-status' });
  const progress = importProgressBox();
  let m = null;
  let advanceConf = null;
  let advanceErr = null;
  let stopUse = () => {};

  async function fetchModel() {
    const before = m?.status;
    m = await ctx.api.model('DescribeModel', { modelId });
    if (before && before !== m.status) ctx.announce(t('versions.statusChanged', { name: m.modelName, status: t(`status.${m.status}`, {}, m.status) }));
  }

  async function fetchAdvanceConf() {
    try {
      advanceConf = await ctx.api.model('DescribeModelCustomAdvancedConf', { modelId });
      advanceErr = null;
    } catch (err) {
      advanceErr = err;
    }
  }

  function draw() {
    stopUse();
    const use = m.status === 'Ready' ? useModelPanel(m, ctx) : null;
    stopUse = use ? use.stop : () => {};
    const shown = new Set([...OVERVIEW, ...MODEL, ...CAPABILITIES, ...SECTIONED]);
    const other = Object.keys(m).filter((k) => !shown.has(k));
    replace(liveStatus, statusBadge(m.status));
    replace(body,
      breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: m.modelSetName, href: `#/sets/${encodeURIComponent(m.modelSetId)}` }, { label: m.modelName }]),
      h('div', { class: 'view-head row' }, heading(`${m.modelSetName} / ${m.modelName}`), aliasChips(m.aliases), liveStatus, h('button', { type: 'button', class: 'danger', 'data-needs': 'write', onclick: remove }, t('versions.delete'))),
      m.status === 'Creating' ? (progress.update(m.importProgress), progress.el) : null,
      m.failureReason ? h('div', { class: 'error-box', role: 'alert' }, h('strong', {}, t('field.failureReason'), ': '), failureReason(m)) : null,
      m.warnings?.length ? h('div', { class: 'warn-box' }, h('strong', {}, t('field.warnings')), h('ul', {}, m.warnings.map((w) => h('li', {}, typeof w === 'string' ? w : prettyJson(w))))) : null,
      use?.panel,
      versionMetadataSection(ctx, m, async () => (await fetchModel(), draw(), body.querySelector('#sec-about button')?.focus())),
      section('sec-overview', t('details.overview'), dl([...rowsOf(m, OVERVIEW), ...other.map((k) => [label(k), value(k, m[k])])])),
      section('sec-model', t('details.model'), dl(rowsOf(m, MODEL)), rowsOf(m, MODEL).length === 0 ? h('p', { class: 'muted' }, t('details.noModelInfo')) : null),
      m.tokenLimitations ? section('sec-tokens', t('field.tokenLimitations'), value('tokenLimitations', m.tokenLimitations)) : null,
      m.files ? section('sec-files', t('details.files'), m.files.length ? filesTable(m.files) : h('p', { class: 'muted' }, '—')) : null,
      section(
        'sec-advanced',
        t('details.advanced'),
        m.advancedSettings ? [h('h3', {}, t('field.advancedSettings')), value('advancedSettings', m.advancedSettings)] : null,
        h('h3', {}, t('field.advanceConf')),
        advanceErr ? errorBox(advanceErr) : h('pre', { class: 'code' }, advanceConf === null ? '…' : prettyJsonString(advanceConf)),
      ),
      m.adapter ? adapterSection(m.adapter) : null,
      m.adapters?.length ? adaptersSection(m.adapters) : null,
      chatSection(m),
      section('sec-capabilities', t('details.capabilities'), dl(rowsOf(m, CAPABILITIES))),
      h('details', { class: 'raw' }, h('summary', {}, t('details.raw')), h('pre', { class: 'json' }, prettyJson(m))),
    );
    body.removeAttribute('aria-busy');
  }

  async function remove() {
    if (!(await confirmDialog(t('versions.confirmDelete', { name: m.modelName }), t('action.delete')))) return;
    try {
      await ctx.api.model('DeleteModel', { modelId });
      ctx.announce(t('versions.deleted', { name: m.modelName }));
      ctx.navigate(`#/sets/${encodeURIComponent(m.modelSetId)}`);
    } catch (err) {
      if (!ctx.handleAuth(err)) body.prepend(errorBox(err));
    }
  }

  replace(root, body);
  let stop = () => {};
  (async () => {
    try {
      await Promise.all([fetchModel(), fetchAdvanceConf()]);
      draw();
      ctx.setTitle(`${m.modelSetName} / ${m.modelName}`);
      ctx.focusTitle();
      stop = poll(async () => {
        if (m.status !== 'Creating') return false;
        await fetchModel();
        if (m.status !== 'Creating') {
          await fetchAdvanceConf();
          draw(); // the import filled in files, limits, template…
        } else {
          replace(liveStatus, statusBadge(m.status));
          progress.update(m.importProgress);
        }
        return m.status === 'Creating';
      }, 1000);
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(body, breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: modelId }]), heading(t('common.error')), errorBox(err));
      body.removeAttribute('aria-busy');
    }
  })();
  return () => {
    stop();
    stopUse();
  };
}
