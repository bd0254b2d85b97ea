// "My models": the account's model sets, searched, filtered, sorted and paged by the server
// (DescribeCustomModelSets' modelreg fields), with create and delete.
import { MODEL_TYPES } from '../lib/constants.js';
import { h, replace } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { t } from '../i18n.js';
import { clearFieldErrors, confirmDialog, errorBox, field, heading, pager, scrollTable, select, showFieldError, statusBadge } from './components.js';

/** The orders offered, as DescribeCustomModelSets' sortBy + pageReverse; newest first is the console's default. */
const SORTS = {
  newest: { sortBy: 'createTime', pageReverse: true },
  oldest: { sortBy: 'createTime', pageReverse: false },
  name: { sortBy: 'modelSetName', pageReverse: false },
  'name-desc': { sortBy: 'modelSetName', pageReverse: true },
  modified: { sortBy: 'modifyTime', pageReverse: true },
};
const SIZES = ['10', '20', '50', '100'];
const SET_ID = /^am-[0-9a-z]+$/i;

/** The list's state lives in the URL (#/sets?q=…&sort=…&m=…): Back and reload keep it. */
function readState(params) {
  const sort = SORTS[params.get('sort')] ? params.get('sort') : 'newest';
  const size = SIZES.includes(params.get('size')) ? params.get('size') : SIZES[0];
  const trail = (params.get('m') ?? '').split(',').filter((m) => SET_ID.test(m));
  return { q: (params.get('q') ?? '').trim(), label: (params.get('label') ?? '').trim(), type: MODEL_TYPES.includes(params.get('type')) ? params.get('type') : '', failed: params.get('failed') === '1', sort, size, trail };
}

export function setsHash(st) {
  const p = new URLSearchParams();
  if (st.q) p.set('q', st.q);
  if (st.label) p.set('label', st.label);
  if (st.type) p.set('type', st.type);
  if (st.failed) p.set('failed', '1');
  if (st.sort !== 'newest') p.set('sort', st.sort);
  if (st.size !== SIZES[0]) p.set('size', st.size);
  if (st.trail.length) p.set('m', st.trail.join(','));
  const qs = p.toString();
  return `#/sets${qs ? `?${qs}` : ''}`;
}

