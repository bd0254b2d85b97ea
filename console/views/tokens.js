// Read tokens (hf_…) of the signed-in key's account: what Hugging Face clients send to download
// its Ready versions (docs/hub.md). A new token is shown once; revoking one stops it at once.
import { h, replace, uid } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { t } from '../i18n.js';
import { breadcrumb, confirmDialog, errorBox, heading, scrollTable } from './components.js';

export function renderTokens(root, ctx) {
  const notice = h('div', { 'aria-live': 'polite' });
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('common.loading')));
  const nameInput = h('input', { type: 'text', id: uid('token-name'), maxlength: '64', placeholder: 'vllm-prod' });
  const daysInput = h('input', { type: 'number', id: uid('token-days'), min: '1', max: '3650', placeholder: '30' });

  async function load() {
    try {
      const r = await ctx.api.model('DescribeReadTokens', {});
      draw(r.tokens);
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(list, errorBox(err));
    }
    list.removeAttribute('aria-busy');
  }

  function draw(tokens) {
    replace(list, tokens.length === 0 ? h('p', { class: 'empty' }, t('tokens.empty')) : scrollTable(t('tokens.title'), h(
      'table',
      { class: 'data tokens' },
      h('caption', { class: 'visually-hidden' }, t('tokens.title')),
      h('thead', {}, h('tr', {}, [t('col.name'), t('tokens.col.token'), t('col.status'), t('col.created'), t('tokens.col.expires'), t('col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, [...tokens].reverse().map((tk) => h('tr', { 'data-token-id': tk.tokenId },
        h('th', { scope: 'row' }, tk.name),
        h('td', {}, h('code', {}, tk.tokenHint)),
        h('td', {}, t(`tokens.status.${tk.status}`, {}, tk.status)),
        h('td', {}, formatTime(tk.createTime)),
        h('td', {}, tk.expireTime ? formatTime(tk.expireTime) : t('tokens.never')),
        h('td', {}, tk.status === 'active' ? h('button', { type: 'button', class: 'danger small', 'data-needs': 'write', 'aria-label': t('tokens.revokeNamed', { name: tk.name }), onclick: () => revoke(tk) }, t('tokens.revoke')) : ''),
      ))),
    )));
  }

  async function create(e) {
    e.preventDefault();
    const data = {};
    if (nameInput.value.trim()) data.name = nameInput.value.trim();
    if (daysInput.value) data.expiresInDays = Number(daysInput.value);
    try {
      const tk = await ctx.api.model('CreateReadToken', data);
      replace(notice, h('div', { class: 'ok-box', role: 'status' },
        h('p', {}, t('tokens.created')),
        h('pre', { class: 'code token-once' }, tk.token),
        h('p', { class: 'small' }, t('tokens.usage')),
        h('pre', { class: 'code' }, `HF_ENDPOINT=${location.origin} HF_TOKEN=${tk.token} huggingface-cli download <account>/<set> --revision V1`)));
      ctx.announce(t('tokens.created'));
      await load();
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(notice, errorBox(err));
    }
  }

  async function revoke(tk) {
    if (!(await confirmDialog(t('tokens.confirmRevoke', { name: tk.name }), t('tokens.revoke')))) return;
    try {
      await ctx.api.model('DeleteReadToken', { tokenId: tk.tokenId });
      replace(notice, h('p', { class: 'ok-box' }, t('tokens.revoked', { name: tk.name })));
      ctx.announce(t('tokens.revoked', { name: tk.name }));
      await load();
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(notice, errorBox(err));
    }
  }

  replace(root,
    breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: t('tokens.title') }]),
    heading(t('tokens.title')),
    h('p', { class: 'muted' }, t('tokens.hint')),
    h('form', { class: 'card token-form', 'data-needs': 'write', onsubmit: create },
      h('h2', {}, t('tokens.create')),
      h('div', { class: 'field' }, h('label', { for: nameInput.id }, t('col.name')), nameInput),
      h('div', { class: 'field' }, h('label', { for: daysInput.id }, t('tokens.days')), daysInput),
      h('button', { type: 'submit', class: 'primary' }, t('tokens.create'))),
    notice,
    list,
  );
  ctx.setTitle(t('tokens.title'));
  void load();
}
