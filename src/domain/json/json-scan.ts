// One scanner for what JSON.parse lets through silently: duplicated keys (it keeps the last), nesting
// depth (it accepts any), keys that mean something to JavaScript objects, and escapes that make
// strings no raw UTF-8 can (lone surrogates, NUL). Request bodies (src/http/strict-json.ts) and model
// files read at import time, possibly inside the sandbox (src/domain/import/safetensors.ts), both use it.
// It lives in the domain, the innermost layer every other one may import (http, sandbox, cli), rather
// than in a new src/lib/ that the layer map would have to explain; it imports nothing and knows neither
// caller: it returns what it found and where, and each caller sets its limits and words its own error.
// It tracks strings and nesting only, not full syntax: text that is not JSON is JSON.parse's to report.

export type JsonPathSegment = string | number;

export type JsonProblem =
  | { kind: 'depth'; maxDepth: number }
  | { kind: 'forbidden-key'; key: string; path: JsonPathSegment[] }
  | { kind: 'duplicate-key'; key: string; path: JsonPathSegment[] }
  | { kind: 'lone-surrogate'; path: JsonPathSegment[] }
  | { kind: 'nul'; path: JsonPathSegment[] };

export interface JsonScanOptions {
  /** Containers open at once beyond this are a 'depth' problem, reported at once (before any other). */
  maxDepth?: number;
  /** Keys refused by name. */
  forbiddenKeys?: ReadonlySet<string>;
  /** Whether escaped strings are checked for lone surrogates and NUL. */
  checkStrings?: boolean;
}

interface Frame {
  /** Keys seen so far in an object; null for an array. */
  keys: Set<string> | null;
  /** The key this container is the value of, when its parent is an object. */
  name: string;
  /** Items passed so far, when this is an array. */
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * One linear pass; returns the first problem (paths are where it is: the object holding the key, or
 * the value holding the string), or null. A depth problem wins over any found earlier in the text.
 */
export function scanJson(text: string, options: JsonScanOptions = {}): JsonProblem | null {
  const maxDepth = options.maxDepth ?? Infinity;
  const forbidden = options.forbiddenKeys ?? NO_KEYS;
  const checkStrings = options.checkStrings ?? false;
  // Without a depth limit nothing found later can outrank the first problem.
  const stopAtFirst = maxDepth === Infinity;
  const stack: Frame[] = [];
  let found: JsonProblem | null = null;
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
      const isKey = expectKey && top !== undefined && top.keys !== null;
      if (found === null && (isKey || (escaped && checkStrings))) {
        const s = escaped ? decodeString(text.slice(i, j + 1)) : text.slice(i + 1, j);
        if (s !== undefined) {
          if (escaped && checkStrings) found = checkString(s, stack, isKey ? s : lastKey);
          if (found === null && isKey) found = checkKey(stack, s, forbidden);
          if (isKey) lastKey = s;
        } else if (isKey) {
          lastKey = '';
        }
        if (found !== null && stopAtFirst) return found;
      }
      if (isKey) expectKey = false;
      i = j + 1;
      continue;
    }
    switch (c) {
      case 0x7b: // {
      case 0x5b: {
        // [
        if (stack.length >= maxDepth) return { kind: 'depth', maxDepth };
        stack.push({ keys: c === 0x7b ? new Set() : null, name: lastKey, index: 0 });
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
        if (top !== undefined && top.keys === null) top.index++;
        expectKey = top !== undefined && top.keys !== null;
        break;
      }
      default:
        break;
    }
    i++;
  }
  return found;
}

/** Where the innermost open container is: object keys and array indexes from the top level down. */
function containerPath(stack: readonly Frame[]): JsonPathSegment[] {
  const path: JsonPathSegment[] = [];
  for (let k = 1; k < stack.length; k++) path.push(stack[k - 1].keys ? stack[k].name : stack[k - 1].index);
  return path;
}

/** The path of the value now being read: the key it belongs to in an object, its index in an array. */
function valuePath(stack: readonly Frame[], key: string): JsonPathSegment[] {
  const path = containerPath(stack);
  const top = stack[stack.length - 1];
  if (top !== undefined) path.push(top.keys ? key : top.index);
  return path;
}

function checkKey(stack: readonly Frame[], key: string, forbidden: ReadonlySet<string>): JsonProblem | null {
  const keys = stack[stack.length - 1].keys!;
  if (forbidden.has(key)) return { kind: 'forbidden-key', key, path: containerPath(stack) };
  if (keys.has(key)) return { kind: 'duplicate-key', key, path: containerPath(stack) };
  keys.add(key);
  return null;
}

// In u-mode a paired surrogate is one code point, so \p{Cs} matches only unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

/** Escapes can produce what raw UTF-8 cannot: lone surrogates and NUL (which PostgreSQL cannot store). */
function checkString(s: string, stack: readonly Frame[], key: string): JsonProblem | null {
  if (LONE_SURROGATE.test(s)) return { kind: 'lone-surrogate', path: valuePath(stack, key) };
  if (s.includes('\u0000')) return { kind: 'nul', path: valuePath(stack, key) };
  return null;
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

function decodeString(quoted: string): string | undefined {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return undefined; // not valid JSON: JSON.parse on the whole text will say so
  }
}

/** A path as a field reference, e.g. importMeta.chatConf, labels[2]; '' for the top level. */
export function formatJsonPath(path: readonly JsonPathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

export interface DuplicateKey {
  key: string;
  /** The nearest enclosing key ('' at the top level): what a file's reader calls the place. */
  parent: string;
}

/** The first duplicated key in text JSON.parse has accepted (model files: no depth or key-name rules). */
export function findDuplicateKey(validJson: string): DuplicateKey | null {
  const problem = scanJson(validJson);
  if (problem?.kind !== 'duplicate-key') return null;
  let parent = '';
  for (const seg of problem.path) if (typeof seg === 'string') parent = seg;
  return { key: problem.key, parent };
}
