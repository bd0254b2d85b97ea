// Sign in with an access key and secret key. The pair is checked by a real signed call
// (DescribeCustomModelSets) before it is kept for this tab.
import { Api } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { t } from '../i18n.js';
import { errorBox, field, heading } from './components.js';

export function renderLogin(root, ctx) {
  const ak = h('input', { type: 'text', name: 'accessKey', autocomplete: 'username', spellcheck: 'false', required: true });
  const sk = h('input', { type: 'password', name: 'secretKey', autocomplete: 'current-password', required: true });
  const status = h('div', { class: 'form-status' });
  const submit = h('button', { type: 'submit' }, t('login.submit'));
  const form = h(
    'form',
    { class: 'card login', novalidate: true, 'aria-describedby': 'login-note' },
    heading(t('login.title')),
    h('p', { id: 'login-note', class: 'muted' }, t('login.note')),
    field({ label: t('login.accessKey'), control: ak }),
    field({ label: t('login.secretKey'), control: sk }),
    status,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const creds = { accessKey: ak.value.trim(), secretKey: sk.value.trim() };
    if (!creds.accessKey || !creds.secretKey) {
      replace(status, errorBox({ message: t('login.missing') }));
      (creds.accessKey ? sk : ak).focus();
      return;
    }
    submit.disabled = true;
    replace(status, h('p', { role: 'status' }, t('login.checking')));
    try {
      await new Api(creds).model('DescribeCustomModelSets', { maxKeys: 1 });
      ctx.signIn(creds);
    } catch (err) {
      replace(status, errorBox(err));
      submit.disabled = false;
      sk.focus();
    }
  });
  replace(root, h('div', { class: 'login-wrap' }, form, ctx.reason ? errorBox({ message: ctx.reason }) : null));
  ak.focus();
}
