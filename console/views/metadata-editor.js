// Editable metadata (UpdateModelSet / UpdateModel): a description shown as Markdown with an Edit
// button, and for a set its labels, for a version its key/value tags. The edit form replaces the
// section in place; Save calls the API and redraws the page, Cancel puts focus back on Edit.
import { h, replace, uid } from '../lib/dom.js';
import { renderMarkdown } from '../lib/markdown.js';
import { t } from '../i18n.js';
import { clearFieldErrors, errorBox, field, showFieldError } from './components.js';

/** A set's description and labels. `onSaved` reloads the page's data. */
export function setMetadataSection(ctx, set, onSaved) {
  return metadataSection(ctx, {
    id: 'sec-about',
    description: set.description,
    extra: set.labels?.length ? h('ul', { class: 'chips' }, set.labels.map((l) => h('li', {}, h('a', { class: 'chip', href: `#/sets?label=${encodeURIComponent(l)}` }, l)))) : null,
    fields: () => {
      const labels = h('input', { type: 'text', value: (set.labels ?? []).join(', '), autocomplete: 'off' });
      return {
        controls: [field({ label: t('meta.labels'), control: labels, hint: t('sets.labelsHint'), path: 'labels' })],
        body: () => ({ modelSetId: set.modelSetId, labels: labels.value.split(',').map((s) => s.trim()).filter(Boolean) }),
      };
    },
    action: 'UpdateModelSet',
    onSaved,
  });
}

/** A version's description and tags. */
export function versionMetadataSection(ctx, m, onSaved) {
  const tags = Object.fromEntries((m.tags ?? []).map((x) => [x.key, x.value]));
  return metadataSection(ctx, {
    id: 'sec-about',
    description: m.description,
    extra: Object.keys(tags).length
      ? h('table', { class: 'data tags' }, h('caption', {}, t('meta.tags')), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('meta.tagKey')), h('th', { scope: 'col' }, t('meta.tagValue')))), h('tbody', {}, Object.entries(tags).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, k)), h('td', {}, v)))))
      : null,
    fields: () => {
      const text = h('textarea', { rows: '4', spellcheck: 'false' }, Object.entries(tags).map(([k, v]) => `${k}=${v}`).join('\n'));
      return {
        controls: [field({ label: t('meta.tags'), control: text, hint: t('meta.tagsHint'), path: 'tags' })],
        body: () => ({ modelId: m.modelId, tags: parseTags(text.value) }),
      };
    },
    action: 'UpdateModel',
    onSaved,
  });
}

/** "key=value" lines → UpdateModel's [{key, value}]. */
function parseTags(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const i = line.indexOf('=');
    out.push(i < 0 ? { key: line.trim(), value: '' } : { key: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
  }
  return out;
}

function metadataSection(ctx, { id, description, extra, fields, action, onSaved }) {
  const sec = h('section', { class: 'card metadata', 'aria-labelledby': id, id });
  const titleId = `${id}-title`;
  sec.setAttribute('aria-labelledby', titleId);
  const show = (focusEdit = false) => {
    const edit = h('button', { type: 'button', class: 'secondary small', 'data-needs': 'write', onclick: () => editForm() }, t('meta.edit'));
    replace(sec,
      h('div', { class: 'row' }, h('h2', { id: titleId }, t('meta.about')), edit),
      description ? renderMarkdown(description) : h('p', { class: 'muted' }, t('meta.noDescription')),
      extra,
    );
    if (focusEdit) edit.focus();
  };
  const editForm = () => {
    const text = h('textarea', { rows: '6' }, description ?? '');
    const more = fields();
    const status = h('div');
    const form = h('form', { novalidate: true },
      field({ label: t('meta.description'), control: text, hint: t('meta.markdownHint'), path: 'description', id: uid('desc') }),
      ...more.controls,
      status,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('meta.save')), h('button', { type: 'button', class: 'secondary', onclick: () => show(true) }, t('action.cancel'))),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      try {
        await ctx.api.model(action, { ...more.body(), description: text.value });
        ctx.announce(t('meta.saved'));
        await onSaved();
      } catch (err) {
        if (ctx.handleAuth(err)) return;
        replace(status, errorBox(err));
        (showFieldError(form, err) ?? text).focus();
      }
    });
    replace(sec, h('h2', { id: titleId }, t('meta.about')), form);
    text.focus();
  };
  show();
  return sec;
}
