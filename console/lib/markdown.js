// A small, safe Markdown renderer for descriptions: it builds DOM nodes (text always as text,
// never innerHTML), so HTML in a description is shown, not run. Supported: paragraphs, # headings
// (shown one level under the page's), - / * / 1. lists, ``` code blocks, `code`, **bold**,
// *italic*, [links](https://…) (http, https and mailto only; they open without a referrer).
import { h } from './dom.js';

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

export function renderMarkdown(text) {
  const out = h('div', { class: 'markdown' });
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^```/.test(line)) {
      const code = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      i++;
      out.append(h('pre', { class: 'code' }, h('code', {}, code.join('\n'))));
    } else if (/^#{1,6}\s/.test(line)) {
      const level = Math.min(6, line.match(/^#+/)[0].length + 2);
      out.append(h(`h${level}`, {}, inline(line.replace(/^#+\s+/, ''))));
      i++;
    } else if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const list = h(ordered ? 'ol' : 'ul');
      for (; i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i]); i++) list.append(h('li', {}, inline(lines[i].replace(/^\s*([-*]|\d+\.)\s+/, ''))));
      out.append(list);
    } else if (line.trim() === '') {
      i++;
    } else {
      const para = [];
      for (; i < lines.length && lines[i].trim() !== '' && !/^(```|#{1,6}\s|\s*([-*]|\d+\.)\s+)/.test(lines[i]); i++) para.push(lines[i]);
      out.append(h('p', {}, inline(para.join('\n'))));
    }
  }
  return out;
}

/** Inline spans: `code`, **bold**, *italic*, [text](url); everything else is text. */
function inline(s) {
  const nodes = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (let m; (m = re.exec(s)); ) {
    if (m.index > last) nodes.push(s.slice(last, m.index));
    if (m[1] !== undefined) nodes.push(h('code', {}, m[1]));
    else if (m[2] !== undefined) nodes.push(h('strong', {}, m[2]));
    else if (m[3] !== undefined) nodes.push(h('em', {}, m[3]));
    else if (SAFE_URL.test(m[5])) nodes.push(h('a', { href: m[5], rel: 'noopener noreferrer', target: '_blank' }, m[4]));
    else nodes.push(m[0]);
    last = re.lastIndex;
  }
  if (last < s.length) nodes.push(s.slice(last));
  return nodes;
}
