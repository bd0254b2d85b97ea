// A model set's aliases (production, staging, …): where each points, moving or removing one
// (needs a key with write access; the server says so otherwise), and the history of every move.
import { h, replace, uid } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { t } from '../i18n.js';
import { confirmDialog, errorBox, scrollTable } from './components.js';

/** The alias chips shown beside a version's name. */
export function aliasChips(names) {
  return (names ?? []).map((a) => h('span', { class: 'alias-chip', title: t('aliases.chipTitle', { alias: a }) }, `@${a}`));
}

/**
 * The aliases section of the set page. `set` is DescribeModelSet's result; `onChanged` reloads
 * the set after a move (redrawing this section); `notice` is the page's message area, which
 * outlives the redraw.
 */
export function aliasesSection(ctx, set, onChanged, notice) {
  const history = h('div');
  const ready = (set.modelVersionList ?? []).filter((v) => v.status === 'Ready').reverse();
  const aliasInput = h('input', { type: 'text', id: uid('alias'), required: true, maxlength: '64', pattern: '[a-z][a-z0-9_\\-]{0,63}', autocomplete: 'off', placeholder: 'production' });
  const versionSelect = h('select', { id: uid('alias-version') }, ready.map((v) => h('option', { value: v.modelId }, v.modelName)));

  async function run(action, data, done) {
    try {
      await ctx.api.model(action, data);
      // Said once the page shows the new state.
      await onChanged();
      replace(notice, h('p', { class: 'ok-box' }, done));
      ctx.announce(done);
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(notice, errorBox(err));
    }
  }

  async function move(e) {
    e.preventDefault();
    const alias = aliasInput.value.trim();
    const v = ready.find((x) => x.modelId === versionSelect.value);
    if (!alias || !v) return;
    await run('SetModelSetAlias', { modelSetId: set.modelSetId, alias, modelId: v.modelId }, t('aliases.moved', { alias, name: v.modelName }));
  }

  async function remove(a) {
    if (!(await confirmDialog(t('aliases.confirmDelete', { alias: a.alias }), t('action.delete')))) return;
    await run('DeleteModelSetAlias', { modelSetId: set.modelSetId, alias: a.alias }, t('aliases.deleted', { alias: a.alias }));
  }

  async function loadHistory(e) {
    if (!e.target.open) return;
    replace(history, h('p', { class: 'muted' }, t('common.loading')));
    try {
      const r = await ctx.api.model('DescribeModelSetAliasHistory', { modelSetId: set.modelSetId, maxKeys: 50 });
      replace(history, r.aliasHistory.length === 0 ? h('p', { class: 'muted' }, t('aliases.noHistory')) : h('ul', { class: 'alias-history' }, r.aliasHistory.map((ev) =>
        h('li', {}, h('time', { datetime: ev.time }, formatTime(ev.time)), ' · ', h('code', {}, `@${ev.alias}`), ' ',
          t('aliases.historyLine', { from: ev.fromModelName ?? ev.fromModelId ?? '—', to: ev.toModelName ?? ev.toModelId ?? t('aliases.removed'), who: ev.actor })))));
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(history, errorBox(err));
    }
  }

  const aliases = set.aliases ?? [];
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'aliases-title' },
    h('h2', { id: 'aliases-title' }, t('aliases.title')),
    h('p', { class: 'muted small' }, t('aliases.hint')),
    aliases.length === 0
      ? h('p', { class: 'empty' }, t('aliases.empty'))
      : scrollTable(t('aliases.title'), h(
          'table',
          { class: 'data aliases' },
          h('caption', { class: 'visually-hidden' }, t('aliases.title')),
          h('thead', {}, h('tr', {}, [t('aliases.col.alias'), t('col.version'), t('col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, aliases.map((a) => h('tr', { 'data-alias': a.alias },
            h('th', { scope: 'row' }, h('code', {}, `@${a.alias}`)),
            h('td', {}, h('a', { href: `#/models/${encodeURIComponent(a.modelId)}` }, a.modelName)),
            h('td', {}, h('button', { type: 'button', class: 'danger small', 'data-needs': 'write', 'aria-label': t('aliases.deleteNamed', { alias: a.alias }), onclick: () => remove(a) }, t('action.delete'))),
          ))),
        )),
    ready.length === 0
      ? h('p', { class: 'muted' }, t('aliases.noReady'))
      : h('form', { class: 'alias-form row', 'data-needs': 'write', onsubmit: move },
          h('label', { for: aliasInput.id }, t('aliases.col.alias')), aliasInput,
          h('label', { for: versionSelect.id }, t('aliases.pointsAt')), versionSelect,
          h('button', { type: 'submit', class: 'primary' }, t('aliases.set'))),
    h('details', { ontoggle: loadHistory }, h('summary', {}, t('aliases.history')), history),
  );
}
