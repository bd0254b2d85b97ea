// Deleting a model set with all its versions (DeleteModelSet with deleteVersions: true), behind a
// typed confirmation: the button stays disabled until the set's exact name is typed.
import { h, uid } from '../lib/dom.js';
import { t } from '../i18n.js';
import { errorBox } from './components.js';

export function deleteSetButton(ctx, set) {
  return h('button', { type: 'button', class: 'danger', 'data-needs': 'write', id: 'delete-set', onclick: () => open(ctx, set) }, t('delset.button'));
}

function open(ctx, set) {
  const titleId = uid('dlg');
  const inputId = uid('confirm');
  const n = (set.modelVersionList ?? []).length;
  const input = h('input', { type: 'text', id: inputId, autocomplete: 'off', spellcheck: 'false' });
  const go = h('button', { type: 'submit', class: 'danger', disabled: true }, t('delset.confirm'));
  const status = h('div');
  input.addEventListener('input', () => (go.disabled = input.value !== set.modelSetName));
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('action.cancel'));
  const form = h('form', {},
    h('h2', { id: titleId }, t('delset.title', { name: set.modelSetName })),
    h('p', {}, t('delset.body', { n })),
    h('label', { for: inputId }, t('delset.type'), ' ', h('code', {}, set.modelSetName)),
    input,
    status,
    h('div', { class: 'actions' }, cancel, go),
  );
  const dialog = h('dialog', { class: 'confirm typed-confirm', 'aria-labelledby': titleId }, form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (input.value !== set.modelSetName) return;
    go.disabled = true;
    try {
      await ctx.api.model('DeleteModelSet', { modelSetId: set.modelSetId, deleteVersions: true });
      dialog.close();
      ctx.announce(t('delset.done', { name: set.modelSetName }));
      ctx.navigate('#/sets');
    } catch (err) {
      go.disabled = false;
      if (ctx.handleAuth(err)) return dialog.close();
      status.replaceChildren(errorBox(err));
    }
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  input.focus();
}
