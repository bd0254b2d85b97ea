// Small building blocks shared by the views.
import { h, uid } from '../lib/dom.js';
import { getLang, t } from '../i18n.js';
import { failureText } from '../i18n-codes.js';

const STATUS_CLASS = { Creating: 'status-creating', Ready: 'status-ready', Fail: 'status-fail' };

export function statusBadge(status) {
  const label = t(`status.${status}`, {}, status);
  return h('span', { class: `status ${STATUS_CLASS[status] ?? ''}`, 'data-status': status }, status === 'Creating' ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null, label);
}

/** An API failure, said plainly: the code, the server's message and its requestId to quote. */
export function errorBox(err, id) {
  return h(
    'div',
    { class: 'error-box', role: 'alert', id },
    // The user's language first, when the code is a known one (i18n-ux.js errorCode.*); the
    // server's own message stays below it.
    err.code && t(`errorCode.${err.code}`, {}, '') ? h('p', { class: 'error-explained', lang: getLang() }, t(`errorCode.${err.code}`)) : null,
    h('strong', {}, err.code ? `${err.code}: ` : ''),
    h('span', { class: 'error-message' }, err.message),
    err.requestId ? h('div', { class: 'muted small' }, t('error.requestId', { id: err.requestId })) : null,
  );
}

/** A failed version's reason in the user's language (failureCode), with the server's sentence below it. */
export function failureReason(v, cls = 'failure-reason') {
  const { text, original } = failureText(t, v);
  return h(
    'div',
    { class: cls, 'data-failure-code': v.failureCode ?? '' },
    h('span', { class: 'failure-text', lang: original ? getLang() : 'en' }, text),
    original ? h('details', { class: 'failure-original' }, h('summary', {}, t('failure.original')), h('span', { lang: 'en' }, original)) : null,
  );
}

export function breadcrumb(items) {
  return h(
    'nav',
    { 'aria-label': t('nav.breadcrumb'), class: 'breadcrumb' },
    h('ol', {}, items.map((it, i) => h('li', {}, it.href && i < items.length - 1 ? h('a', { href: it.href }, it.label) : h('span', { 'aria-current': 'page' }, it.label)))),
  );
}

/** A definition list of [label, value] rows; values may be nodes. */
export function dl(rows, cls = 'props') {
  return h('dl', { class: cls }, rows.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** Previous/next buttons; nothing when everything fits on one page. */
export function pager({ onPrev, onNext, hasPrev, hasNext, info }) {
  if (!hasPrev && !hasNext) return null;
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('pager.label') },
    h('button', { type: 'button', class: 'secondary', disabled: !hasPrev, onclick: onPrev }, t('pager.prev')),
    info ? h('span', { class: 'muted' }, info) : null,
    h('button', { type: 'button', class: 'secondary', disabled: !hasNext, onclick: onNext }, t('pager.next')),
  );
}

/**
 * A labelled form control. `path` is the API field it feeds (e.g. "importMeta.bucket"): an API
 * error naming that field is shown under it (see showFieldError).
 */
export function field({ label, control, hint, path, id = uid('field') }) {
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  const errId = `${id}-error`;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  if (path) control.dataset.path = path;
  control.dataset.errorId = errId;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('div', { class: 'hint', id: hintId }, hint) : null,
    h('div', { class: 'field-error', id: errId, hidden: true }),
  );
}

export function select(options, value) {
  return h('select', {}, options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o)).map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
}

export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
    el.removeAttribute('aria-invalid');
    const err = document.getElementById(el.dataset.errorId);
    if (err) {
      err.hidden = true;
      err.textContent = '';
    }
    const hint = el.getAttribute('aria-describedby')?.split(' ').filter((x) => x !== el.dataset.errorId).join(' ');
    if (hint) el.setAttribute('aria-describedby', hint);
    else el.removeAttribute('aria-describedby');
  }
}

/**
 * Puts an API error next to the visible control of the field it is about: the field the server
 * named (X-Modelreg-Error-Field), else the one its message names (the longest matching path wins:
 * "importMeta.advancedSettings.numBeams" over "importMeta.advancedSettings"). The API path in the
 * message becomes the form's own label, and the form's error box says in the user's language
 * which field to fix. Returns the control, or null when the error names none of them.
 */
export function showFieldError(form, errOrMessage) {
  const e = typeof errOrMessage === 'string' ? { message: errOrMessage, field: null, code: null } : errOrMessage;
  const controls = [...form.querySelectorAll('[data-path]')].filter((el) => !el.closest('[hidden]'));
  const byField = e.field
    ? controls.filter((el) => e.field === el.dataset.path || e.field.startsWith(`${el.dataset.path}.`) || e.field.startsWith(`${el.dataset.path}[`))
    : controls.filter((el) => new RegExp(`(^|[^\\w.])${el.dataset.path.replace(/[.[\]]/g, '\\$&')}(?![\\w])`).test(e.message));
  const named = byField.sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
  if (!named) return null;
  const label = form.querySelector(`label[for="${named.id}"]`)?.textContent?.trim() || named.dataset.path;
  const path = e.field ?? named.dataset.path;
  const message = e.message.replace(new RegExp(`(^|[^\\w.])${path.replace(/[.[\]]/g, '\\$&')}(?![\\w])`), (_m, pre) => `${pre}“${label}”`);
  const box = form.querySelector('.error-box');
  if (box && e.code && t(`errorField.${e.code}`, {}, '')) {
    box.querySelector('.error-explained')?.remove();
    box.prepend(h('p', { class: 'error-explained field-explained', lang: getLang() }, t(`errorField.${e.code}`, { field: label })));
    const msg = box.querySelector('.error-message');
    if (msg) msg.textContent = message;
  }
  named.setAttribute('aria-invalid', 'true');
  const err = document.getElementById(named.dataset.errorId);
  if (err) {
    err.textContent = message;
    err.hidden = false;
    named.setAttribute('aria-describedby', [named.getAttribute('aria-describedby'), err.id].filter(Boolean).join(' '));
  }
  return named;
}

/** A modal yes/no question in a native <dialog> (focus is trapped and Escape cancels). */
export function confirmDialog(message, confirmLabel) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': titleId },
      h('form', { method: 'dialog' }, h('p', { id: titleId }, message), h('div', { class: 'actions' }, h('button', { value: 'cancel', class: 'secondary', autofocus: true }, t('action.cancel')), h('button', { value: 'ok', class: 'danger' }, confirmLabel))),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A table that scrolls sideways on narrow screens; the scroll region is keyboard-focusable. */
export function scrollTable(label, table) {
  return h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': label }, table);
}

/** Focuses a view's heading after navigation so screen readers announce the new page. */
export function heading(text, level = 'h1') {
  return h(level, { tabindex: '-1', class: 'view-title' }, text);
}
