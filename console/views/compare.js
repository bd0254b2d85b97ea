// Two versions of a set side by side (#/sets/<am-id>/compare?a=<amv>&b=<amv>): source, model facts,
// token limits, engine, sampling and advanced settings, chat template, and a file table that says
// which files are identical (same sha256), changed, added or removed. Everything comes from
// DescribeModel and DescribeModelCustomAdvancedConf; nothing is compared on the server.
import { h, replace } from '../lib/dom.js';
import { formatBytes, formatCount, prettyJson, prettyJsonString } from '../lib/format.js';
import { t } from '../i18n.js';
import { breadcrumb, errorBox, field, heading, scrollTable, select, statusBadge } from './components.js';

// Enum values are shown in the user's language (both sides alike, so same/differs is unchanged).
const ROWS = [
  ['sourceInfo', (m) => [m.sourceInfo?.sourceType && t(`source.${m.sourceInfo.sourceType}`, {}, m.sourceInfo.sourceType), m.sourceInfo?.importModelVersionBosUrl ?? m.sourceInfo?.trainTaskId].filter(Boolean).join(' ')],
  ['status', (m) => t(`status.${m.status}`, {}, m.status)],
  ['modelFormat', (m) => m.modelFormat && t(`format.${m.modelFormat}`, {}, m.modelFormat)],
  ['architecture', (m) => m.architecture],
  ['parameterCount', (m) => (typeof m.parameterCount === 'number' ? `${formatCount(m.parameterCount)} (${m.parameterCount.toLocaleString()})` : undefined)],
  ['dtype', (m) => m.dtype],
  ['contextLength', (m) => m.contextLength],
  ['tokenLimitations', (m) => (m.tokenLimitations ? prettyJson(m.tokenLimitations) : undefined)],
  ['transformerVersion', (m) => m.transformerVersion],
  ['vLLMVersion', (m) => m.vLLMVersion],
  ['totalBytes', (m) => (typeof m.totalBytes === 'number' ? formatBytes(m.totalBytes) : undefined)],
  ['advancedSettings', (m) => (m.advancedSettings ? prettyJson(m.advancedSettings) : undefined)],
  ['advanceConf', (m) => (m.__advanceConf ? prettyJsonString(m.__advanceConf) : undefined)],
  ['chatTemplateSource', (m) => m.chatTemplateSource && t(`chatSource.${m.chatTemplateSource}`, {}, m.chatTemplateSource)],
  ['chatTemplate', (m) => m.chatTemplate ?? (m.chatConf ? prettyJson(m.chatConf) : undefined)],
];

/** path → {a, b} with each side's {size, sha256}; the state of each file. */
export function compareFiles(aFiles = [], bFiles = []) {
  const a = new Map(aFiles.map((f) => [f.path, f]));
  const b = new Map(bFiles.map((f) => [f.path, f]));
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.map((p) => {
    const x = a.get(p);
    const y = b.get(p);
    const state = !x ? 'added' : !y ? 'removed' : x.sha256 && x.sha256 === y.sha256 ? 'identical' : 'changed';
    return { path: p, a: x, b: y, state };
  });
}

