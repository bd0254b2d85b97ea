// "My models": the account's model sets, searchable by name, paged, with create and delete.
import { MODEL_TYPES } from '../lib/constants.js';
import { h, replace } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { t } from '../i18n.js';
import { clearFieldErrors, confirmDialog, errorBox, field, heading, pager, scrollTable, select, showFieldError, statusBadge } from './components.js';

const PAGE = 10;
/** A search reads every page of sets; past this many calls it stops and says so. */
const SEARCH_MAX_CALLS = 50;

export function renderSets(root, ctx) {
  const q = (ctx.params.get('q') ?? '').trim();
  const listArea = h('div', { class: 'list-area' });
  const notice = h('div');
  let markers = ['']; // markers of the pages seen so far, for "previous"
  let searchHits = null;
  let searchPage = 0;

  const search = h('input', { type: 'search', name: 'q', value: q, autocomplete: 'off' });
  const searchForm = h(
    'form',
    { role: 'search', class: 'inline-form', onsubmit: (e) => (e.preventDefault(), ctx.navigate(`#/sets${search.value.trim() ? `?q=${encodeURIComponent(search.value.trim())}` : ''}`)) },
    field({ label: t('sets.search'), control: search, hint: t('sets.searchHint') }),
    h('button', { type: 'submit', class: 'secondary' }, t('action.search')),
    q ? h('a', { href: '#/sets', class: 'button-link' }, t('action.clearSearch')) : null,
  );

  async function load() {
    listArea.setAttribute('aria-busy', 'true');
    try {
      if (q) await loadSearch();
      else await loadPage();
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(listArea, errorBox(err));
    } finally {
      listArea.removeAttribute('aria-busy');
    }
  }

  async function loadPage() {
    const marker = markers[markers.length - 1];
    const res = await ctx.api.model('DescribeCustomModelSets', { maxKeys: PAGE, ...(marker ? { marker } : {}) });
    const page = markers.length;
    replace(listArea,
      table(res.customModelSetList),
      pager({
        hasPrev: markers.length > 1,
        hasNext: res.pageInfo.isTruncated,
        info: t('pager.page', { n: page }),
        onPrev: () => (markers.pop(), load()),
        onNext: () => (markers.push(res.pageInfo.nextMarker), load()),
      }),
    );
  }

  async function loadSearch() {
    if (!searchHits) {
      const needle = q.toLowerCase();
      searchHits = [];
      let marker = '';
      let calls = 0;
      let truncated = false;
      do {
        const res = await ctx.api.model('DescribeCustomModelSets', { maxKeys: 100, ...(marker ? { marker } : {}) });
        searchHits.push(...res.customModelSetList.filter((s) => s.modelSetName.toLowerCase().includes(needle) || s.modelSetId === q));
        marker = res.pageInfo.isTruncated ? res.pageInfo.nextMarker : '';
        truncated = Boolean(marker) && ++calls >= SEARCH_MAX_CALLS;
      } while (marker && !truncated);
      replace(notice, truncated ? h('p', { class: 'muted' }, t('sets.searchTruncated', { n: SEARCH_MAX_CALLS * 100 })) : '');
      ctx.announce(t('sets.found', { n: searchHits.length }));
    }
    const pages = Math.max(1, Math.ceil(searchHits.length / PAGE));
    replace(listArea,
      table(searchHits.slice(searchPage * PAGE, (searchPage + 1) * PAGE)),
      pager({
        hasPrev: searchPage > 0,
        hasNext: searchPage + 1 < pages,
        info: t('pager.pageOf', { n: searchPage + 1, total: pages }),
        onPrev: () => (searchPage--, load()),
        onNext: () => (searchPage++, load()),
      }),
    );
  }

  function table(sets) {
    if (sets.length === 0) return h('p', { class: 'empty' }, q ? t('sets.noMatch', { q }) : t('sets.empty'));
    return scrollTable(
      t('sets.caption'),
      h(
      'table',
      { class: 'data' },
      h('caption', { class: 'visually-hidden' }, t('sets.caption')),
      h('thead', {}, h('tr', {}, [t('col.name'), t('col.id'), t('col.type'), t('col.versions'), t('col.latest'), t('col.created'), t('col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        sets.map((s) => {
          const latest = s.modelVersionList?.[s.modelVersionList.length - 1];
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: `#/sets/${encodeURIComponent(s.modelSetId)}` }, s.modelSetName)),
            h('td', {}, h('code', {}, s.modelSetId)),
            h('td', {}, t(`modelType.${s.modelType}`, {}, s.modelType)),
            h('td', { class: 'num' }, String(s.modelCount ?? s.modelIds?.length ?? 0)),
            h('td', {}, latest ? [latest.modelName, ' ', statusBadge(latest.status)] : '—'),
            h('td', {}, formatTime(s.createTime)),
            h('td', {}, h('button', { type: 'button', class: 'danger small', 'aria-label': t('sets.deleteNamed', { name: s.modelSetName }), onclick: () => remove(s) }, t('action.delete'))),
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
      searchHits = null;
      await load();
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(notice, errorBox(err));
    }
    root.querySelector('.view-title')?.focus();
  }

  replace(root,
    h('div', { class: 'view-head' }, heading(t('sets.title')), h('p', { class: 'muted' }, t('sets.intro'))),
    createForm(ctx),
    h('section', { 'aria-labelledby': 'sets-list-title' }, h('h2', { id: 'sets-list-title' }, t('sets.listTitle')), searchForm, notice, listArea),
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
    { class: 'card', novalidate: true, 'aria-labelledby': 'new-set-title' },
    h('h2', { id: 'new-set-title' }, t('sets.newTitle')),
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
      (showFieldError(form, err.message) ?? name).focus();
    }
  });
  return form;
}
