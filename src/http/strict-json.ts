// Stricter JSON for request bodies than JSON.parse alone. JSON.parse keeps the last of duplicated
// keys silently, accepts any nesting depth, turns invalid UTF-8 into U+FFFD and lets keys such as
// "__proto__" through to code that may merge objects. Each of those becomes a 400 here, with a
// message naming the key and where it is, before the body reaches an action or the domain.
import { ERRORS } from '../domain/errors/catalogue.js';

/** Deeper than any action's schema needs (the deepest is 4), shallow enough to be cheap. */
export const MAX_JSON_DEPTH = 32;

/** Keys that mean something to JavaScript objects; no action has a field with these names. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, refusing malformed sequences instead of replacing them with U+FFFD. */
export function decodeUtf8Strict(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw ERRORS.BodyNotUtf8();
  }
}

export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.charCodeAt(0) === 0xfeff) {
    throw ERRORS.BodyHasByteOrderMark();
  }
  // The scan runs first so that absurd nesting is refused before JSON.parse spends time on it;
  // its other findings wait until JSON.parse has said the text is JSON at all.
  const problem = scan(text, maxDepth);
  if (problem?.kind === 'depth') throw ERRORS.InappropriateJSON(problem.message);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw ERRORS.BodyNotJson((err as Error).message);
  }
  if (problem) throw ERRORS.InappropriateJSON(problem.message);
  return value;
}

interface Problem {
  kind: 'depth' | 'key' | 'string';
  message: string;
}

interface Frame {
  object: boolean;
  keys: Set<string> | null;
  /** Field path of this container ('' for the body itself), e.g. importMeta.chatConf, labels[2]. */
  path: string;
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const join = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);
const where = (path: string): string => (path ? `in ${printable(path, 200)}` : 'in the request body');

/**
 * One pass over the text tracking strings and containers only (it need not be valid JSON: if it
 * is not, JSON.parse reports that). Returns the first problem found, a depth problem at once.
 */
function scan(text: string, maxDepth: number): Problem | null {
  const stack: Frame[] = [];
  let found: Problem | null = null;
  let expectKey = false;
  let lastKey = '';
  let nextBackslash = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const j = closingQuote(text, i);
      // The next backslash is looked up again only once passed, so the scan stays linear.
      if (nextBackslash >= 0 && nextBackslash <= i) nextBackslash = text.indexOf('\\', i + 1);
      const escaped = nextBackslash >= 0 && nextBackslash < j;
      const top = stack[stack.length - 1];
      const isKey = expectKey && top !== undefined && top.object;
      if (!found && (isKey || escaped)) {
        const s = escaped ? decodeString(text.slice(i, j + 1)) : text.slice(i + 1, j);
        if (s !== undefined) {
          const path = top === undefined ? '' : top.object ? (isKey ? top.path : join(top.path, lastKey)) : `${top.path}[${top.index}]`;
          found = escaped ? checkString(s, isKey ? join(path, s) : path) : null;
          if (!found && isKey) found = checkKey(top!, s);
        }
      }
      if (isKey) {
        lastKey = escaped ? (decodeString(text.slice(i, j + 1)) ?? '') : text.slice(i + 1, j);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    switch (c) {
      case 0x7b: // {
      case 0x5b: {
        // [
        if (stack.length >= maxDepth) {
          return { kind: 'depth', message: `the request body is nested more than ${maxDepth} levels deep` };
        }
        const parent = stack[stack.length - 1];
        const path = parent === undefined ? '' : parent.object ? join(parent.path, lastKey) : `${parent.path}[${parent.index}]`;
        stack.push({ object: c === 0x7b, keys: c === 0x7b ? new Set() : null, path, index: 0 });
        expectKey = c === 0x7b;
        break;
      }
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        expectKey = false;
        break;
      case 0x2c: {
        // ,
        const top = stack[stack.length - 1];
        if (top && !top.object) top.index++;
        expectKey = top?.object ?? false;
        break;
      }
      default:
        break;
    }
    i++;
  }
  return found;
}

/** Index of the quote ending the string opened at `open` (text.length when unterminated). */
function closingQuote(text: string, open: number): number {
  let j = text.indexOf('"', open + 1);
  while (j >= 0) {
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j; // an even run of backslashes escapes nothing
    j = text.indexOf('"', j + 1);
  }
  return text.length;
}

function checkKey(frame: Frame, key: string): Problem | null {
  if (FORBIDDEN_KEYS.has(key)) {
    return { kind: 'key', message: `the key "${key}" is not allowed (${where(frame.path)}): no request field has that name` };
  }
  if (frame.keys!.has(key)) {
    return { kind: 'key', message: `duplicate key "${printable(key)}" ${where(frame.path)}: each key may appear only once per object` };
  }
  frame.keys!.add(key);
  return null;
}

// In u-mode a paired surrogate is one code point, so \p{Cs} matches only unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

/** Escapes can produce what raw UTF-8 cannot: lone surrogates and NUL (which PostgreSQL cannot store). */
function checkString(s: string, path: string): Problem | null {
  if (LONE_SURROGATE.test(s)) {
    return { kind: 'string', message: `a string ${where(path)} contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff); strings must be valid Unicode` };
  }
  if (s.includes('\u0000')) {
    return { kind: 'string', message: `a string ${where(path)} contains the NUL character (\\u0000), which is not allowed` };
  }
  return null;
}

function decodeString(quoted: string): string | undefined {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return undefined; // not valid JSON: JSON.parse on the whole body will say so
  }
}

/** Keys are echoed in messages: keep them short and free of control characters. */
function printable(s: string, max = 64): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return t.length > max ? t.slice(0, max) + '…' : t;
}
