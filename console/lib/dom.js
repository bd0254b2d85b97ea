// A tiny element builder. Text always goes in as text nodes (never innerHTML), so names and
// messages from the API cannot inject markup.
const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'required', 'readOnly', 'multiple', 'open']);

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = v;
    else if (k === 'for') el.htmlFor = v;
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** el.replaceChildren without the DOM's habit of turning null into the text "null". */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let seq = 0;
/** A unique id for label/aria wiring. */
export const uid = (prefix = 'f') => `${prefix}-${++seq}`;
