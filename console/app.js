// The console's shell: sign-in state, the header (language toggle, sign out), a hash router
// over the views, one polite live region for status announcements.
import './i18n-ux.js';
import './i18n-codes.js';
import { Api } from './lib/api.js';
import { applyCaller, canWrite, forgetCaller, loadCaller } from './lib/caller.js';
import { h, replace } from './lib/dom.js';
import { clearSession, loadSession, saveSession } from './lib/session.js';
import { getLang, onLangChange, setLang, t } from './i18n.js';
import { heading } from './views/components.js';
import { renderLogin } from './views/login.js';
import { renderNewVersion } from './views/new-version.js';
import { renderCompare } from './views/compare.js';
import { renderTaskDetail } from './views/task-detail.js';
import { renderSetDetail } from './views/set-detail.js';
import { renderSets } from './views/sets.js';
import { renderVersionDetail } from './views/version-detail.js';
import { renderTokens } from './views/tokens.js';

const ROUTES = [
  [/^\/sets\/([^/]+)\/new$/, renderNewVersion],
  [/^\/sets\/([^/]+)\/compare$/, renderCompare],
  [/^\/sets\/([^/]+)$/, renderSetDetail],
  [/^\/models\/([^/]+)$/, renderVersionDetail],
  [/^\/sets$/, renderSets],
  [/^\/tasks\/([^/]+)$/, renderTaskDetail],
  [/^\/tokens$/, renderTokens],
];

const root = document.getElementById('app');
let creds = loadSession();
let cleanup = () => {};
let signInReason = null;

const announcer = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', id: 'announcer' });
const main = h('main', { id: 'main', tabindex: '-1' });

function announce(message) {
  // Cleared first so that the same message twice is still read out.
  announcer.textContent = '';
  setTimeout(() => (announcer.textContent = message), 50);
}

function setTitle(s) {
  document.title = s ? `${s} · modelreg` : `${t('app.subtitle')} · modelreg`;
}

function header() {
  const langBtn = h('button', { type: 'button', class: 'secondary small', id: 'lang-toggle', lang: getLang() === 'en' ? 'zh-CN' : 'en', 'aria-label': t('app.switchLangLabel'), onclick: () => setLang(getLang() === 'en' ? 'zh-CN' : 'en') }, t('app.switchLang'));
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'skip-link', href: '#main', onclick: (e) => (e.preventDefault(), main.focus()) }, t('app.skip')),
    h('a', { class: 'brand', href: '#/sets' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), t('app.brand'), h('span', { class: 'subtitle' }, t('app.subtitle'))),
    creds ? h('nav', { 'aria-label': t('nav.main') }, h('a', { href: '#/sets' }, t('nav.sets')), ' ', h('a', { href: '#/tokens' }, t('nav.tokens'))) : null,
    h('div', { class: 'spacer' }),
    langBtn,
    creds ? h('span', { class: 'who', title: creds.accessKey }, t('app.signedInAs', { ak: shortKey(creds.accessKey) }), callerBadge) : null,
    creds ? h('button', { type: 'button', class: 'secondary small', id: 'sign-out', onclick: signOut }, t('app.signOut')) : null,
  );
}

const shortKey = (ak) => (ak.length > 12 ? `${ak.slice(0, 8)}…` : ak);

// The account and, for a read-only key, a badge; filled in once DescribeCallerIdentity answers.
const callerBadge = h('span', { class: 'caller', id: 'caller' });

function showCaller(caller) {
  applyCaller(caller);
  if (!caller) return replace(callerBadge);
  replace(callerBadge, ' · ', caller.accountName, canWrite(caller) ? '' : [' ', h('span', { class: 'badge readonly', title: caller.policies.map((p) => p.name).join(', ') }, t('caller.readOnly'))]);
}

function signOut() {
  forgetCaller();
  applyCaller(null);
  clearSession();
  creds = null;
  signInReason = null;
  announce(t('app.signedOut'));
  render();
}

/** An authentication failure ends the session (unknown or mistyped key): back to sign-in, saying why. */
function handleAuth(err) {
  if (!err?.isAuthFailure) return false;
  clearSession();
  creds = null;
  signInReason = t('app.sessionEnded', { message: `${err.code}: ${err.message}` });
  render();
  return true;
}

function route() {
  const hash = location.hash.replace(/^#/, '') || '/sets';
  const [path, query = ''] = hash.split('?');
  const params = new URLSearchParams(query);
  for (const [re, view] of ROUTES) {
    const m = re.exec(path);
    if (m) {
      if (m[1] !== undefined) {
        try {
          params.set('id', decodeURIComponent(m[1]));
        } catch {
          params.set('id', m[1]);
        }
      }
      return { view, params };
    }
  }
  return { view: null, params, path };
}

function render() {
  cleanup();
  cleanup = () => {};
  document.documentElement.lang = getLang();
  replace(root, header(), main, announcer);
  setTitle('');
  if (!creds) {
    renderLogin(main, {
      reason: signInReason,
      signIn(c) {
        saveSession(c);
        creds = c;
        signInReason = null;
        if (!location.hash || location.hash === '#/') location.hash = '#/sets';
        render();
      },
    });
    return;
  }
  const moveFocus = navigated;
  navigated = false;
  const { view, params, path } = route();
  if (!view) {
    replace(main, heading(t('common.error')), h('p', {}, t('app.notFound', { path })), h('p', {}, h('a', { href: '#/sets' }, t('nav.sets'))));
    return;
  }
  const ctx = {
    api: new Api(creds),
    params,
    navigate: (hash) => {
      if (location.hash === hash) render();
      else location.hash = hash;
    },
    announce,
    handleAuth,
    setTitle,
    // Views that load first call this again once their real heading is there.
    focusTitle: () => {
      if (moveFocus) main.querySelector('.view-title')?.focus();
    },
  };
  cleanup = view(main, ctx) ?? (() => {});
  ctx.focusTitle();
  void loadCaller(ctx.api, creds.accessKey).then(showCaller);
}

// Focus moves to the new page's heading after navigation; not on the first load, and not
// when the language is switched (it stays on the toggle).
let navigated = false;
window.addEventListener('hashchange', () => {
  navigated = true;
  render();
});
onLangChange(() => {
  render();
  document.getElementById('lang-toggle')?.focus();
});
render();