export function renderCompare(root, ctx) {
  const setId = ctx.params.get('id');
  const body = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('common.loading')));
  replace(root, body);
  (async () => {
    try {
      const set = await ctx.api.model('DescribeModelSet', { modelSetId: setId });
      const versions = set.modelVersionList ?? [];
      const ids = versions.map((v) => v.modelId);
      const aId = ids.includes(ctx.params.get('a')) ? ctx.params.get('a') : ids[ids.length - 2] ?? ids[0];
      const bId = ids.includes(ctx.params.get('b')) ? ctx.params.get('b') : ids[ids.length - 1];
      const opts = versions.map((v) => ({ value: v.modelId, label: `${v.modelName} (${v.status})` }));
      const pickA = select(opts, aId);
      const pickB = select(opts, bId);
      const go = () => ctx.navigate(`#/sets/${encodeURIComponent(setId)}/compare?a=${encodeURIComponent(pickA.value)}&b=${encodeURIComponent(pickB.value)}`);
      pickA.addEventListener('change', go);
      pickB.addEventListener('change', go);
      const head = [
        breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: set.modelSetName, href: `#/sets/${encodeURIComponent(setId)}` }, { label: t('compare.title') }]),
        heading(t('compare.heading', { name: set.modelSetName })),
        h('div', { class: 'inline-form' }, field({ label: t('compare.left'), control: pickA }), field({ label: t('compare.right'), control: pickB })),
      ];
      if (!aId || !bId) {
        replace(body, ...head, h('p', { class: 'empty' }, t('compare.needTwo')));
        return;
      }
      const load = async (modelId) => {
        const m = await ctx.api.model('DescribeModel', { modelId });
        try {
          m.__advanceConf = await ctx.api.model('DescribeModelCustomAdvancedConf', { modelId });
        } catch {
          m.__advanceConf = undefined;
        }
        return m;
      };
      const [a, b] = await Promise.all([load(aId), load(bId)]);
      replace(body, ...head, factsTable(a, b), filesSection(a, b));
      ctx.setTitle(t('compare.heading', { name: set.modelSetName }));
      ctx.focusTitle();
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(body, heading(t('common.error')), errorBox(err));
    } finally {
      body.removeAttribute('aria-busy');
    }
  })();
}

function factsTable(a, b) {
  const rows = ROWS.map(([k, get]) => {
    const x = get(a);
    const y = get(b);
    if (x === undefined && y === undefined) return null;
    const same = String(x ?? '') === String(y ?? '');
    const cell = (v) => h('td', {}, v === undefined ? h('span', { class: 'muted' }, '—') : /\n/.test(String(v)) ? h('pre', { class: 'code' }, String(v)) : String(v));
    return h('tr', { class: same ? 'same' : 'differs', 'data-field': k }, h('th', { scope: 'row' }, t(`field.${k}`, {}, k)), cell(x), cell(y), h('td', {}, same ? t('compare.same') : h('strong', {}, t('compare.differs'))));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'cmp-facts' }, h('h2', { id: 'cmp-facts' }, t('compare.facts')), scrollTable(t('compare.facts'), h(
    'table',
    { class: 'data compare' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('compare.field')), h('th', { scope: 'col' }, h('a', { href: `#/models/${encodeURIComponent(a.modelId)}` }, a.modelName), ' ', statusBadge(a.status)), h('th', { scope: 'col' }, h('a', { href: `#/models/${encodeURIComponent(b.modelId)}` }, b.modelName), ' ', statusBadge(b.status)), h('th', { scope: 'col' }, ''))),
    h('tbody', {}, rows),
  )));
}

function filesSection(a, b) {
  const rows = compareFiles(a.files, b.files);
  const counts = rows.reduce((c, r) => ((c[r.state] = (c[r.state] ?? 0) + 1), c), {});
  const summary = ['identical', 'changed', 'added', 'removed'].map((s) => t(`compare.count.${s}`, { n: counts[s] ?? 0 })).join(' · ');
  const short = (f) => (f?.sha256 ? h('code', { class: 'hash', title: f.sha256 }, f.sha256.slice(0, 12)) : '—');
  return h('section', { class: 'card', 'aria-labelledby': 'cmp-files' }, h('h2', { id: 'cmp-files' }, t('details.files')), h('p', { class: 'muted', id: 'cmp-summary' }, summary),
    rows.length === 0 ? h('p', { class: 'muted' }, '—') : scrollTable(t('details.files'), h(
      'table',
      { class: 'data files compare-files' },
      h('thead', {}, h('tr', {}, [t('col.path'), t('compare.state'), `${a.modelName} ${t('col.size')}`, `${a.modelName} SHA-256`, `${b.modelName} ${t('col.size')}`, `${b.modelName} SHA-256`].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', { 'data-state': r.state, 'data-path': r.path },
        h('th', { scope: 'row' }, h('code', {}, r.path)),
        h('td', {}, h('span', { class: `file-state ${r.state}` }, t(`compare.state.${r.state}`))),
        h('td', { class: 'num' }, r.a ? formatBytes(r.a.size) : '—'), h('td', {}, short(r.a)),
        h('td', { class: 'num' }, r.b ? formatBytes(r.b.size) : '—'), h('td', {}, short(r.b)),
      ))),
    )));
}