export function renderSets(root, ctx) {
  const st = readState(ctx.params);
  const q = st.q;
  const filtered = Boolean(st.q || st.label || st.type || st.failed);
  const listArea = h('div', { class: 'list-area' });
  const notice = h('div');
  const summary = h('p', { class: 'muted list-summary', id: 'sets-summary' });

  const search = h('input', { type: 'search', name: 'q', value: q, autocomplete: 'off', maxlength: '64' });
  const label = h('input', { type: 'text', name: 'label', value: st.label, autocomplete: 'off', maxlength: '64' });
  const type = select([{ value: '', label: t('lists.anyType') }, ...MODEL_TYPES.map((v) => ({ value: v, label: t(`modelType.${v}`, {}, v) }))], st.type);
  const failed = h('input', { type: 'checkbox', name: 'failed', checked: st.failed });
  const sort = select(Object.keys(SORTS).map((k) => ({ value: k, label: t(`lists.sort.${k}`) })), st.sort);
  const size = select(SIZES.map((n) => ({ value: n, label: n })), st.size);
  const apply = (changes = {}) => ctx.navigate(setsHash({ ...st, q: search.value.trim(), label: label.value.trim(), type: type.value, failed: failed.checked, sort: sort.value, size: size.value, trail: [], ...changes }));
  // Order and page size apply at once; the text filters on submit.
  sort.addEventListener('change', () => apply());
  size.addEventListener('change', () => apply());
  const searchForm = h(
    'form',
    { role: 'search', class: 'inline-form list-filters', onsubmit: (e) => (e.preventDefault(), apply()) },
    field({ label: t('sets.search'), control: search, hint: t('sets.searchHint') }),
    field({ label: t('lists.label'), control: label }),
    field({ label: t('lists.type'), control: type }),
    h('div', { class: 'field check' }, h('label', {}, failed, ' ', t('lists.failedOnly'))),
    h('button', { type: 'submit', class: 'secondary' }, t('action.search')),
    filtered ? h('a', { href: setsHash({ ...st, q: '', label: '', type: '', failed: false, trail: [] }), class: 'button-link' }, t('action.clearSearch')) : null,
  );
  const orderBar = h('div', { class: 'inline-form list-order' }, field({ label: t('lists.sortLabel'), control: sort }), field({ label: t('lists.pageSize'), control: size }));

  async function load() {
    listArea.setAttribute('aria-busy', 'true');
    try {
      if (SET_ID.test(q) && !st.trail.length && (await loadById())) return;
      await loadPage();
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(listArea, errorBox(err));
    } finally {
      listArea.removeAttribute('aria-busy');
    }
  }

  /** An am-… id in the search box opens that set's row, when it is one of ours. */
  async function loadById() {
    try {
      const set = await ctx.api.model('DescribeModelSet', { modelSetId: q });
      replace(summary, t('sets.found', { n: 1 }));
      replace(listArea, table([set]));
      return true;
    } catch (err) {
      if (err.code === 'ModelSetNotFound') return false;
      throw err;
    }
  }

  async function loadPage() {
    const marker = st.trail[st.trail.length - 1];
    const res = await ctx.api.model('DescribeCustomModelSets', {
      maxKeys: Number(st.size),
      ...SORTS[st.sort],
      ...(marker ? { marker } : {}),
      ...(st.q ? { nameContains: st.q } : {}),
      ...(st.label ? { label: st.label } : {}),
      ...(st.type ? { modelType: st.type } : {}),
      ...(st.failed ? { hasFailedVersions: true } : {}),
    });
    const total = res.pageInfo.totalCount;
    const pages = typeof total === 'number' ? Math.max(1, Math.ceil(total / Number(st.size))) : null;
    const n = st.trail.length + 1;
    replace(summary, typeof total === 'number' ? (filtered ? t('sets.found', { n: total }) : t('lists.total', { n: total })) : '');
    if (filtered) ctx.announce(t('sets.found', { n: total }));
    newSetToggle(total === 0 && !filtered);
    replace(listArea,
      table(res.customModelSetList),
      pager({
        hasPrev: st.trail.length > 0,
        hasNext: res.pageInfo.isTruncated,
        info: pages ? t('pager.pageOf', { n, total: pages }) : t('pager.page', { n }),
        onPrev: () => ctx.navigate(setsHash({ ...st, trail: st.trail.slice(0, -1) })),
        onNext: () => ctx.navigate(setsHash({ ...st, trail: [...st.trail, res.pageInfo.nextMarker] })),
      }),
    );
  }

  function table(sets) {
    if (sets.length === 0) return h('p', { class: 'empty' }, q ? t('sets.noMatch', { q }) : filtered ? t('lists.noMatch') : t('sets.empty'));
    return scrollTable(
      t('sets.caption'),
      h(
      'table',
      { class: 'data sets' },
      h('caption', { class: 'visually-hidden' }, t('sets.caption')),
      h('thead', {}, h('tr', {}, [t('col.name'), t('col.id'), t('col.type'), t('lists.labels'), t('col.versions'), t('col.latest'), t('col.created'), t('col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        sets.map((s) => {
          const latest = s.modelVersionList?.[s.modelVersionList.length - 1];
          const nFailed = (s.modelVersionList ?? []).filter((v) => v.status === 'Fail').length;
          return h(
            'tr',
            { 'data-set-id': s.modelSetId },
            h('th', { scope: 'row' }, h('a', { href: `#/sets/${encodeURIComponent(s.modelSetId)}` }, s.modelSetName)),
            h('td', {}, h('code', {}, s.modelSetId)),
            h('td', {}, t(`modelType.${s.modelType}`, {}, s.modelType)),
            h('td', {}, (s.labels ?? []).length ? h('ul', { class: 'chips' }, s.labels.map((l) => h('li', {}, h('a', { href: setsHash({ ...st, label: l, trail: [] }), class: 'chip' }, l)))) : h('span', { class: 'muted' }, '—')),
            h('td', { class: 'num' }, String(s.modelCount ?? s.modelIds?.length ?? 0)),
            h('td', {}, latest ? [latest.modelName, ' ', statusBadge(latest.status)] : '—', nFailed ? [' ', h('span', { class: 'failed-count', 'data-failed': String(nFailed) }, t('lists.failedCount', { n: nFailed }))] : null),
            h('td', {}, formatTime(s.createTime)),
            h('td', {}, h('button', { type: 'button', class: 'danger small', 'data-needs': 'write', 'aria-label': t('sets.deleteNamed', { name: s.modelSetName }), onclick: () => remove(s) }, t('action.delete'))),
          );
        }),
      ),
    ));
  }

  async function remove(s) {
    if (!(await confirmDialog(t('sets.confirmDelete', { name: s.modelSetName }), t('action.delete')))) return;
    try {
      await ctx.api.model('DeleteModelSet', { modelSetId: s.modelSetId });
      ctx.announce(t('sets.deleted', { name: s.modelSetName }));
      replace(notice, h('p', { class: 'ok-box' }, t('sets.deleted', { name: s.modelSetName })));
      await load();
    } catch (err) {
      if (ctx.handleAuth(err)) return;
      // A set with versions: say what to do, and where.
      if (err.code === 'ModelSetNotEmpty') replace(notice, h('div', { class: 'error-box', role: 'alert' }, h('p', {}, t('sets.notEmptyHelp', { name: s.modelSetName })), h('p', {}, h('a', { href: `#/sets/${encodeURIComponent(s.modelSetId)}` }, t('sets.openSet', { name: s.modelSetName }))), h('p', { class: 'muted small' }, `${err.code}: ${err.message}`)));
      else replace(notice, errorBox(err));
    }
    root.querySelector('.view-title')?.focus();
  }

  // The new-set form folds away once there are sets, so it never pushes the list below the fold.
  const create = h('details', { class: 'card new-set', 'data-needs': 'write' }, h('summary', {}, h('h2', { id: 'new-set-title' }, t('sets.newTitle'))), createForm(ctx));
  function newSetToggle(empty) {
    if (empty) create.open = true;
  }

  replace(root,
    h('div', { class: 'view-head' }, heading(t('sets.title')), h('p', { class: 'muted' }, t('sets.intro'))),
    create,
    h('section', { 'aria-labelledby': 'sets-list-title' }, h('h2', { id: 'sets-list-title' }, t('sets.listTitle')), searchForm, orderBar, summary, notice, listArea),
  );
  void load();
}

function createForm(ctx) {
  const name = h('input', { type: 'text', name: 'modelSetName', maxlength: '50', required: true, autocomplete: 'off' });
  const type = select(MODEL_TYPES.map((v) => ({ value: v, label: `${t(`modelType.${v}`, {}, v)} (${v})` })), 'Text2Text');
  const labels = h('input', { type: 'text', name: 'labels', autocomplete: 'off' });
  const status = h('div', { class: 'form-status' });
  const form = h(
    'form',
    { class: 'new-set-form', novalidate: true, 'aria-labelledby': 'new-set-title' },
    h('div', { class: 'grid3' }, field({ label: t('sets.name'), control: name, hint: t('sets.nameHint'), path: 'modelSetName' }), field({ label: t('sets.type'), control: type, path: 'modelType' }), field({ label: t('sets.labels'), control: labels, hint: t('sets.labelsHint'), path: 'labels' })),
    status,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('sets.create'))),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    replace(status);
    const body = { modelSetName: name.value.trim(), modelType: type.value };
    const l = labels.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (l.length) body.labels = l;
    try {
      const res = await ctx.api.model('CreateCustomModelSet', body);
      ctx.announce(t('sets.created', { name: res.modelSetName }));
      ctx.navigate(`#/sets/${encodeURIComponent(res.modelSetId)}`);
    } catch (err) {
      if (ctx.handleAuth(err)) return;
      replace(status, errorBox(err));
      (showFieldError(form, err) ?? name).focus();
    }
  });
  return form;
}
