// One model set: its versions (newest first) with live status, and the way to add a version.
import { h, replace } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { poll } from '../lib/poll.js';
import { t } from '../i18n.js';
import { setMetadataSection } from './metadata-editor.js';
import { deleteSetButton } from './delete-set.js';
import { breadcrumb, confirmDialog, dl, errorBox, failureReason, heading, pager, scrollTable, statusBadge } from './components.js';
import { aliasChips, aliasesSection } from './aliases.js';

const PAGE = 20;

const statusCell = (v) => [statusBadge(v.status), v.failureReason ? failureReason(v, 'failure small') : ''];

export function renderSetDetail(root, ctx) {
  const setId = ctx.params.get('id');
  const notice = h('div');
  const listArea = h('div', { class: 'list-area', 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('common.loading')));
  let page = 0;
  let known = new Map(); // modelId → status, to announce changes
  let set = null;

  async function fetchSet() {
    set = await ctx.api.model('DescribeModelSet', { modelSetId: setId });
    for (const v of set.modelVersionList ?? []) {
      const before = known.get(v.modelId);
      if (before && before !== v.status) ctx.announce(t('versions.statusChanged', { name: v.modelName, status: t(`status.${v.status}`, {}, v.status) }));
      known.set(v.modelId, v.status);
    }
    return set;
  }

  function draw() {
    const versions = [...(set.modelVersionList ?? [])].reverse();
    const pages = Math.max(1, Math.ceil(versions.length / PAGE));
    page = Math.min(page, pages - 1);
    replace(header,
      breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: set.modelSetName }]),
      h('div', { class: 'view-head row' }, heading(set.modelSetName), h('a', { class: 'button-link primary', 'data-needs': 'write', href: `#/sets/${encodeURIComponent(set.modelSetId)}/new` }, t('versions.create')), deleteSetButton(ctx, set)),
      h('div', { class: 'row set-tools' },
        (set.modelVersionList ?? []).length >= 2 ? h('a', { class: 'button-link', href: `#/sets/${encodeURIComponent(set.modelSetId)}/compare` }, t('compare.link')) : null,
        // Versions added elsewhere (CLI, SDK) show up on Refresh; Creating ones update by themselves.
        h('button', { type: 'button', class: 'secondary small', id: 'refresh-set', onclick: async () => { await fetchSet(); draw(); ctx.announce(t('refresh.done')); document.getElementById('refresh-set')?.focus(); } }, t('refresh.button')),
      ),
      dl([
        [t('field.modelSetId'), h('code', {}, set.modelSetId)],
        [t('field.modelType'), t(`modelType.${set.modelType}`, {}, set.modelType)],
        [t('field.source'), t(`creation.${set.source}`, {}, set.source)],
        set.labels?.length ? [t('field.labels'), set.labels.join(', ')] : null,
        [t('field.createTime'), formatTime(set.createTime)],
        [t('field.modifyTime'), formatTime(set.modifyTime)],
      ], 'props inline'),
      setMetadataSection(ctx, set, async () => (await fetchSet(), draw(), header.querySelector('#sec-about button')?.focus())),
    );
    replace(aliasArea, aliasesSection(ctx, set, async () => {
      await fetchSet();
      draw();
    }, notice));
    const rows = versions.slice(page * PAGE, (page + 1) * PAGE);
    replace(listArea,
      rows.length === 0
        ? h('p', { class: 'empty' }, t('versions.empty'))
        : scrollTable(t('versions.caption', { name: set.modelSetName }), h(
            'table',
            { class: 'data' },
            h('caption', { class: 'visually-hidden' }, t('versions.caption', { name: set.modelSetName })),
            h('thead', {}, h('tr', {}, [t('col.version'), t('col.id'), t('col.status'), t('col.source'), t('col.created'), t('col.description'), t('col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
            h(
              'tbody',
              {},
              rows.map((v) =>
                h(
                  'tr',
                  { 'data-model-id': v.modelId },
                  h('th', { scope: 'row' }, h('a', { href: `#/models/${encodeURIComponent(v.modelId)}` }, v.modelName), ' ', aliasChips((set.aliases ?? []).filter((a) => a.modelId === v.modelId).map((a) => a.alias))),
                  h('td', {}, h('code', {}, v.modelId)),
                  h('td', { class: 'status-cell' }, statusCell(v)),
                  h('td', {}, t(`source.${v.sourceType}`, {}, v.sourceType)),
                  h('td', {}, formatTime(v.createTime)),
                  h('td', { class: 'wrap' }, v.description ?? ''),
                  h('td', {}, h('button', { type: 'button', class: 'danger small', 'data-needs': 'write', 'aria-label': t('versions.deleteNamed', { name: v.modelName }), onclick: () => remove(v) }, t('action.delete'))),
                ),
              ),
            ),
          )),
      pages > 1 ? pager({ hasPrev: page > 0, hasNext: page + 1 < pages, info: t('pager.pageOf', { n: page + 1, total: pages }), onPrev: () => (page--, draw()), onNext: () => (page++, draw()) }) : null,
    );
    listArea.removeAttribute('aria-busy');
  }

  /** Poll results update the status cells in place, so keyboard focus in the table survives. */
  function refreshCells(ids) {
    const now = (set.modelVersionList ?? []).map((v) => v.modelId).join();
    if (now !== ids) return draw();
    for (const v of set.modelVersionList ?? []) {
      const cell = listArea.querySelector(`tr[data-model-id="${CSS.escape(v.modelId)}"] .status-cell`);
      if (cell && cell.firstElementChild?.dataset.status !== v.status) replace(cell, ...statusCell(v));
    }
  }

  const creating = () => (set?.modelVersionList ?? []).some((v) => v.status === 'Creating');

  async function remove(v) {
    if (!(await confirmDialog(t('versions.confirmDelete', { name: v.modelName }), t('action.delete')))) return;
    try {
      await ctx.api.model('DeleteModel', { modelId: v.modelId });
      replace(notice, h('p', { class: 'ok-box' }, t('versions.deleted', { name: v.modelName })));
      ctx.announce(t('versions.deleted', { name: v.modelName }));
      await fetchSet();
      draw();
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(notice, errorBox(err));
    }
    root.querySelector('.view-title')?.focus();
  }

  const header = h('div', {}, heading(t('common.loading')));
  const aliasArea = h('div');
  replace(root, header, notice, aliasArea, h('section', { 'aria-labelledby': 'versions-title' }, h('h2', { id: 'versions-title' }, t('versions.title')), listArea));

  let stop = () => {};
  (async () => {
    try {
      await fetchSet();
      draw();
      ctx.setTitle(set.modelSetName);
      ctx.focusTitle();
      stop = poll(async () => {
        if (!creating()) return false;
        const ids = (set.modelVersionList ?? []).map((v) => v.modelId).join();
        await fetchSet();
        refreshCells(ids);
        return creating();
      });
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(header, breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: setId }]), heading(t('common.error')), errorBox(err));
      replace(listArea);
    }
  })();
  return () => stop();
}
